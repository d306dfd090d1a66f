import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Signer, runKeys } from '../../../crypto/index.js';
import { StateTransfer } from './stateTransfer.js';
import type { CheckpointMutant } from './checkpoints.js';
import type { CheckpointCertificate, Snapshot } from './messages.js';
import { snapshotDigest } from './stateCodec.js';
import type { Quorum } from './viewChange.js';

const quorum: Quorum = { f: 1, n: 3, window: 8 };
const keys = runKeys(33);
const signers = [0, 1, 2].map((id) => new Signer(id, keys, 3));
const verify = signers[1].verify.bind(signers[1]);

function snapshotAt(next: number): Snapshot {
  return { pairs: [['x', String(next)]], clients: [{ client: 3, last: next, result: new Uint8Array() }] };
}

function cpAt(next: number, by: number[]): CheckpointCertificate {
  const digest = snapshotDigest(snapshotAt(next));
  return { next, digest, shares: by.map((signer) => ({ signer, signature: signers[signer].sign({ purpose: 'checkpoint', next, digest }) })) };
}

describe('bft state transfer, one replica\'s side (§2.7)', () => {
  it('keeps the snapshots from N up to what it executed, FETCHes only while behind, and moves only forward', () => {
    const transfer = new StateTransfer(1, quorum, verify);
    for (const next of [4, 8]) transfer.keep(next, snapshotAt(next));
    transfer.held(4);
    assert.deepEqual(transfer.snapshotPoints(), [4, 8]);
    assert.equal(transfer.fetchFor(cpAt(4, [0, 2]), 7), null, 'executed+1 = 8 is past CP(4)');
    const sent = transfer.fetchFor(cpAt(16, [0, 2]), 7);
    assert.deepEqual([sent?.target, sent?.checkpoint.next], [0, 16]);
    assert.equal(transfer.fetching, true);
    assert.equal(transfer.tick(7)?.target, 2, 'Tfetch: the next signer');
    const decision = transfer.judge(2, cpAt(16, [0, 2]), snapshotAt(16), 7);
    assert.deepEqual(decision, { install: true, executed: 15, skip: { from: 8, to: 15 } });
    transfer.installed(16, snapshotAt(16));
    assert.equal(transfer.fetching, false);
    assert.deepEqual(transfer.snapshotPoints(), [16]);
    assert.equal(transfer.judge(2, cpAt(16, [0, 2]), snapshotAt(16), 15).install, false, 'no FETCH outstanding any more');
  });

  it('answers a FETCH with STATE for the newest CP held when kept, else HAVE-CP', () => {
    const transfer = new StateTransfer(0, quorum, verify);
    transfer.keep(4, snapshotAt(4));
    transfer.keep(8, snapshotAt(8));
    assert.equal(transfer.answer(cpAt(4, [0, 2]), cpAt(8, [0, 1])).type, 'state');
    assert.deepEqual([transfer.answer(cpAt(4, [0, 2]), cpAt(12, [1, 2])).type, transfer.answer(cpAt(4, [0, 2]), cpAt(12, [1, 2])).checkpoint.next], ['have-cp', 12]);
  });

  /**
   * §6's interleaving for `hold-only-snapshot` (n = 3, W = 8, b = p2): b
   * hash-swaps p1 (p1 falls behind), and CKPT-SHAREs 8 to p1 only, so p1
   * holds CP(8) = {p0, b} while p0's newest CP is 4; p0 runs 8–11 (its
   * snapshot at 12 is taken, CP(12) not yet). p1 FETCHes 8 from p0, then
   * from b, who is silent.
   */
  it('mutant hold-only-snapshot: p0 keeps only its newest snapshot, answers HAVE-CP(8), and p1 never catches up (b silent)', () => {
    const run = (mutant?: CheckpointMutant) => {
      const p0 = new StateTransfer(0, quorum, verify, mutant);
      p0.held(4);
      for (const next of [4, 8, 12]) p0.keep(next, snapshotAt(next));
      const p1 = new StateTransfer(1, quorum, verify, mutant);
      const cp8 = cpAt(8, [0, 2]);
      let executed = 3;
      // p1 FETCHes at once, then every Tfetch the next signer, rotating: p0, b, p0, b, …; b never answers.
      let sent = p1.fetchFor(cp8, executed);
      for (let round = 0; round < 6 && sent; round++) {
        if (sent.target === 0) {
          const answer = p0.answer(sent.checkpoint, cpAt(4, [0, 1]));
          if (answer.type === 'state') {
            const decision = p1.judge(0, answer.checkpoint, answer.snapshot, executed);
            if (decision.install) {
              executed = decision.executed;
              p1.installed(answer.checkpoint.next, answer.snapshot);
            }
          }
        }
        sent = p1.tick(executed);
      }
      return executed;
    };
    assert.equal(run(), 7, 'correct: p0 kept snapshot 8 (≥ N = 4), p1 installs CP(8)');
    assert.equal(run('hold-only-snapshot'), 3, 'mutant: only snapshot 12 is kept, p1 stays at 3');
  });
});
