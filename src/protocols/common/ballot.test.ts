import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ballotOwner, firstBallot, isPrePrepared, nextBallot } from './ballot.js';

describe('ballots', () => {
  it('are unique per process and strictly increasing', () => {
    const n = 3;
    const seen = new Set<bigint>();
    for (let process = 0; process < n; process++) {
      let ballot = firstBallot(process);
      for (let round = 0; round < 20; round++) {
        assert.equal(ballotOwner(ballot, n), process);
        assert.ok(!seen.has(ballot));
        seen.add(ballot);
        const next = nextBallot(process, n, ballot);
        assert.ok(next > ballot);
        ballot = next;
      }
    }
    assert.equal(nextBallot(1, 3, 7n), 8n);
    assert.equal(nextBallot(1, 3, 8n), 11n);
    assert.equal(nextBallot(2, 3, 0n), 3n);
    assert.ok(isPrePrepared(firstBallot(0)) && !isPrePrepared(firstBallot(1)));
  });
});
