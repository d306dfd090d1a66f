import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { phaseOneReady } from './readiness.js';

const empty = new Uint8Array(0);
const value = new Uint8Array([1, 2, 3]);

describe("PMP's straggler rule: is a memory's phase 1 ready for phase 2", () => {
  it('yes when the slots show nothing above the ballot', () => {
    assert.equal(phaseOneReady([{ proposal: 4n, accepted: 0n, value: empty }, { proposal: 0n, accepted: 0n, value: empty }], 4n), true);
    assert.equal(phaseOneReady([{ proposal: 4n, accepted: 1n, value }], 4n), true);
  });

  it('no when another proposal is higher (a later leader prepared there)', () => {
    assert.equal(phaseOneReady([{ proposal: 4n, accepted: 0n, value: empty }, { proposal: 6n, accepted: 0n, value: empty }], 4n), false);
  });

  it('no when a higher ballot accepted there (it may have decided: the audit straggler)', () => {
    // p2 decided 102 with ballot 6 on {m1, m2}; p0's ballot-4 grant on m2 lands late.
    assert.equal(phaseOneReady([{ proposal: 4n, accepted: 0n, value: empty }, { proposal: 0n, accepted: 0n, value: empty }, { proposal: 6n, accepted: 6n, value }], 4n), false);
  });
});
