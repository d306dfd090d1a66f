import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fastDecided, promisedByAll, sameHash, slotKey, slowDecided } from './quorums.js';

const h = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);

describe('bft quorums', () => {
  it('fast commit: PROMISE(acc) from every follower (the leader promised by its PREPARE)', () => {
    const promises = new Map([[1, h(1)], [2, h(1)]]);
    assert.equal(promisedByAll(promises, h(1), 0, 3), true);
    assert.equal(promisedByAll(new Map([[1, h(1)]]), h(1), 0, 3), false, 'one follower silent');
    assert.equal(promisedByAll(new Map([[1, h(1)], [2, h(2)]]), h(1), 0, 3), false, 'a promise for another batch');
    // The leader's own PROMISE, if a Byzantine one sent it, neither counts nor is needed.
    assert.equal(promisedByAll(new Map([[0, h(2)], [1, h(1)], [2, h(1)]]), h(1), 0, 3), true);
    assert.equal(promisedByAll(new Map([[0, h(1)], [2, h(1)]]), h(1), 1, 3), true, 'leader p1 of view 1');
  });

  it('fast decide: COMMIT-FAST(h) from all n, not f+1 (mutant fast-f+1)', () => {
    assert.equal(fastDecided(new Map([[0, h(1)], [1, h(1)], [2, h(1)]]), h(1), 3), true);
    assert.equal(fastDecided(new Map([[0, h(1)], [1, h(1)]]), h(1), 3), false);
    assert.equal(fastDecided(new Map([[0, h(1)], [1, h(1)], [2, h(2)]]), h(1), 3), false);
  });

  it('slow decide: valid COMMITs in f+1 distinct streams', () => {
    assert.equal(slowDecided(new Set([0]), 1), false);
    assert.equal(slowDecided(new Set([0, 2]), 1), true);
    assert.equal(slowDecided(new Set([0, 2]), 2), false);
  });

  it('compares hashes by bytes and keys (v, i) apart', () => {
    assert.equal(sameHash(h(1), h(1)), true);
    assert.equal(sameHash(h(1), h(2)), false);
    assert.equal(sameHash(h(1), new Uint8Array(31).fill(1)), false);
    assert.notEqual(slotKey(1, 23), slotKey(12, 3));
  });
});
