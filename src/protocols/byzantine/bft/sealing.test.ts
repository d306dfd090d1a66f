import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isWastedFreshBatch, sealQuorumView, SealingState, type SealingMutant } from './sealing.js';
import { fixedBatches, fixedHashAt } from './newView.js';
import type { CertifiedState, CommitEntry } from './messages.js';
import { hash } from './stateCodec.js';

const h = (label: string): Uint8Array => hash(new TextEncoder().encode(label));
const emptyBatchHash = h('empty batch');
const zero = new Uint8Array(32);

/** A state as fixedBatches reads it (no signatures needed: validity is newView.test's subject). */
function stateOf(process: number, commits: CommitEntry[]): CertifiedState {
  return { process, sealedBefore: -1, sealed: 0, state: { checkpointNext: 0, checkpointDigest: zero, commits }, certificate: [] };
}

/** Drives r's sealing to its SEAL the way a correct shell does: COMMIT each obligation (a PC being at hand), CHECKPOINT, SEAL. */
function sealToEnd(sealing: SealingState, view: number): { commits: number[]; checkpoints: number[]; sealed: number } {
  const commits: number[] = [];
  const checkpoints: number[] = [];
  for (;;) {
    const step = sealing.readyToSeal();
    if (step.action === 'wait') {
      for (const instance of step.obligations) {
        sealing.committed(view, instance);
        commits.push(instance);
      }
    } else if (step.action === 'checkpoint') {
      sealing.checkpointed(step.next);
      checkpoints.push(step.next);
    } else if (step.action === 'seal') {
      sealing.sealWritten(step.view);
      return { commits, checkpoints, sealed: step.view };
    } else {
      throw new Error('nothing to seal');
    }
  }
}

describe('bft sealing triggers (§2.5.1)', () => {
  it('a suspicion in view v seals v, but only while r is in v', () => {
    const sealing = new SealingState({ f: 1 });
    assert.equal(sealing.trigger({ kind: 'suspicion', view: 1, reason: 'treq' }), null, 'r is in 0, not 1');
    assert.equal(sealing.trigger({ kind: 'suspicion', view: 0, reason: 'tdecide' }), 0);
    assert.equal(sealing.trigger({ kind: 'suspicion', view: 0, reason: 'treq' }), null, 'already sealing 0');
    assert.equal(sealing.isLive(0), false, 'nothing of a view ≤ u is live from the trigger on');
  });

  it('f+1 latest SEALs ≥ u > sealed(r) seal the largest such u', () => {
    assert.equal(sealQuorumView([3, -1, 7], 1), 3);
    assert.equal(sealQuorumView([3, 9, 7], 1), 7);
    assert.equal(sealQuorumView([9, -1, -1, -1, -1], 2), -1, 'one Byzantine replica sealing high moves no one');
    assert.equal(sealQuorumView([4, 4, 1, 9, -1], 2), 4);
    const sealing = new SealingState({ f: 1 });
    assert.equal(sealing.trigger({ kind: 'seals', latestSeals: [-1, 5, -1] }), null, 'f SEALs are not enough');
    assert.equal(sealing.trigger({ kind: 'seals', latestSeals: [-1, 5, 2] }), 2);
    assert.equal(sealing.trigger({ kind: 'seals', latestSeals: [-1, 5, 4] }), 4, 'a later trigger raises u');
    assert.equal(sealing.trigger({ kind: 'seals', latestSeals: [-1, 5, 3] }), null, 'never lowers it');
  });

  it('a valid NEW_VIEW(w) with w−1 > sealed(r) seals w−1; Tview(u+1) seals u+1', () => {
    const sealing = new SealingState({ f: 1 });
    assert.equal(sealing.trigger({ kind: 'new-view', view: 3 }), 2);
    assert.deepEqual(sealToEnd(sealing, 0), { commits: [], checkpoints: [], sealed: 2 });
    assert.equal(sealing.trigger({ kind: 'new-view', view: 3 }), null, 'w−1 = sealed(r): enter instead');
    sealing.enter(3);
    assert.equal(sealing.status.inView, true);
    assert.equal(sealing.trigger({ kind: 'tview', view: 4 }), 4);
    assert.equal(sealing.status.sealing, 4);
  });

  it('a fresh batch executing with all (c, s) skipped is a suspicion; a fixed one is not', () => {
    assert.equal(isWastedFreshBatch(5, 4, 0), true);
    assert.equal(isWastedFreshBatch(5, 4, 1), false);
    assert.equal(isWastedFreshBatch(4, 4, 0), false, 'fixed batches (i ≤ end) may be empty');
  });
});

