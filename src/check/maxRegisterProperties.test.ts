import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkMaxRegisterProperties, type MaxRegisterEvent } from './maxRegisterProperties.js';
import { checkLinearizability } from './linearizability.js';
import { pairOperations } from './pairing.js';
import { maxRegister } from './models/maxRegister.js';

const invoke = (process: number, f: string, value: unknown): MaxRegisterEvent => ({ process, type: 'invoke', f, value });
const ok = (process: number, f: string, value: unknown): MaxRegisterEvent => ({ process, type: 'ok', f, value });
const properties = (history: MaxRegisterEvent[]) => checkMaxRegisterProperties(history).map((violation) => violation.property);

describe('max register properties (validity, read-read and write-read monotonicity)', () => {
  it('passes a history that keeps all three', () => {
    const history = [invoke(0, 'write', 5), invoke(1, 'read', null), ok(1, 'read', 0), ok(0, 'write', 5), invoke(1, 'read', null), ok(1, 'read', 5), invoke(2, 'read', null), ok(2, 'read', 5)];
    assert.deepEqual(checkMaxRegisterProperties(history), []);
  });

  it('validity: a read returns a value nobody wrote (or whose write began only after it)', () => {
    assert.deepEqual(properties([invoke(1, 'read', null), ok(1, 'read', 7)]), ['validity']);
    assert.deepEqual(properties([invoke(1, 'read', null), ok(1, 'read', 7), invoke(0, 'write', 7), ok(0, 'write', 7)]), ['validity']);
    assert.deepEqual(properties([invoke(1, 'read', null), ok(1, 'read', 'garbled:00')]), ['validity']);
  });

  it('read-read monotonicity: a later read returns less than an earlier one returned', () => {
    const history = [invoke(0, 'write', 9), invoke(1, 'read', null), ok(1, 'read', 9), invoke(2, 'read', null), ok(2, 'read', 0)];
    assert.deepEqual(properties(history), ['read-read monotonicity']);
  });

  it('write-read monotonicity: a read after write(v) returned returns less than v', () => {
    const history = [invoke(0, 'write', 3), ok(0, 'write', 3), invoke(0, 'write', 8), ok(0, 'write', 8), invoke(1, 'read', null), ok(1, 'read', 3)];
    assert.deepEqual(checkMaxRegisterProperties(history).map((violation) => [violation.property, violation.calls]), [['write-read monotonicity', [4, 2]]]);
  });

  it('an unknown-outcome write makes its value valid but obliges nobody', () => {
    const history: MaxRegisterEvent[] = [invoke(0, 'write', 4), { process: 0, type: 'info', f: 'write', value: 4 }, invoke(1, 'read', null), ok(1, 'read', 4), invoke(1, 'read', null), ok(1, 'read', 4), invoke(2, 'read', null), ok(2, 'read', 4)];
    assert.deepEqual(checkMaxRegisterProperties(history), []);
    assert.deepEqual(properties([invoke(0, 'write', 4), { process: 0, type: 'fail', f: 'write', value: 4 }, invoke(1, 'read', null), ok(1, 'read', 4)]), ['validity']);
  });

  it("keeps the spec's torn-read history that the max-register linearizability model refuses (swarm.md §2)", () => {
    // B raises 2 → 4 and returns; then A raises 1 → 3; a read concurrent with both read B's buffer early and A's late: 3.
    const history = [
      invoke(2, 'read', null),
      invoke(1, 'write', 2), ok(1, 'write', 2), invoke(0, 'write', 1), ok(0, 'write', 1),
      invoke(1, 'write', 4), ok(1, 'write', 4), invoke(0, 'write', 3), ok(0, 'write', 3),
      ok(2, 'read', 3),
    ];
    assert.deepEqual(checkMaxRegisterProperties(history), []);
    const lines = history.map((event, index) => ({ ...event, value: event.value as number | null, line: index + 1 }));
    assert.equal(checkLinearizability(pairOperations(lines), maxRegister).verdict, 'not-linearizable');
  });
});
