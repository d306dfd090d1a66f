import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Signer, runKeys } from '../../../crypto/index.js';
import { SealingState } from './sealing.js';
import { leaderOf, shouldEnterView, VcCertificateCollector, vcShareTargets, vcStateStatement, type Quorum } from './viewChange.js';
import { fixedHashAt, planNewView, validateNewView } from './newView.js';
import { viewTimerTarget } from './viewTimers.js';
import type { Batch, CommitEntry, VcShareMessage, VcState } from './messages.js';
import { hash } from './stateCodec.js';

/**
 * One whole view change through the pure modules, the way a replica shell
 * would drive them (§2.5, §2.6): p0 leads view 0, instances 0–2 are decided
 * fast, p0 crashes, p1 and p2 seal 0, certify each other's states, p1 builds
 * NEW_VIEW(1), p2 validates it and enters view 1 with 0–2 fixed.
 */
describe('bft view change end to end through the pure modules (§2.5, §2.6, §4 L3)', () => {
  const quorum: Quorum = { f: 1, n: 3, window: 8 };
  const keys = runKeys(5);
  const signers = [0, 1, 2].map((id) => new Signer(id, keys, 3));
  const verifyAt = (self: number) => {
    const signer = signers[self];
    return signer.verify.bind(signer);
  };
  const batches: Batch[] = [0, 1, 2].map((i) => [{ client: 1, sequence: i + 1, op: new Uint8Array([i]), signature: new Uint8Array(64) }]);
  const hashes = batches.map((_, i) => hash(new Uint8Array([0xb0, i])));
  const emptyBatch = { hash: hash(new Uint8Array(4)), batch: [] as Batch };

  it('seals with F = fc[0], certifies at SEAL(0), and fixes every fast decision in NEW_VIEW(1)', () => {
    // View 0: p1 and p2 sent COMMIT-FAST at 0–2 (p0 decided all three on their COMMIT-FASTs), then p0 crashed.
    const sealing = [1, 2].map(() => new SealingState({ f: quorum.f }));
    for (const state of sealing) for (const i of [0, 1, 2]) assert.equal(state.fastCommit(0, i), true);

    // Treq expires at both: a suspicion in view 0.
    const streams = new Map<number, CommitEntry[]>();
    const latestSeals = [-1, -1, -1];
    [1, 2].forEach((process, index) => {
      const state = sealing[index];
      assert.equal(state.trigger({ kind: 'suspicion', view: 0, reason: 'treq' }), 0);
      const commits: CommitEntry[] = [];
      for (;;) {
        const step = state.readyToSeal();
        if (step.action === 'wait') {
          // SHAREs go out; with p1's and p2's the PC forms, so each COMMITs in its stream (epoch rule holds).
          for (const i of step.obligations) {
            assert.equal(state.mayWriteInView(0), true);
            commits.push({ instance: i, view: 0, hash: hashes[i] });
            state.committed(0, i);
          }
        } else if (step.action === 'seal') {
          state.sealWritten(step.view);
          latestSeals[process] = step.view;
          break;
        } else {
          assert.fail(`unexpected step ${step.action}`);
        }
      }
      streams.set(process, commits);
    });
    assert.equal(viewTimerTarget(latestSeals, 1, quorum.f), 1, 'f+1 SEALs ≥ 0: Tview(1) runs at p1');

    // Every live replica processes each SEAL(0) (a = −1) and sends a VC-SHARE to leader(1).
    const collector = new VcCertificateCollector(1, quorum, verifyAt(1));
    collector.advance(sealing[0].timerView());
    for (const process of [1, 2]) {
      const state: VcState = { checkpointNext: 0, checkpointDigest: new Uint8Array(32), commits: streams.get(process)! };
      const targets = vcShareTargets(-1, 0, quorum.n);
      assert.deepEqual(targets, [{ view: 1, leader: 1 }]);
      for (const sender of [1, 2]) {
        const share: VcShareMessage = { type: 'vc-share', process, sealedBefore: -1, sealed: 0, state, checkpoint: null, signature: signers[sender].sign(vcStateStatement(process, -1, 0, state)) };
        collector.add(sender, share);
      }
    }

    const plan = planNewView(
      { self: 1, view: 1, latestSeal: 0, certified: collector.forView(1), checkpoints: [], batchFor: (h) => batches[hashes.findIndex((x) => Buffer.from(x).equals(Buffer.from(h)))], emptyBatch },
      quorum,
    );
    assert.equal(plan.status, 'ready');
    if (plan.status !== 'ready') return;
    assert.deepEqual(plan.batches, batches, 'the leader re-proposes the three decided batches');

    // p2 reads NEW_VIEW(1) in p1's stream.
    const verdict = validateNewView(leaderOf(1, 3), plan.message, quorum, verifyAt(2));
    assert.deepEqual(verdict, { valid: true });
    for (const i of [0, 1, 2]) assert.deepEqual(fixedHashAt(plan.fixed, i), hashes[i], `instance ${i} keeps its decision`);
    assert.equal(sealing[1].trigger({ kind: 'new-view', view: 1 }), null, 'p2 sealed 0 already');
    assert.equal(shouldEnterView(sealing[1].status.sealed, 1, true), true);
    assert.equal(sealing[1].enter(1), true);
    assert.equal(sealing[1].isLive(1), true);
    assert.equal(sealing[1].timerView(), 1);
  });
});
