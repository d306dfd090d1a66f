import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grantsOutOfOrder, type Grant } from './grantOrder.js';

const grant = (t: number, memory: number, proposal: bigint, region = 'mu-log'): Grant => ({ t, memory, region, process: Number(proposal % 3n), proposal });

describe('Mu grant order', () => {
  it('non-decreasing proposals per memory pass, equal ones too (a leader re-requesting)', () => {
    assert.deepEqual(grantsOutOfOrder([grant(1, 0, 2n), grant(2, 1, 5n), grant(3, 0, 5n), grant(4, 0, 5n), grant(5, 1, 7n)], 'mu-log'), []);
  });

  it('a late, lower grant on one memory is found, once per memory, and other regions are ignored', () => {
    const found = grantsOutOfOrder([grant(1, 0, 5n), grant(2, 1, 2n), grant(3, 0, 2n), grant(4, 0, 3n), grant(5, 1, 1n, 'other')], 'mu-log');
    assert.equal(found.length, 1);
    assert.equal(found[0].grant.t, 3);
    assert.equal(found[0].after.proposal, 5n);
  });
});
