import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Signer, runKeys } from '../../../crypto/index.js';
import { fixedBatches, fixedHashAt, planNewView, validateNewView, type NewViewMutant } from './newView.js';
import { vcStateStatement, type CertifiedStateWithCheckpoint, type Quorum } from './viewChange.js';
import type { Batch, CertifiedState, CheckpointCertificate, CommitEntry, NewViewMessage, VcState } from './messages.js';
import { hash } from './stateCodec.js';
import { testPrng } from './_testPrng.js';

const quorum: Quorum = { f: 1, n: 3, window: 8 };
const keys = runKeys(16);
const signers = [0, 1, 2].map((id) => new Signer(id, keys, 3));
const checker = new Signer(0, keys, 3);
const verify = checker.verify.bind(checker);
const h = (label: string): Uint8Array => hash(new TextEncoder().encode(label));
const emptyBatchHash = h('empty batch');
const zero = new Uint8Array(32);

function checkpoint(next: number, digest = h(`snapshot ${next}`), by = [0, 1]): CheckpointCertificate {
  const statement = { purpose: 'checkpoint' as const, next, digest };
  return { next, digest, shares: by.map((signer) => ({ signer, signature: signers[signer].sign(statement) })) };
}

function state(commits: CommitEntry[], cp: CheckpointCertificate | null = null): VcState {
  return { checkpointNext: cp?.next ?? 0, checkpointDigest: cp?.digest ?? zero, commits };
}

/** p's state at its SEAL(u) after sealed(p) = a, certified by `by` (in that order, repeats allowed: the caller builds bad ones on purpose). */
function certified(process: number, sealedBefore: number, sealed: number, vcState: VcState, by = [process, (process + 1) % 3].sort()): CertifiedState {
  const statement = vcStateStatement(process, sealedBefore, sealed, vcState);
  return { process, sealedBefore, sealed, state: vcState, certificate: by.map((signer) => ({ signer, signature: signers[signer].sign(statement) })) };
}

function newView(view: number, states: CertifiedState[], cp: CheckpointCertificate | null = null): NewViewMessage {
  return { type: 'new-view', view, checkpoint: cp, states };
}

