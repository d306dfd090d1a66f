import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Signer, runKeys } from '../../../crypto/index.js';
import { leaderOf, servesView, shouldEnterView, VcCertificateCollector, vcShareTargets, vcStateStatement, type Quorum } from './viewChange.js';
import { validateNewView } from './newView.js';
import type { CheckpointCertificate, VcShareMessage, VcState } from './messages.js';
import { hash } from './stateCodec.js';

const keys = runKeys(61);
const h = (label: string): Uint8Array => hash(new TextEncoder().encode(label));
const zero = new Uint8Array(32);

function setup(n: number) {
  const f = (n - 1) / 2;
  const quorum: Quorum = { f, n, window: 8 };
  const signers = Array.from({ length: n }, (_, id) => new Signer(id, keys, n));
  const checker = new Signer(0, keys, n);
  const verify = checker.verify.bind(checker);
  const share = (sender: number, process: number, sealedBefore: number, sealed: number, state: VcState, checkpoint: CheckpointCertificate | null = null): VcShareMessage => ({
    type: 'vc-share',
    process,
    sealedBefore,
    sealed,
    state,
    checkpoint,
    signature: signers[sender].sign(vcStateStatement(process, sealedBefore, sealed, state)),
  });
  const cp = (next: number, by: number[]): CheckpointCertificate => {
    const digest = h(`d${next}`);
    return { next, digest, shares: by.map((signer) => ({ signer, signature: signers[signer].sign({ purpose: 'checkpoint', next, digest }) })) };
  };
  return { quorum, verify, share, cp };
}

const empty: VcState = { checkpointNext: 0, checkpointDigest: zero, commits: [] };

describe('bft VC-SHARE targets (§2.6.1)', () => {
  it('sends to leader(a+2+j) for j < min(u−a, n): the leaders of every w with a < w−1 ≤ u', () => {
    assert.deepEqual(vcShareTargets(-1, 0, 3), [{ view: 1, leader: 1 }], 'first SEAL(0): only NEW_VIEW(1)');
    assert.deepEqual(vcShareTargets(0, 2, 3), [{ view: 2, leader: 2 }, { view: 3, leader: 0 }]);
    assert.deepEqual(vcShareTargets(1, 100, 3).map((t) => t.leader), [0, 1, 2], 'a jump seals many views: n targets cover every leader once');
    for (const target of vcShareTargets(4, 9, 5)) assert.ok(servesView(4, 9, target.view), `view ${target.view} is served`);
    assert.equal(servesView(4, 9, 5), false, 'w−1 = a: p sealed w−1 at its previous SEAL, that one serves w');
    assert.equal(servesView(4, 9, 11), false, 'w−1 > u');
  });

  it('refuses a SEAL that does not raise sealed(p)', () => {
    assert.throws(() => vcShareTargets(3, 3, 3), RangeError);
  });

  it('leader(v) = p(v mod n)', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 7].map((v) => leaderOf(v, 3)), [0, 1, 2, 0, 1, 1]);
  });
});

