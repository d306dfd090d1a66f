import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Signer, runKeys } from '../../../crypto/index.js';
import {
  answerFetch,
  CheckpointShareCollector,
  checkpointShareAfter,
  FetchRotation,
  installDecision,
  isCheckpointPoint,
  needsFetch,
  newestCheckpoint,
  snapshotLimitBytes,
  SnapshotStore,
  snapshotVerdict,
  type CheckpointMutant,
} from './checkpoints.js';
import type { Quorum } from './viewChange.js';
import type { CheckpointCertificate, CheckpointShareMessage, Snapshot } from './messages.js';
import { snapshotDigest } from './stateCodec.js';

const quorum: Quorum = { f: 1, n: 3, window: 8 };
const keys = runKeys(27);
const signers = [0, 1, 2].map((id) => new Signer(id, keys, 3));
const checker = new Signer(0, keys, 3);
const verify = checker.verify.bind(checker);

/** The KV state after executing instances 0..executed, one put each: what every correct replica computes. */
function snapshotAfter(executed: number): Snapshot {
  return { pairs: [['x', String(executed)]], clients: [{ client: 7, last: executed + 1, result: new Uint8Array([executed & 0xff]) }] };
}

function shareOf(sender: number, next: number, snapshot = snapshotAfter(next - 1)): CheckpointShareMessage {
  const digest = snapshotDigest(snapshot);
  return { type: 'ckpt-share', next, digest, signature: signers[sender].sign({ purpose: 'checkpoint', next, digest }) };
}

function cpAt(next: number, by = [0, 1]): CheckpointCertificate {
  const digest = snapshotDigest(snapshotAfter(next - 1));
  return { next, digest, shares: by.map((signer) => ({ signer, signature: signers[signer].sign({ purpose: 'checkpoint', next, digest }) })) };
}

describe('bft checkpoints (§2.7.1)', () => {
  it('sends CKPT-SHARE(next, H(snapshot)) after executing next−1 with next ≡ 0 mod W/2', () => {
    assert.equal(checkpointShareAfter(2, snapshotAfter(2), 8), null);
    const share = checkpointShareAfter(3, snapshotAfter(3), 8);
    assert.deepEqual(share, { purpose: 'checkpoint', next: 4, digest: snapshotDigest(snapshotAfter(3)) });
    assert.equal(isCheckpointPoint(0, 8), false, 'CP(0) covers nothing');
    assert.equal(isCheckpointPoint(12, 8), true);
  });

  it('f+1 matching shares of distinct replicas make a CP; mismatched digests do not; a sender counts once per next', () => {
    const collector = new CheckpointShareCollector(quorum, verify);
    assert.equal(collector.add(0, shareOf(0, 4)).verdict, 'counted');
    assert.equal(collector.add(0, shareOf(0, 4)).verdict, 'duplicate');
    assert.equal(collector.add(2, shareOf(2, 4, snapshotAfter(99))).verdict, 'counted', 'another digest: another group');
    assert.equal(collector.add(2, shareOf(2, 4)).verdict, 'duplicate', 'p2 spoke for next 4 already');
    const made = collector.add(1, shareOf(1, 4));
    assert.equal(made.verdict, 'certified');
    assert.ok(made.checkpoint);
    assert.deepEqual(made.checkpoint.shares.map((s) => s.signer), [0, 1]);
    assert.equal(newestCheckpoint([null, made.checkpoint, cpAt(4)])?.next, 4);
    assert.equal(collector.add(2, shareOf(2, 4)).verdict, 'stale', 'a CP at 4 is held');
  });

  it('refuses forged shares, nexts off the W/2 grid, and nexts past N+2W; a flood stays bounded', () => {
    const collector = new CheckpointShareCollector(quorum, verify);
    assert.equal(collector.add(0, { ...shareOf(0, 4), signature: shareOf(1, 4).signature }).verdict, 'invalid');
    assert.equal(collector.add(0, shareOf(0, 6)).verdict, 'invalid');
    assert.equal(collector.add(0, shareOf(0, 20)).verdict, 'too-far');
    for (let k = 0; k < 50; k++) collector.add(2, shareOf(2, 4 * (1 + (k % 4)), snapshotAfter(1000 + k)));
    assert.ok(collector.size <= 4, `one share per next from p2 across (0, 16]: ${collector.size}`);
  });

  it('keeps the snapshot at each point ≥ N executed (≤ 5), dropping those below N when a newer CP is held', () => {
    const store = new SnapshotStore(8);
    for (const next of [4, 8, 12, 16, 20]) store.keep(next, snapshotAfter(next - 1));
    assert.deepEqual(store.points(), [4, 8, 12, 16, 20]);
    assert.throws(() => store.keep(24, snapshotAfter(23)), /N \+ 2W/, 'a sixth would mean deciding past N + 2W');
    store.newestHeld(12);
    assert.deepEqual(store.points(), [12, 16, 20]);
    store.keep(8, snapshotAfter(7));
    assert.deepEqual(store.points(), [12, 16, 20], 'below N nothing is kept');
    assert.throws(() => store.keep(10, snapshotAfter(9)), RangeError);
  });

  it('snapshot-full: a snapshot whose encoding passes the cap (tests: 64 KiB)', () => {
    assert.equal(snapshotLimitBytes, 65536);
    const small = snapshotVerdict(snapshotAfter(3));
    assert.equal(small.verdict, 'fits');
    const big: Snapshot = { pairs: [['k', 'v'.repeat(65536)]], clients: [] };
    const verdict = snapshotVerdict(big);
    assert.equal(verdict.verdict, 'snapshot-full');
    assert.ok(verdict.sizeBytes > 65536);
    assert.equal(snapshotVerdict(big, verdict.sizeBytes).verdict, 'fits', 'exactly at the cap fits');
  });
});

