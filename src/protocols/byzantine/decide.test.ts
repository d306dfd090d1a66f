import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Signer, runKeys } from '../../crypto/index.js';
import { checkedQuorum, conflictingSignedEcho, findProof, unanimousEcho, type SignatureOracle } from './decide.js';
import type { SlotContent } from './slot.js';

const encoder = new TextEncoder();
const m = encoder.encode('p0:m2');
const other = encoder.encode('forged');
const keys = runKeys(11);
const sender = new Signer(0, keys, 3);
const checker = new Signer(1, keys, 3);
const sigma = sender.sign({ purpose: 'broadcast', sender: 0, sequence: 2, message: m });
const sigmaOld = sender.sign({ purpose: 'broadcast', sender: 0, sequence: 1, message: m });
/** The oracle of broadcast (p0, k = 2), backed by real verification. */
const valid: SignatureOracle = (signer, purpose, value, signature) => checker.verify(signer, { purpose, sender: 0, sequence: 2, message: value }, signature);

describe('consistent broadcast decisions', () => {
  it('fast path: only when all n records echo the same value', () => {
    assert.deepEqual(unanimousEcho([{ echo: m }, { echo: m }, { echo: m }]), m);
    assert.equal(unanimousEcho([{ echo: m }, { echo: m }, null]), null);
    assert.equal(unanimousEcho([{ echo: m }, { echo: m }, { echo: other }]), null);
  });

  it('slow path: f+1 checked and validly signed copies, and no conflicting signed value', () => {
    const checked: SlotContent = { echo: m, echoSignature: sigma, checked: true };
    assert.deepEqual(checkedQuorum([checked, checked, null], 0, 1, valid), m);
    assert.equal(checkedQuorum([checked, { echo: m, echoSignature: sigma }, null], 0, 1, valid), null, 'one checked copy is not f+1');
    assert.deepEqual(checkedQuorum([checked, { echo: m, echoSignature: sigma }, null], 0, 1, valid, false), m, 'the no-check mutant takes f+1 signed copies');
  });

  it('rejects a forged signature and a signature over another sequence number', () => {
    const forged: SlotContent = { echo: m, echoSignature: new Uint8Array(64).fill(3), checked: true };
    const replayed: SlotContent = { echo: m, echoSignature: sigmaOld, checked: true };
    const before = checker.counters.rejected;
    assert.equal(checkedQuorum([forged, replayed, null], 0, 1, valid), null);
    assert.ok(checker.counters.rejected >= before + 2, 'both counted as rejected');
    assert.equal(conflictingSignedEcho([{ echo: other, echoSignature: sigmaOld }], 0, m, valid), false, 'a replayed signature makes no conflict');
    assert.equal(conflictingSignedEcho([{ echo: m, echoSignature: sigma }], 0, other, valid), true);
  });
});

describe('reliable broadcast decisions', () => {
  const ready = (signer: number) => new Signer(signer, keys, 3).sign({ purpose: 'ready', sender: 0, sequence: 2, message: m });

  it('assembles a ReadySet from f+1 signed Readys of distinct replicators', () => {
    const found = findProof([{ ready: m, readySignature: ready(0) }, { ready: m, readySignature: ready(1) }, null], 1, valid);
    assert.deepEqual(found?.value, m);
    assert.deepEqual(found?.proof.map((entry) => entry.signer), [0, 1]);
  });

  it('adopts a ReadySet from a record, but not one with forged or repeated signers', () => {
    const proof = [{ signer: 0, signature: ready(0) }, { signer: 2, signature: ready(2) }];
    assert.deepEqual(findProof([null, { proofValue: m, proof }, null], 1, valid)?.value, m);
    assert.equal(findProof([null, { proofValue: m, proof: [proof[0], { signer: 2, signature: ready(1) }] }, null], 1, valid), null, "p1's signature passed off as p2's");
    assert.equal(findProof([null, { proofValue: m, proof: [proof[0], proof[0]] }, null], 1, valid), null);
    assert.equal(findProof([{ ready: m, readySignature: ready(0) }, null, null], 1, valid), null, 'one Ready is not f+1');
  });
});