describe('bft NEW_VIEW validity (§2.6.3)', () => {
  const a = h('A');
  const good = newView(1, [certified(0, -1, 0, state([{ instance: 0, view: 0, hash: a }])), certified(2, -1, 0, state([]))]);

  it('accepts f+1 certified states of distinct p with a < w−1 ≤ u, from leader(w)', () => {
    assert.deepEqual(validateNewView(1, good, quorum, verify), { valid: true });
  });

  it('refuses a NEW_VIEW(w) not from leader(w) = p(w mod n), and NEW_VIEW(0)', () => {
    assert.equal(validateNewView(2, good, quorum, verify).valid, false);
    assert.equal(validateNewView(0, { ...good, view: 0 }, quorum, verify).valid, false);
    const four = newView(4, [certified(0, -1, 3, state([])), certified(2, -1, 3, state([]))]);
    assert.equal(validateNewView(1, four, quorum, verify).valid, true, 'leader(4) = p1 at n = 3');
  });

  it('refuses fewer than f+1 states and two states of one p', () => {
    assert.equal(validateNewView(1, { ...good, states: good.states.slice(0, 1) }, quorum, verify).valid, false);
    const twice = newView(1, [good.states[0], certified(0, -1, 0, state([]))]);
    const verdict = validateNewView(1, twice, quorum, verify);
    assert.equal(verdict.valid, false);
    assert.match(!verdict.valid ? verdict.reason : '', /two states of p0/);
  });

  it('refuses states whose SEAL does not serve w (needs a < w−1 ≤ u)', () => {
    const tooOld = newView(2, [certified(0, -1, 0, state([])), certified(2, -1, 1, state([]))]);
    assert.equal(validateNewView(2, tooOld, quorum, verify).valid, false, 'u = 0 < w−1 = 1');
    const sealedAlready = newView(2, [certified(0, 1, 3, state([])), certified(2, -1, 1, state([]))]);
    assert.equal(validateNewView(2, sealedAlready, quorum, verify).valid, false, 'a = 1 = w−1: p sealed w−1 before, its state is certified at that SEAL');
    const jump = newView(2, [certified(0, 0, 5, state([])), certified(2, -1, 1, state([]))]);
    assert.equal(validateNewView(2, jump, quorum, verify).valid, true, 'a = 0 < 1 ≤ u = 5');
  });

  it('refuses a VC certificate with a forged share, on another state, or with f shares', () => {
    const original = good.states[0];
    const forged: CertifiedState = { ...original, certificate: [original.certificate[0], { signer: 1, signature: original.certificate[0].signature }] };
    assert.equal(validateNewView(1, newView(1, [forged, good.states[1]]), quorum, verify).valid, false);
    const swapped: CertifiedState = { ...original, state: state([{ instance: 0, view: 0, hash: h('A2') }]) };
    assert.equal(validateNewView(1, newView(1, [swapped, good.states[1]]), quorum, verify).valid, false, 'H(vcState) is signed');
    const short: CertifiedState = { ...original, certificate: original.certificate.slice(0, 1) };
    assert.equal(validateNewView(1, newView(1, [short, good.states[1]]), quorum, verify).valid, false);
  });

  it('refuses an invalid CP and a CP older than some state\'s ckpt', () => {
    const cp4 = checkpoint(4);
    const withCp = newView(1, [certified(0, -1, 0, state([], cp4)), certified(2, -1, 0, state([]))], cp4);
    assert.equal(validateNewView(1, withCp, quorum, verify).valid, true);
    assert.equal(validateNewView(1, { ...withCp, checkpoint: null }, quorum, verify).valid, false, 'CP.next 0 < ckpt.next 4');
    assert.equal(validateNewView(1, { ...withCp, checkpoint: { ...cp4, digest: h('other') } }, quorum, verify).valid, false, 'CP signatures are on another digest');
    const cp3 = { ...cp4, next: 3 };
    assert.equal(validateNewView(1, { ...withCp, checkpoint: cp3 }, quorum, verify).valid, false, 'next ≢ 0 mod W/2');
  });

  it('refuses a state with an entry 2W or more past its checkpoint (no valid COMMIT lies there)', () => {
    const far = newView(1, [certified(0, -1, 0, state([{ instance: 16, view: 0, hash: a }])), good.states[1]]);
    assert.equal(validateNewView(1, far, quorum, verify).valid, false);
  });
});