describe('bft sealing obligations F (§2.5.2) and SEAL (§2.5.3)', () => {
  it('F = fc[v] minus COMMITs written minus instances covered by a CP held; SEAL waits for F empty', () => {
    const sealing = new SealingState({ f: 1 });
    for (const i of [2, 3, 5, 9]) assert.equal(sealing.fastCommit(0, i), true);
    sealing.committed(0, 3);
    sealing.covered(4);
    sealing.trigger({ kind: 'suspicion', view: 0, reason: 'tdecide' });
    assert.deepEqual(sealing.readyToSeal(), { action: 'wait', obligations: [5, 9] });
    sealing.committed(0, 5);
    assert.deepEqual(sealing.readyToSeal(), { action: 'wait', obligations: [9] });
    sealing.covered(12);
    assert.deepEqual(sealing.readyToSeal(), { action: 'checkpoint', next: 12 }, 'F empty: CHECKPOINT the newest CP first');
    assert.throws(() => sealing.sealWritten(-1), RangeError);
    sealing.checkpointed(12);
    assert.deepEqual(sealing.readyToSeal(), { action: 'seal', view: 0 });
  });

  it('SEAL may not be written with F unsettled', () => {
    const sealing = new SealingState({ f: 1 });
    sealing.fastCommit(0, 1);
    sealing.trigger({ kind: 'suspicion', view: 0, reason: 'treq' });
    assert.throws(() => sealing.sealWritten(0), /unsettled/);
  });

  it('no COMMIT-FAST, no fc growth after the trigger; a raised u keeps F; after SEAL(u) no write of a view ≤ u', () => {
    const sealing = new SealingState({ f: 1 });
    sealing.fastCommit(0, 0);
    sealing.trigger({ kind: 'suspicion', view: 0, reason: 'treq' });
    assert.equal(sealing.fastCommit(0, 1), false);
    assert.equal(sealing.trigger({ kind: 'tview', view: 2 }), 2);
    assert.deepEqual(sealing.readyToSeal(), { action: 'wait', obligations: [0] }, 'raising u keeps F');
    assert.equal(sealing.mayWriteInView(0), true, 'COMMITs of view 0 may still be written while sealing');
    sealing.committed(0, 0);
    assert.deepEqual(sealing.readyToSeal(), { action: 'seal', view: 2 });
    sealing.sealWritten(2);
    assert.equal(sealing.mayWriteInView(0), false);
    assert.equal(sealing.mayWriteInView(3), true, 'only NEW_VIEW(3) onwards');
    assert.deepEqual(sealing.readyToSeal(), { action: 'none' });
  });

  it('entering w needs latest SEAL w−1; a trigger already past w−1 keeps r out of w', () => {
    const sealing = new SealingState({ f: 1 });
    assert.throws(() => sealing.enter(2), RangeError);
    sealing.trigger({ kind: 'suspicion', view: 0, reason: 'treq' });
    sealToEnd(sealing, 0);
    sealing.trigger({ kind: 'tview', view: 1 });
    assert.equal(sealing.enter(1), false, 'sealing 1 already: nothing of 1 may be live');
    assert.equal(sealing.isLive(1), false);
    assert.equal(sealing.timerView(), 1);
    sealToEnd(sealing, 1);
    assert.equal(sealing.timerView(), 2, 'after SEAL(u): u+1');
    assert.equal(sealing.enter(2), true);
    assert.equal(sealing.timerView(), 2);
    assert.equal(sealing.isLive(2), true);
  });

  it('mutant certify-if-decided (§6): b\'s COMMIT-FAST reaches p0 only; p0 decides A at 0 and pauses; NEW_VIEW(1) from {p1, b}', () => {
    // n = 3, b = p2. p1 sent COMMIT-FAST(0, 0, A) (fc[0] = {0}) but never got b's, so p1 did not decide.
    const run = (mutant?: SealingMutant) => {
      const p1 = new SealingState({ f: 1, mutant });
      p1.fastCommit(0, 0);
      p1.trigger({ kind: 'suspicion', view: 0, reason: 'tdecide' });
      const trace = sealToEnd(p1, 0);
      const p1Commits: CommitEntry[] = trace.commits.map((instance) => ({ instance, view: 0, hash: h('A') }));
      // b's certified state is its stream's: it wrote no COMMIT. The NEW_VIEW fixes only what the states carry.
      const fixed = fixedBatches({ checkpoint: null, states: [stateOf(1, p1Commits), stateOf(2, [])] }, emptyBatchHash);
      return { trace, fixedAt0: fixedHashAt(fixed, 0) };
    };
    const correct = run();
    assert.deepEqual(correct.trace.commits, [0], 'p1 COMMITs A at 0 before sealing');
    assert.deepEqual(correct.fixedAt0, h('A'), 'view 1 re-proposes A: agreement with p0 kept');
    const mutant = run('certify-if-decided');
    assert.deepEqual(mutant.trace.commits, [], 'F = decided ones = {}: p1 seals at once');
    assert.equal(mutant.fixedAt0, undefined, 'NEW_VIEW(1) fixes nothing at 0: view 1 may decide another batch where p0 decided A');
  });

  it('mutant seal-late (§6): 0–2 fast; p1 triggers, then COMMIT-FASTs A at 3, b to p0 only; p0 decides; NEW_VIEW(1) from {p1, b} ends at 2', () => {
    const run = (mutant?: SealingMutant) => {
      const p1 = new SealingState({ f: 1, mutant });
      for (const i of [0, 1, 2]) p1.fastCommit(0, i);
      p1.trigger({ kind: 'suspicion', view: 0, reason: 'treq' });
      const sentCommitFastAt3 = p1.fastCommit(0, 3);
      const trace = sealToEnd(p1, 0);
      const commits: CommitEntry[] = trace.commits.map((instance) => ({ instance, view: 0, hash: h(`batch ${instance}`) }));
      const fixed = fixedBatches({ checkpoint: null, states: [stateOf(1, commits), stateOf(2, [])] }, emptyBatchHash);
      return { sentCommitFastAt3, fixed };
    };
    const correct = run();
    assert.equal(correct.sentCommitFastAt3, false, 'after its trigger p1 sends no COMMIT-FAST, so p0 cannot gather n for (0, 3)');
    const mutant = run('seal-late');
    assert.equal(mutant.sentCommitFastAt3, true, 'live until SEAL: p1 COMMIT-FASTs 3, p0 decides A there');
    assert.equal(mutant.fixed.end, 2, 'yet F was taken before: p1 seals without COMMIT(0, 3), the NEW_VIEW ends at 2 and 3 is fresh');
  });
});