describe('bft VC certificate collection (§2.6.1, §2.6.2)', () => {
  it('certifies (p, a, u, H(vcState)) on f+1 distinct valid shares, counting a sender once', () => {
    const { quorum, verify, share } = setup(3);
    const collector = new VcCertificateCollector(1, quorum, verify);
    assert.equal(collector.add(0, share(0, 0, -1, 0, empty)), 'counted');
    assert.equal(collector.add(0, share(0, 0, -1, 0, empty)), 'duplicate');
    assert.deepEqual(collector.forView(1), []);
    assert.equal(collector.add(2, share(2, 0, -1, 0, empty)), 'certified');
    const [only] = collector.forView(1);
    assert.equal(only.certified.process, 0);
    assert.deepEqual(only.certified.certificate.map((s) => s.signer), [0, 2]);
  });

  it('does not mix shares on different states of one (p, a, u), and lets a sender speak once per (p, a, u)', () => {
    const { quorum, verify, share } = setup(3);
    const collector = new VcCertificateCollector(1, quorum, verify);
    const other: VcState = { ...empty, commits: [{ instance: 0, view: 0, hash: h('A') }] };
    assert.equal(collector.add(0, share(0, 2, -1, 0, empty)), 'counted');
    assert.equal(collector.add(2, share(2, 2, -1, 0, other)), 'counted', 'another hash: another key');
    assert.equal(collector.add(2, share(2, 2, -1, 0, empty)), 'duplicate', 'p2 already gave a state for (2, −1, 0)');
    assert.deepEqual(collector.forView(1), []);
  });

  it('refuses forged shares, a CP that is not the state\'s ckpt, and shares for views r does not lead', () => {
    const { quorum, verify, share, cp } = setup(3);
    const collector = new VcCertificateCollector(1, quorum, verify);
    const forged = { ...share(0, 0, -1, 0, empty), signature: share(2, 0, -1, 0, empty).signature };
    assert.equal(collector.add(0, forged), 'invalid');
    const cp4 = cp(4, [0, 2]);
    const withCp: VcState = { checkpointNext: 4, checkpointDigest: cp4.digest, commits: [] };
    assert.equal(collector.add(0, share(0, 0, -1, 0, withCp, null)), 'invalid', 'state names ckpt 4, no CP sent');
    assert.equal(collector.add(0, share(0, 0, -1, 0, withCp, { ...cp4, shares: cp4.shares.slice(0, 1) })), 'invalid', 'CP with f shares');
    assert.equal(collector.add(0, share(0, 0, -1, 0, withCp, cp4)), 'counted');
    assert.equal(collector.add(0, share(0, 0, 1, 2, empty)), 'irrelevant', 'serves only w = 3, led by p0');
    collector.advance(2);
    assert.equal(collector.add(0, share(0, 0, -1, 0, empty)), 'irrelevant', 'r is past view 1 (x = 2)');
    assert.equal(collector.add(0, share(0, 0, 5, 6, empty)), 'irrelevant', 'serves p1\'s view 7 only: past x+n+1 = 6');
    assert.equal(collector.add(0, share(0, 0, 2, 3, empty)), 'counted', 'serves view 4 = x+n−1');
  });

  it('its certificates make a valid NEW_VIEW; forgetting passed views bounds what it holds', () => {
    const { quorum, verify, share } = setup(3);
    const collector = new VcCertificateCollector(1, quorum, verify);
    for (const process of [0, 2]) for (const sender of [0, 1, 2]) collector.add(sender, share(sender, process, -1, 0, empty));
    const states = collector.forView(1).map((offer) => offer.certified);
    assert.equal(states.length, 2);
    assert.deepEqual(validateNewView(1, { type: 'new-view', view: 1, checkpoint: null, states }, quorum, verify), { valid: true });
    assert.equal(collector.size, 2);
    collector.advance(1);
    assert.equal(collector.forView(1).length, 2, 'x = 1: r sealed 0 and is about to lead 1');
    collector.advance(2);
    assert.equal(collector.size, 0, 'r passed view 1, the only view these serve that it leads');
    assert.equal(collector.add(0, share(0, 0, -1, 0, empty)), 'irrelevant');
    assert.throws(() => collector.advance(1), RangeError);
  });

  it('a Byzantine sender signing states for made-up (a, u) keeps at most 3 per p; correct senders still certify', () => {
    const { quorum, verify, share } = setup(3);
    const collector = new VcCertificateCollector(1, quorum, verify);
    let overLimit = 0;
    for (let sealed = 0; sealed < 40; sealed++) {
      // b = p2 sends VC-SHAREs for p0 at SEAL(u) after a = −1: each serves w = 1 (and 4), so each is relevant at x = 0.
      const verdict = collector.add(2, share(2, 0, -1, sealed, empty));
      if (verdict === 'over-limit') overLimit++;
    }
    assert.equal(overLimit, 37);
    assert.equal(collector.size, 3);
    assert.equal(collector.add(0, share(0, 0, -1, 0, empty)), 'certified', 'p0 and b\'s first share on p0\'s real SEAL(0)');
    assert.equal(collector.add(0, share(0, 2, -1, 0, empty)), 'counted', 'p0 has its own room for p2');
  });

  it('at n = 5 a share reaches each of the next n leaders', () => {
    const { quorum, verify, share } = setup(5);
    const leaders = vcShareTargets(0, 7, 5).map((t) => t.leader);
    assert.deepEqual(leaders, [2, 3, 4, 0, 1]);
    const collector = new VcCertificateCollector(4, quorum, verify);
    for (const sender of [0, 1, 3]) collector.add(sender, share(sender, 3, 0, 7, empty));
    assert.equal(collector.forView(4).length, 1, 'view 4 (led by p4) has w−1 = 3 in (0, 7]');
    assert.equal(collector.forView(9).length, 0, 'w−1 = 8 > u');
  });
});

describe('bft entering a view (§2.6.5)', () => {
  it('enters w only with latest SEAL w−1 and a valid NEW_VIEW(w)', () => {
    assert.equal(shouldEnterView(0, 1, true), true);
    assert.equal(shouldEnterView(0, 1, false), false);
    assert.equal(shouldEnterView(1, 1, true), false, 'sealed w itself: w is over for r');
    assert.equal(shouldEnterView(-1, 1, true), false, 'not sealed yet: the NEW_VIEW triggers sealing w−1 first (§2.5.1)');
  });
});