describe('bft fixed batches (§2.6.4)', () => {
  it('start = CP.next, end = the highest entry, the highest view wins, gaps get H(empty batch)', () => {
    const cp4 = checkpoint(4);
    const message = newView(3, [
      certified(0, 1, 2, state([{ instance: 4, view: 0, hash: h('old') }, { instance: 7, view: 1, hash: h('D') }], cp4)),
      certified(1, 0, 2, state([{ instance: 1, view: 0, hash: h('covered') }, { instance: 4, view: 2, hash: h('new') }])),
    ], cp4);
    const fixed = fixedBatches(message, emptyBatchHash);
    assert.equal(fixed.start, 4);
    assert.equal(fixed.end, 7);
    assert.deepEqual(fixed.hashes, [h('new'), emptyBatchHash, emptyBatchHash, h('D')]);
    assert.deepEqual([...fixed.fixed.entries()], [[4, h('new')], [5, emptyBatchHash], [6, emptyBatchHash], [7, h('D')]]);
    assert.equal(fixedHashAt(fixed, 1), undefined, 'below start: covered by the CP, not re-proposed');
    assert.equal(fixedHashAt(fixed, 8), undefined, 'above end: fresh');
  });

  it('fixes nothing without entries: end = start − 1', () => {
    const fixed = fixedBatches(newView(1, [certified(0, -1, 0, state([])), certified(2, -1, 0, state([]))], checkpoint(8)), emptyBatchHash);
    assert.deepEqual([fixed.start, fixed.end, fixed.hashes.length], [8, 7, 0]);
  });

  it('mutant lowest-view (§6): b commits A in view 0 (PC {b, p1}); view 1 decides C; NEW_VIEW(2) from {b, p2} must fix C', () => {
    // n = 3, b = p0 (leader of view 0). b's stream holds COMMIT(0, 5, A); NEW_VIEW(1) came from {p1, p2},
    // whose states had no entry at 5, so view 1 proposed and decided C at 5 (p2 COMMITted it in epoch 1).
    const a = h('A');
    const c = h('C');
    const fromB = certified(0, 0, 1, state([{ instance: 5, view: 0, hash: a }]), [0, 1]);
    const fromP2 = certified(2, 0, 1, state([{ instance: 5, view: 1, hash: c }]), [1, 2]);
    const message = newView(2, [fromB, fromP2]);
    assert.equal(validateNewView(2, message, quorum, verify).valid, true, 'the NEW_VIEW itself is valid');
    assert.deepEqual(fixedHashAt(fixedBatches(message, emptyBatchHash), 5), c, 'the highest view keeps the decision');
    const mutant: NewViewMutant = 'lowest-view';
    assert.deepEqual(fixedHashAt(fixedBatches(message, emptyBatchHash, mutant), 5), a, 'the lowest view re-proposes A over the decided C: agreement broken');
  });

  it('mutant duplicate-signers (§6): b commits B′ in view 1 with PC {b, b}; its state certified by {b, b} must not pass', () => {
    // n = 3, b = p1 (leader of view 1). p0 decided B fast at (0, 3); p2 COMMITted B in view 0.
    // No correct replica counts b's COMMIT(1, 3, B′) (its PC repeats b), so only b signs b's state with the B′ entry.
    const b = h('B');
    const bPrime = h("B'");
    const fromB = certified(1, 0, 1, state([{ instance: 3, view: 1, hash: bPrime }]), [1, 1]);
    const fromP2 = certified(2, 0, 1, state([{ instance: 3, view: 0, hash: b }]), [0, 2]);
    const message = newView(2, [fromB, fromP2]);
    assert.equal(validateNewView(2, message, quorum, verify).valid, false, 'correct rule: {b, b} is one signer');
    assert.equal(validateNewView(2, message, quorum, verify, 'duplicate-signers').valid, true, 'the mutant counts b twice');
    assert.deepEqual(fixedHashAt(fixedBatches(message, emptyBatchHash), 3), bPrime, 'and what it accepts fixes B′ over the decided B');
  });
});

describe('bft leader building NEW_VIEW (§2.6.2)', () => {
  const a = h('A');
  const batchA: Batch = [{ client: 1, sequence: 1, op: new Uint8Array([1]), signature: new Uint8Array(64) }];
  const offer = (process: number, commits: CommitEntry[], cp: CheckpointCertificate | null = null, sealedBefore = -1, sealed = 0): CertifiedStateWithCheckpoint => ({
    certified: certified(process, sealedBefore, sealed, state(commits, cp)),
    checkpoint: cp,
  });
  const base = {
    self: 1,
    view: 1,
    latestSeal: 0,
    checkpoints: [],
    batchFor: (x: Uint8Array) => (Buffer.from(x).equals(Buffer.from(a)) ? batchA : undefined),
    emptyBatch: { hash: emptyBatchHash, batch: [] as Batch },
  };

  it('only leader(w) with latest SEAL w−1 builds NEW_VIEW(w)', () => {
    const certifiedStates = [offer(0, []), offer(2, [])];
    assert.equal(planNewView({ ...base, self: 2, certified: certifiedStates }, quorum).status, 'not-leader');
    assert.equal(planNewView({ ...base, latestSeal: -1, certified: certifiedStates }, quorum).status, 'not-sealed');
  });

  it('waits for f+1 distinct p whose certificates serve w', () => {
    const plan = planNewView({ ...base, certified: [offer(0, []), offer(0, [], null, -1, 0), offer(2, [], null, -1, 3)] }, quorum);
    assert.equal(plan.status, 'ready', 'p0 counts once, and p2 with u = 3 serves w = 1 too');
    assert.deepEqual(planNewView({ ...base, certified: [offer(0, []), offer(0, [])] }, quorum), { status: 'waiting-for-states', have: 1 });
    const stale = planNewView({ ...base, view: 4, latestSeal: 3, certified: [offer(0, [], null, -1, 0), offer(2, [], null, -1, 0)] }, quorum);
    assert.equal(stale.status, 'waiting-for-states', 'u = 0 serves only w = 1');
  });

  it('takes the newest CP from any source, asks for missing fixed batches, then is ready; its message is valid', () => {
    const cp4 = checkpoint(4);
    const cp8 = checkpoint(8);
    const states = [offer(0, [{ instance: 8, view: 0, hash: a }, { instance: 10, view: 0, hash: h('X') }], cp4), offer(2, [], null)];
    // State p0 has ckpt 4 but entries from 8 (allowed: < 4 + 2W).
    const waiting = planNewView({ ...base, certified: states, checkpoints: [cp8, null] }, quorum);
    assert.equal(waiting.status, 'waiting-for-batches');
    if (waiting.status !== 'waiting-for-batches') return;
    assert.equal(waiting.message.checkpoint?.next, 8, 'the newest CP held, newer than the states\' own');
    assert.deepEqual(waiting.missing, [{ view: 0, instance: 10, hash: h('X') }], 'A is kept, the empty batch at 9 needs no fetch, X must be BATCH-REQed');
    assert.deepEqual(validateNewView(1, waiting.message, quorum, verify), { valid: true });
    const ready = planNewView({ ...base, certified: states, checkpoints: [], batchFor: (x) => (Buffer.from(x).equals(Buffer.from(a)) ? batchA : [batchA[0], batchA[0]]) }, quorum);
    assert.equal(ready.status, 'ready');
    if (ready.status !== 'ready') return;
    assert.equal(ready.message.checkpoint?.next, 4, 'without a newer one, the CP that came with p0\'s shares');
    assert.equal(ready.fixed.start, 4);
    assert.equal(ready.batches.length, ready.fixed.end - ready.fixed.start + 1);
    assert.deepEqual(ready.batches[0], [], 'instances 4–7 carry the empty batch');
    assert.deepEqual(ready.batches[4], batchA);
  });
});

