import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkRegular, type RegisterEvent } from './regular.js';
import { TestRandom } from './_prng.js';

const invoke = (process: number, f: string, value: unknown): RegisterEvent => ({ process, type: 'invoke', f, value });
const ok = (process: number, f: string, value: unknown): RegisterEvent => ({ process, type: 'ok', f, value });

describe('regularity checker', () => {
  it('accepts the last completed write and concurrent writes, including the new/old inversion', () => {
    const history = [
      invoke(0, 'write', 1),
      ok(0, 'write', 1),
      invoke(0, 'write', 2),
      invoke(1, 'read', null),
      ok(1, 'read', 2), // new value, write 2 still running
      invoke(2, 'read', null),
      ok(2, 'read', 1), // old value afterwards: regular, not atomic
      ok(0, 'write', 2),
    ];
    assert.deepEqual(checkRegular(history), []);
  });

  it('rejects a stale value: a read that began after a write completed returns an older one', () => {
    const history = [invoke(0, 'write', 1), ok(0, 'write', 1), invoke(0, 'write', 2), ok(0, 'write', 2), invoke(1, 'read', null), ok(1, 'read', 1)];
    const violations = checkRegular(history);
    assert.equal(violations.length, 1);
    assert.match(violations[0].detail, /returned 1.*wrote 2/);
  });

  it('rejects the initial value after a completed write', () => {
    const history = [invoke(0, 'write', 5), ok(0, 'write', 5), invoke(1, 'read', null), ok(1, 'read', null)];
    assert.equal(checkRegular(history).length, 1);
  });

  it('rejects a value nobody wrote', () => {
    const history = [invoke(0, 'write', 5), invoke(1, 'read', null), ok(1, 'read', 'garbled:0102'), ok(0, 'write', 5)];
    assert.equal(checkRegular(history).length, 1);
  });

  it('treats a write with unknown outcome as concurrent with everything after its call, and a failed one as absent', () => {
    const unknown = [invoke(0, 'write', 1), ok(0, 'write', 1), invoke(0, 'write', 2), { process: 0, type: 'info', f: 'write', value: 2 } as RegisterEvent, invoke(1, 'read', null), ok(1, 'read', 2), invoke(1, 'read', null), ok(1, 'read', 1)];
    assert.deepEqual(checkRegular(unknown), []);
    const failed = [invoke(0, 'write', 1), { process: 0, type: 'fail', f: 'write', value: 1 } as RegisterEvent, invoke(1, 'read', null), ok(1, 'read', 1)];
    assert.equal(checkRegular(failed).length, 1);
  });

  it('rejects malformed histories instead of judging them', () => {
    assert.throws(() => checkRegular([ok(1, 'read', 1)]), /without a call/);
    assert.throws(() => checkRegular([invoke(1, 'read', null), invoke(1, 'read', null)]), /invoked twice/);
    assert.throws(() => checkRegular([invoke(0, 'write', 1), ok(0, 'write', 1), invoke(1, 'write', 2), ok(1, 'write', 2)]), /one writer/);
  });
});

/** The definition, read literally: every read against every write (quadratic; the reference for the indexed checker). */
function referenceViolations(history: readonly RegisterEvent[]): { index: number; allowed: unknown[] }[] {
  const open = new Map<number, { f: string; value: unknown; invoked: number; returned: number; outcome: string; result: unknown }>();
  const all: { f: string; value: unknown; invoked: number; returned: number; outcome: string; result: unknown }[] = [];
  history.forEach((event, index) => {
    if (event.type === 'invoke') {
      const call = { f: event.f, value: event.value, invoked: index, returned: Infinity, outcome: 'pending', result: undefined as unknown };
      open.set(event.process, call);
      all.push(call);
      return;
    }
    const call = open.get(event.process)!;
    open.delete(event.process);
    call.outcome = event.type;
    call.result = event.value;
    if (event.type !== 'info') call.returned = index;
  });
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const writes = all.filter((call) => call.f === 'write' && call.outcome !== 'fail');
  const found: { index: number; allowed: unknown[] }[] = [];
  for (const read of all) {
    if (read.f !== 'read' || read.outcome !== 'ok') continue;
    let last: unknown = null;
    const concurrent: unknown[] = [];
    for (const write of writes) {
      if (write.returned < read.invoked) last = write.value;
      else if (write.invoked < read.returned) concurrent.push(write.value);
    }
    const allowed = [last, ...concurrent];
    if (!allowed.some((value) => same(value, read.result))) found.push({ index: read.returned, allowed });
  }
  return found;
}

/** A random history of one writer (p0) and readers, with repeated values, failed and unknown-outcome writes, and open calls at the end. */
function randomRegisterHistory(random: TestRandom): RegisterEvent[] {
  const processes = 2 + random.below(3);
  const open: (RegisterEvent | undefined)[] = new Array(processes).fill(undefined);
  const history: RegisterEvent[] = [];
  const length = 4 + random.below(40);
  let latest: unknown = null;
  for (let step = 0; step < length; step++) {
    const process = random.below(processes);
    const call = open[process];
    if (call === undefined) {
      const event: RegisterEvent = process === 0 ? invoke(0, 'write', random.below(4)) : invoke(process, 'read', null);
      if (process === 0) latest = event.value;
      open[process] = event;
      history.push(event);
    } else {
      open[process] = undefined;
      if (call.f === 'write') {
        const outcome = random.below(8);
        history.push({ process, type: outcome === 0 ? 'fail' : outcome === 1 ? 'info' : 'ok', f: 'write', value: call.value });
      } else {
        // Mostly the latest value called for, so that many histories are regular.
        const value = random.below(5);
        history.push(ok(process, 'read', random.chance(0.8) ? latest : value === 4 ? null : value));
      }
    }
  }
  return history;
}

describe('regularity checker against the definition read literally', () => {
  it('finds the same violations, with the same allowed values, on random histories', () => {
    const random = new TestRandom(12);
    let violating = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const history = randomRegisterHistory(random);
      const expected = referenceViolations(history);
      const actual = checkRegular(history).map((violation) => ({ index: violation.index, allowed: violation.allowed }));
      assert.deepEqual(actual, expected, `trial ${trial}: ${JSON.stringify(history)}`);
      if (expected.length > 0) violating++;
    }
    // Both kinds must be well represented, or the comparison proves little.
    assert.ok(violating > 300 && violating < 2700, `${violating} of 3000 random histories violate regularity`);
  });
});
