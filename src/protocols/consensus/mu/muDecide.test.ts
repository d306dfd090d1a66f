import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adoptAt, advanceCommit, aliveAfter, appliable, catchUpRange, copyToWrite, heldEntry, knownCommitPoint, leaderOf, nextScore, settlePlan } from './muDecide.js';
import type { OpenedEntry } from './muEntry.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const entry = (accepted: bigint, fuo: number, value: number): OpenedEntry => ({ kind: 'entry', accepted, fuo, payload: bytes(value) });
const empty: OpenedEntry = { kind: 'empty' };
const torn: OpenedEntry = { kind: 'torn' };
const gap = bytes(0);

describe('Mu decisions', () => {
  it('a replica holds the valid copy with the higher accepted proposal; a torn or stale copy is nothing accepted', () => {
    assert.deepEqual(heldEntry([entry(3n, 0, 7), entry(5n, 0, 7)]), { entry: entry(5n, 0, 7), copy: 1 });
    assert.deepEqual(heldEntry([entry(5n, 0, 7), entry(3n, 0, 9)]), { entry: entry(5n, 0, 7), copy: 0 });
    assert.deepEqual(heldEntry([torn, entry(3n, 0, 7)]), { entry: entry(3n, 0, 7), copy: 1 }, 'a write cut short over the other copy leaves the entry');
    assert.deepEqual(heldEntry([entry(3n, 0, 7), torn]), { entry: entry(3n, 0, 7), copy: 0 });
    assert.deepEqual(heldEntry([torn, empty]), { entry: empty, copy: undefined });
    assert.deepEqual(heldEntry([empty, empty]), { entry: empty, copy: undefined });
  });

  it('a leader never writes over the copy holding the replica’s entry', () => {
    assert.equal(copyToWrite(0), 1);
    assert.equal(copyToWrite(1), 0);
    assert.equal(copyToWrite(undefined), 0);
  });

  it('the commit point is the highest FUO a majority reported', () => {
    assert.equal(knownCommitPoint([3, 7, 5]), 7);
    assert.equal(knownCommitPoint([]), 0);
  });

  it('catch-up stops at the commit point; the mutant copies the leader’s whole log', () => {
    assert.deepEqual(catchUpRange(2, 5, 9), { from: 2, to: 5 });
    assert.deepEqual(catchUpRange(6, 5, 9), { from: 5, to: 5 }, 'a follower ahead of the commit point gets nothing');
    assert.deepEqual(catchUpRange(2, 5, 9, true), { from: 2, to: 9 });
  });

  it('adopts the highest accepted entry of a slot, never a torn one', () => {
    assert.deepEqual(adoptAt([entry(2n, 0, 20), entry(5n, 0, 50), empty]), entry(5n, 0, 50));
    assert.equal(adoptAt([empty, torn]), undefined);
  });

  it('settles every slot up to the last one any view holds, filling holes; the no-adopt mutant settles nothing', () => {
    const views = [
      [entry(2n, 0, 20), empty, entry(2n, 0, 22)],
      [entry(4n, 0, 40), empty],
    ];
    assert.deepEqual(settlePlan(views, 10, gap), [
      { index: 10, payload: bytes(40) },
      { index: 11, payload: gap },
      { index: 12, payload: bytes(22) },
    ]);
    assert.deepEqual(settlePlan([[empty], [empty]], 3, gap), []);
    assert.deepEqual(settlePlan(views, 10, gap, false), []);
  });

  it('commits in order: the FUO stops at the first entry short of a majority', () => {
    const acks = [3, 2, 1, 3];
    assert.equal(advanceCommit(0, (index) => acks[index], 4, 2), 2);
    assert.equal(advanceCommit(2, (index) => acks[index], 4, 2), 2);
    assert.equal(advanceCommit(0, (index) => acks[index], 1, 2), 1, 'never past the end');
  });

  it('a replica applies whole entries below the highest FUO it holds, stopping at a torn or empty slot', () => {
    assert.equal(appliable([entry(1n, 0, 1), entry(1n, 1, 2), entry(1n, 2, 3)], 0, 0), 2, 'the last entry waits for the next one’s FUO');
    assert.equal(appliable([entry(1n, 0, 1), entry(1n, 0, 2)], 0, 2), 2, 'or for the header’s FUO');
    assert.equal(appliable([entry(1n, 4, 1), torn, entry(1n, 4, 3)], 0, 0), 1);
    assert.equal(appliable([entry(1n, 6, 5), entry(1n, 6, 6)], 4, 0), 2, 'from the applied point');
    assert.equal(appliable([empty, entry(1n, 9, 2)], 0, 0), 0);
  });

  it('scores: a stalled counter fails a replica, a moving one brings it back past the higher threshold', () => {
    const thresholds = { max: 6, failed: 2, recovered: 4 };
    let score = 6;
    let alive = true;
    const steps: boolean[] = [];
    for (const moved of [false, false, false, false, true, true, true]) {
      score = nextScore(score, moved, thresholds);
      alive = aliveAfter(score, alive, thresholds);
      steps.push(alive);
    }
    assert.deepEqual(steps, [true, true, true, false, false, true, true]);
  });

  it('the leader is the lowest-id replica considered alive, and a replica trusts itself', () => {
    assert.equal(leaderOf([false, true, true], 2), 1);
    assert.equal(leaderOf([false, false, false], 2), 2);
    assert.equal(leaderOf([true, true, true], 2), 0);
  });
});
