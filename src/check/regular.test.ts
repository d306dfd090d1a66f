import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkRegular, type RegisterEvent } from './regular.js';

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
