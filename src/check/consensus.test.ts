import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkConsensus, type ProposeEvent } from './consensus.js';

const propose = (process: number, input: number, decided?: number): ProposeEvent[] => [
  { process, type: 'invoke', f: 'propose', value: input },
  ...(decided === undefined ? [] : [{ process, type: 'ok' as const, f: 'propose', value: decided }]),
];

describe('consensus checks', () => {
  it('accept a run where everyone decides one proposed value', () => {
    assert.deepEqual(checkConsensus([...propose(0, 100, 101), ...propose(1, 101, 101), ...propose(2, 102)], []), []);
  });

  it('flag disagreement, invented values and double decisions', () => {
    assert.equal(checkConsensus([...propose(0, 100, 100), ...propose(1, 101, 101)], [])[0].property, 'agreement');
    assert.equal(checkConsensus([...propose(0, 100, 7)], [])[0].property, 'validity');
    const twice = checkConsensus(propose(0, 100, 100), [{ process: 0, kind: 'decide', detail: { value: 101 } }, ...[]]);
    assert.ok(twice.some((violation) => violation.property === 'integrity'));
    assert.ok(checkConsensus([...propose(0, 100, 100), { process: 0, type: 'ok', f: 'propose', value: 100 }], []).some((violation) => violation.property === 'integrity'));
  });

  it('count a decision seen only in notes (a process that crashed before returning)', () => {
    const violations = checkConsensus([...propose(0, 100, 100), ...propose(1, 101)], [{ process: 1, kind: 'decide', detail: { value: 101 } }]);
    assert.equal(violations[0].property, 'agreement');
  });
});

describe('consensus checks read notes through the event catalogue', () => {
  it('report a decision note that does not decode instead of skipping it', () => {
    const violations = checkConsensus(propose(0, 100, 100), [{ process: 1, kind: 'decide', detail: { ballot: 3 } }]);
    assert.deepEqual(violations.map((violation) => violation.property), ['event-format']);
    assert.match(violations[0].detail, /p1's 'decide' note at 0: 'value' is missing/);
  });

  it('report a field of the wrong type, and ignore kinds that are not decisions', () => {
    const violations = checkConsensus(propose(0, 100, 100), [{ process: 0, kind: 'learn', detail: { value: 100, from: 'p2' } }, { process: 0, kind: 'attempt', detail: {} }]);
    assert.deepEqual(violations.map((violation) => violation.detail), [`p0's 'learn' note at 0: 'from' is "p2", not a number`]);
  });
});