describe('bft state transfer (§2.7.2)', () => {
  it('fetches when a CP covers executed+1 and an instance below it is undecided', () => {
    assert.equal(needsFetch(cpAt(8), 3, true), true);
    assert.equal(needsFetch(cpAt(8), 3, false), false, 'everything below decided: r executes it itself');
    assert.equal(needsFetch(cpAt(8), 7, true), false, 'executed+1 = 8 is not covered');
    assert.equal(needsFetch(null, 0, true), false);
  });

  it('FETCHes a signer at once, then the next every Tfetch, rotating; outstanding until executed+1 ≥ CP.next', () => {
    const rotation = new FetchRotation(1);
    const cp = cpAt(8, [0, 1, 2]);
    assert.equal(rotation.start(cp)?.target, 0, 'r does not fetch from itself');
    assert.equal(rotation.start(cp), null, 'already fetching this CP');
    assert.equal(rotation.tick()?.target, 2);
    assert.equal(rotation.tick()?.target, 0);
    assert.equal(rotation.isOutstandingTarget(2), true);
    rotation.executedUpTo(6);
    assert.equal(rotation.isOutstandingTarget(0), true);
    rotation.executedUpTo(7);
    assert.equal(rotation.isOutstandingTarget(0), false);
    assert.equal(rotation.fetching, false);
    assert.equal(rotation.tick(), null);
    assert.equal(rotation.start(cpAt(16, [1, 2]))?.target, 2, 'a newer CP starts a new rotation');
  });

  it('answers STATE for the newest CP held (the FETCH\'s counts) when its snapshot is kept, else HAVE-CP', () => {
    const store = new SnapshotStore(8);
    store.keep(8, snapshotAfter(7));
    const answer = answerFetch(cpAt(8), cpAt(4), (next) => store.snapshotAt(next));
    assert.equal(answer.type, 'state');
    assert.equal(answer.checkpoint.next, 8);
    const newer = answerFetch(cpAt(4), cpAt(12), (next) => store.snapshotAt(next));
    assert.deepEqual([newer.type, newer.checkpoint.next], ['have-cp', 12], 'the newest is 12, its snapshot is not kept');
  });

  it('installs only from an outstanding FETCH\'s target, a valid CP′ and H(snapshot) = CP′.d, forward', () => {
    const rotation = new FetchRotation(2);
    rotation.start(cpAt(8, [0, 1]));
    const input = { sender: 0, checkpoint: cpAt(8), snapshot: snapshotAfter(7), executed: 3, rotation };
    assert.deepEqual(installDecision(input, quorum, verify), { install: true, executed: 7, skip: { from: 4, to: 7 } });
    assert.equal(installDecision({ ...input, sender: 1 }, quorum, verify).install, false, 'p1 was not asked yet');
    assert.equal(installDecision({ ...input, snapshot: snapshotAfter(6) }, quorum, verify).install, false, 'bad-state: the snapshot does not match d');
    assert.equal(installDecision({ ...input, checkpoint: { ...cpAt(8), shares: cpAt(8).shares.slice(0, 1) } }, quorum, verify).install, false, 'f shares');
    assert.equal(installDecision({ ...input, executed: 7 }, quorum, verify).install, false, 'executed+1 = CP′.next: nothing to skip');
  });

  it('mutant install-back (§6): a late STATE for CP(8) installed after executing 0–11 runs 8–11 twice', () => {
    // r FETCHed CP(16) from p0 while behind; meanwhile it executed 0–11 on its own. p0 (b) answers with an older, valid CP(8).
    const run = (mutant?: CheckpointMutant): number[] => {
      const runs = new Map<number, number>();
      let executed = -1;
      const execute = (upTo: number) => {
        for (let i = executed + 1; i <= upTo; i++) runs.set(i, (runs.get(i) ?? 0) + 1);
        executed = upTo;
      };
      const rotation = new FetchRotation(2);
      rotation.start(cpAt(16, [0, 1]));
      execute(11);
      rotation.executedUpTo(executed);
      const decision = installDecision({ sender: 0, checkpoint: cpAt(8), snapshot: snapshotAfter(7), executed, rotation }, quorum, verify, mutant);
      if (decision.install) executed = decision.executed;
      execute(15);
      return [...runs.entries()].filter(([, count]) => count > 1).map(([i]) => i);
    };
    assert.deepEqual(run(), [], 'correct: refused, each instance runs once');
    assert.deepEqual(run('install-back'), [8, 9, 10, 11], 'mutant: executed goes back to 7');
  });

  it('mutant hold-only-snapshot (§6): p0 holds CP(4), runs 8–11; p1 FETCHes 8 from p0, b silent: p0 must still have snapshot 8', () => {
    // W = 8. b CKPT-SHAREd 8 to p1 only, so p1 holds CP(8) = {p0, b} while p0's newest CP is 4; p0 has executed through 11.
    const run = (mutant?: CheckpointMutant) => {
      const p0 = new SnapshotStore(8, mutant);
      p0.newestHeld(4);
      for (const next of [4, 8, 12]) p0.keep(next, snapshotAfter(next - 1));
      const cp8 = cpAt(8, [0, 2]);
      const answer = answerFetch(cp8, cpAt(4), (next) => p0.snapshotAt(next));
      const rotation = new FetchRotation(1);
      rotation.start(cp8);
      const installed = answer.type === 'state' && installDecision({ sender: 0, checkpoint: answer.checkpoint, snapshot: answer.snapshot, executed: 3, rotation }, quorum, verify).install;
      return { answer: answer.type, installed };
    };
    assert.deepEqual(run(), { answer: 'state', installed: true });
    assert.deepEqual(run('hold-only-snapshot'), { answer: 'have-cp', installed: false }, 'only snapshot 12 kept: p1 gets HAVE-CP(8) and stays behind (b is silent)');
  });
});
