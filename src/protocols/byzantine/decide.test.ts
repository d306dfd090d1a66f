import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Signer, runKeys } from '../../crypto/index.js';
import { checkedQuorum, conflictingSignedEcho, everyoneDelivered, findReadySet, messageFor, senderSignatureFor, unanimousEcho, unanimousReady, type SignatureOracle } from './decide.js';
import { messageHash } from './digest.js';
import type { RecordView } from './views.js';

const encoder = new TextEncoder();
const m = encoder.encode('p0:m2');
const other = encoder.encode('forged');
const h = messageHash(m);
const hOther = messageHash(other);
const keys = runKeys(11);
const sender = new Signer(0, keys, 3);
const checker = new Signer(1, keys, 3);
// The sender signs (s, k, H(m)), not m.
const sigma = sender.sign({ purpose: 'broadcast', sender: 0, sequence: 2, message: h });
const sigmaOther = sender.sign({ purpose: 'broadcast', sender: 0, sequence: 2, message: hOther });
const sigmaOld = sender.sign({ purpose: 'broadcast', sender: 0, sequence: 1, message: h });
const sigmaOverMessage = sender.sign({ purpose: 'broadcast', sender: 0, sequence: 2, message: m });
/** The oracle of broadcast (p0, k = 2), backed by real verification. */
const valid: SignatureOracle = (signer, purpose, hash, signature) => checker.verify(signer, { purpose, sender: 0, sequence: 2, message: hash }, signature);
const none: RecordView = { checked: false };

describe('consistent broadcast decisions over hash echoes', () => {
  it('fast path: only when all n records echo the same hash', () => {
    assert.deepEqual(unanimousEcho([{ echo: h, checked: false }, { echo: h, checked: false }, { echo: h, checked: false }]), h);
    assert.equal(unanimousEcho([{ echo: h, checked: false }, { echo: h, checked: false }, none]), null);
    assert.equal(unanimousEcho([{ echo: h, checked: false }, { echo: h, checked: false }, { echo: hOther, checked: false }]), null);
  });

  it('slow path: f+1 checked records with the sender signature over (s, k, H(m)), and no conflicting signed hash', () => {
    const checked: RecordView = { echo: h, signed: sigma, checked: true };
    assert.deepEqual(checkedQuorum([checked, checked, none], 0, 1, valid), h);
    assert.equal(checkedQuorum([checked, { echo: h, signed: sigma, checked: false }, none], 0, 1, valid), null, 'one checked record is not f+1');
    assert.deepEqual(checkedQuorum([checked, { echo: h, signed: sigma, checked: false }, none], 0, 1, valid, false), h, 'the no-check mutant takes f+1 signed records');
    assert.equal(checkedQuorum([checked, checked, { echo: hOther, signed: sigmaOther, checked: false }], 0, 1, valid), null, 'a validly signed other hash blocks the slow path');
    assert.equal(checkedQuorum([checked, { echo: h, signed: sigmaOverMessage, checked: true }, none], 0, 1, valid), null, 'a signature over m rather than H(m) does not count');
  });

  it('rejects a forged signature and a signature over another sequence number', () => {
    const forged: RecordView = { echo: h, signed: new Uint8Array(64).fill(3), checked: true };
    const replayed: RecordView = { echo: h, signed: sigmaOld, checked: true };
    const before = checker.counters.rejected;
    assert.equal(checkedQuorum([forged, replayed, none], 0, 1, valid), null);
    assert.ok(checker.counters.rejected >= before + 2, 'both counted as rejected');
    assert.equal(conflictingSignedEcho([{ echo: hOther, signed: sigmaOld, checked: false }], 0, h, valid), false, 'a replayed signature makes no conflict');
    assert.equal(conflictingSignedEcho([{ echo: h, signed: sigma, checked: false }], 0, hOther, valid), true);
  });

  it("finds the sender's signature for the adopted hash in its slot or in any record", () => {
    assert.deepEqual(senderSignatureFor(h, { values: [m], value: m, sig: sigma }, [], 0, valid), sigma);
    assert.deepEqual(senderSignatureFor(h, { values: [] }, [none, { echo: h, signed: sigma, checked: false }], 0, valid), sigma);
    assert.equal(senderSignatureFor(h, { values: [other], value: other, sig: sigmaOther }, [{ echo: hOther, signed: sigmaOther, checked: false }], 0, valid), null);
  });

  it('delivers a decided hash only with a message hashing to it, from whichever source has one', () => {
    assert.deepEqual(messageFor(h, [undefined, other, m]), m);
    assert.equal(messageFor(h, [other, undefined]), null, 'the hash-swapper case: only m′ at hand, so wait');
    assert.deepEqual(messageFor(h, [undefined, other, m], false), other, 'the unchecked-value mutant takes the first message at hand');
  });
});

describe('reliable broadcast decisions over hash echoes', () => {
  const ready = (signer: number, hash = h) => new Signer(signer, keys, 3).sign({ purpose: 'ready', sender: 0, sequence: 2, message: hash });

  it('fast path: all n records show Ready(h)', () => {
    assert.deepEqual(unanimousReady([{ ready: h, checked: false }, { ready: h, checked: false }, { ready: h, checked: false }]), h);
    assert.equal(unanimousReady([{ ready: h, checked: false }, { ready: h, checked: false }, none]), null);
  });

  it('assembles a ReadySet from f+1 signed Readys of distinct replicators', () => {
    const found = findReadySet([{ ready: h, readySig: ready(0), checked: false }, { ready: h, readySig: ready(1), checked: false }, none], 1, valid);
    assert.deepEqual(found?.hash, h);
    assert.deepEqual(found?.entries.map((entry) => entry.signer), [0, 1]);
  });

  it('adopts a ReadySet from a record, but not one with forged, repeated or non-replicator signers', () => {
    const entries = [{ signer: 0, signature: ready(0) }, { signer: 2, signature: ready(2) }];
    assert.deepEqual(findReadySet([none, { readySet: { hash: h, entries }, checked: false }, none], 1, valid)?.hash, h);
    assert.equal(findReadySet([none, { readySet: { hash: h, entries: [entries[0], { signer: 2, signature: ready(1) }] }, checked: false }, none], 1, valid), null, "p1's signature passed off as p2's");
    assert.equal(findReadySet([none, { readySet: { hash: h, entries: [entries[0], entries[0]] }, checked: false }, none], 1, valid), null);
    assert.equal(findReadySet([none, { readySet: { hash: h, entries: [entries[0], { signer: 2, signature: ready(2) }] }, checked: false }], 1, valid), null, 'p2 is no replicator among 2 records');
    assert.equal(findReadySet([{ ready: h, readySig: ready(0), checked: false }, none, none], 1, valid), null, 'one Ready is not f+1');
  });

  it("counts a signer's valid Ready even when another of its fields held a forgery", () => {
    const forgedSet = { hash: h, entries: [{ signer: 0, signature: new Uint8Array(64).fill(1) }, { signer: 1, signature: new Uint8Array(64).fill(2) }] };
    const records: RecordView[] = [{ ready: h, readySig: ready(0), readySet: forgedSet, checked: false }, { ready: h, readySig: ready(1), checked: false }, none];
    assert.deepEqual(findReadySet(records, 1, valid)?.entries.map((entry) => entry.signer), [0, 1]);
  });

  it('sees everybody delivered only when every delivered message hashes to h', () => {
    assert.equal(everyoneDelivered([{ delivered: m, checked: false }, { delivered: m, checked: false }], h), true);
    assert.equal(everyoneDelivered([{ delivered: m, checked: false }, { delivered: other, checked: false }], h), false);
  });
});
