import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adoptAt, advanceCommit, aliveAfter, appliable, catchUpRange, catchUpStart, copyToWrite, decidedAt, heldEntry, heldFuo, knownCommitPoint, leaderOf, nextScore, openAt, recycleLimit, settlePlan, snapshotNeed } from './muDecide.js';
import type { OpenedEntry, StoredEntry } from './muEntry.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const entry = (accepted: bigint, fuo: number, value: number): OpenedEntry => ({ kind: 'entry', accepted, fuo, payload: bytes(value) });
const empty: OpenedEntry = { kind: 'empty' };
const torn: OpenedEntry = { kind: 'torn' };
const gap = bytes(0);
/** A copy holding index `index`. */
const at = (index: number, accepted: bigint, fuo: number, value: number): StoredEntry => ({ kind: 'entry', index, accepted, fuo, payload: bytes(value) });
const tornCopy: StoredEntry = { kind: 'torn' };
const emptyCopy: StoredEntry = { kind: 'empty' };

describe('Mu decisions', () => {
  it('a replica holds the valid copy with the higher accepted proposal; a torn or stale copy is nothing accepted', () => {
    assert.deepEqual(heldEntry([at(4, 3n, 0, 7), at(4, 5n, 0, 7)]), { entry: at(4, 5n, 0, 7), copy: 1 });
    assert.deepEqual(heldEntry([at(4, 5n, 0, 7), at(4, 3n, 0, 9)]), { entry: at(4, 5n, 0, 7), copy: 0 });
    assert.deepEqual(heldEntry([tornCopy, at(4, 3n, 0, 7)]), { entry: at(4, 3n, 0, 7), copy: 1 }, 'a write cut short over the other copy leaves the entry');
    assert.deepEqual(heldEntry([at(4, 3n, 0, 7), tornCopy]), { entry: at(4, 3n, 0, 7), copy: 0 });
    assert.deepEqual(heldEntry([tornCopy, emptyCopy]), { entry: emptyCopy, copy: undefined });
    assert.deepEqual(heldEntry([emptyCopy, emptyCopy]), { entry: emptyCopy, copy: undefined });
  });

  it('a recycled slot holds the later lap, whatever the proposals; an index opens as its own entry, lapped, or empty', () => {
    assert.deepEqual(heldEntry([at(2, 9n, 0, 1), at(6, 3n, 3, 2)]), { entry: at(6, 3n, 3, 2), copy: 1 }, 'index 6 (slots = 4) replaced index 2');
    assert.deepEqual(heldEntry([at(6, 3n, 3, 2), tornCopy]), { entry: at(6, 3n, 3, 2), copy: 0 });
    assert.deepEqual(openAt(at(6, 3n, 3, 2), 6), entry(3n, 3, 2));
    assert.deepEqual(openAt(at(6, 3n, 3, 2), 2), { kind: 'lapped' }, 'index 2 was recycled here');
    assert.deepEqual(openAt(at(6, 3n, 3, 2), 10), empty, 'an earlier lap: nothing accepted at 10');
    assert.deepEqual(openAt(emptyCopy, 10), empty);
  });

  it('a log holds the highest FUO of its header and of its entries of every lap', () => {
    assert.equal(heldFuo(3, [at(6, 1n, 5, 0), tornCopy, at(7, 1n, 6, 0)]), 6);
    assert.equal(heldFuo(9, [at(6, 1n, 5, 0)]), 9);
    assert.equal(heldFuo(0, []), 0);
  });

  it('recycling waits for every replica considered alive and never for one considered failed; never past the commit point + slots', () => {
    // Leader p0 (applied 10), p1 applied 6, p2 applied 2.
    assert.equal(recycleLimit(10, [10, 6, 2], [true, true, true], 0, 4, 2), 6, 'p2 needs the slot of index 2 until it applied it');
    assert.equal(recycleLimit(10, [10, 6, 2], [true, true, false], 0, 4, 2), 10, 'p2 considered failed: not waited for');
    assert.equal(recycleLimit(10, [10, 6, undefined], [true, true, true], 0, 4, 2), 4, 'a replica never read counts as applied 0');
    assert.equal(recycleLimit(5, [9, 9, 9], [true, true, true], 0, 4, 2), 9, 'every entry carries a FUO above the index whose slot it takes');
    assert.equal(recycleLimit(10, [0, 6, 2], [false, true, true], 0, 4, 2), 4, 'the leader counts itself, whatever its detector says');
    assert.equal(recycleLimit(10, [3, 10, 3], [false, true, false], 1, 4, 2), 7, 'the others paused (considered failed): only a majority past an index frees its slot, so a leader alone waits (mu seed 134)');
    assert.equal(recycleLimit(10, [3, 10, 8, 3, 2], [false, true, true, false, false], 1, 4, 3), 7, 'n = 5: the third highest applied point');
  });

  it('catch-up starts at min(FUO, commit point), or jumps to what the leader still holds and raises the base there', () => {
    assert.deepEqual(catchUpStart(5, 0, 9, 0), { from: 5 });
    assert.deepEqual(catchUpStart(12, 0, 9, 3), { from: 9 });
    assert.deepEqual(catchUpStart(2, 0, 20, 14), { from: 14, base: 14 }, 'entries 2..13 were recycled here: jump');
    assert.deepEqual(catchUpStart(2, 16, 20, 14), { from: 14 }, 'the base never goes down');
  });

  it('a replica asks for a snapshot when its next index lies below its base or was recycled in its log', () => {
    assert.equal(snapshotNeed(3, 8, entry(1n, 0, 1), 9), 8);
    assert.equal(snapshotNeed(3, 0, { kind: 'lapped' }, 3), 4);
    assert.equal(snapshotNeed(3, 3, empty, 3), undefined, 'not written yet: wait');
    assert.equal(snapshotNeed(3, 0, entry(1n, 0, 1), 5), undefined);
    assert.equal(snapshotNeed(3, 0, empty, 5), 4, 'below a FUO and not whole: a write cut short for good');
  });

  it('the decided entry below the commit point: from a log holding a FUO above it, else adopted if no acceptance was recycled', () => {
    assert.deepEqual(decidedAt([entry(2n, 0, 20), entry(1n, 0, 10)], [3, 6], [0, 0], 4), entry(1n, 0, 10), 'the log whose FUO exceeds the index');
    assert.deepEqual(decidedAt([entry(1n, 0, 10), entry(2n, 0, 20)], [6, 0], [5, 0], 4), entry(2n, 0, 20), 'below its base a log proves nothing: adopted instead');
    assert.deepEqual(decidedAt([empty, entry(1n, 0, 10), entry(3n, 0, 30)], [6, 2, 1], [0, 0, 0], 4), entry(3n, 0, 30), 'torn where the FUO is: the highest accepted');
    assert.equal(decidedAt([{ kind: 'lapped' }, entry(1n, 0, 10)], [6, 2], [0, 0], 4), undefined, 'an acceptance may be gone: only a snapshot tells');
    assert.equal(decidedAt([empty, empty], [6, 2], [0, 0], 4), undefined);
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