describe('bft fixed batches keep a decision (§4, the agreement induction)', () => {
  const prng = testPrng;

  /**
   * h decided at (v, i). The f+1 states of NEW_VIEW(w) obey what §4 proves of
   * them: by L3 one has an entry at i of a view in [v, w−1]; entries of views
   * ≥ v carry h (L1, L2 at v, the induction above); entries of views < v may
   * carry anything (nothing was decided there, or it was h anyway).
   */
  function scenario(random: () => number, f: number) {
    const pick = (limit: number) => Math.floor(random() * limit);
    const decidedView = pick(5);
    const w = decidedView + 1 + pick(4);
    const decided = h(`decided ${decidedView}`);
    const states: CertifiedState[] = [];
    const witness = pick(f + 1);
    for (let process = 0; process < f + 1; process++) {
      const commits: CommitEntry[] = [];
      const roll = pick(3);
      if (process === witness) commits.push({ instance: 3, view: decidedView + pick(w - decidedView), hash: decided });
      else if (roll === 1 && decidedView > 0) commits.push({ instance: 3, view: pick(decidedView), hash: h(`other ${pick(1000)}`) });
      else if (roll === 2) commits.push({ instance: 3, view: decidedView + pick(w - decidedView), hash: decided });
      states.push({ process, sealedBefore: -1, sealed: w - 1, state: { checkpointNext: 0, checkpointDigest: zero, commits }, certificate: [] });
    }
    return { states, decided };
  }

  it('over 2,000 seeded cases at f = 1 and f = 2, the highest-view rule always fixes the decided h', () => {
    for (const f of [1, 2]) {
      const random = prng(1000 + f);
      for (let k = 0; k < 2000; k++) {
        const { states, decided } = scenario(random, f);
        assert.deepEqual(fixedHashAt(fixedBatches({ checkpoint: null, states }, emptyBatchHash), 3), decided, `f = ${f}, case ${k}`);
      }
    }
  });

  it('and the lowest-view mutant fails in some of those same cases', () => {
    const random = prng(1001);
    let broken = 0;
    for (let k = 0; k < 2000; k++) {
      const { states, decided } = scenario(random, 1);
      const fixed = fixedHashAt(fixedBatches({ checkpoint: null, states }, emptyBatchHash, 'lowest-view'), 3);
      if (!Buffer.from(fixed!).equals(Buffer.from(decided))) broken++;
    }
    assert.ok(broken > 0, 'the property test has power against the mutant');
  });
});
