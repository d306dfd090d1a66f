import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Signer, runKeys } from '../../crypto/index.js';
import type { SignatureOracle } from './decide.js';
import { messageHash } from './digest.js';
import { consistentDutiesDone, receiverNext, releaseInOrder } from './receiver.js';
import { reliableDutiesDone, reliableNext } from './reliable.js';
import { freshReplicator, replicatorNext, type ReplicatorInput } from './replicator.js';
import { mergeRanges, readRange } from './rounds.js';
import { senderNext } from './sender.js';
import { decodeReadySet } from './slot.js';
import type { RecordView } from './views.js';

/** The roles of CB and RB as pure functions of one round's read (spec: ../shared/specs/byzantine-broadcast.md). */
const encoder = new TextEncoder();
const m = encoder.encode('p0:m1');
const other = encoder.encode('other');
const h = messageHash(m);
const hOther = messageHash(other);
const keys = runKeys(5);
const signers = [0, 1, 2].map((process) => new Signer(process, keys, 3));
const statement = (purpose: 'broadcast' | 'ready', hash: Uint8Array) => ({ purpose, sender: 0, sequence: 1, message: hash });
const sigma = signers[0].sign(statement('broadcast', h));
const sigmaOther = signers[0].sign(statement('broadcast', hOther));
const readySig = (process: number, hash = h) => signers[process].sign(statement('ready', hash));
const valid: SignatureOracle = (signer, purpose, hash, signature) => signers[1].verify(signer, statement(purpose, hash), signature);
const none: RecordView = { checked: false };

describe('sender role', () => {
  it('completes unsigned when every record shows Ready(H(m)); signs only after the timeout; waits otherwise', () => {
    const sending = { hash: h, startedAt: 10 };
    const ready: RecordView = { checked: false, ready: h };
    assert.equal(senderNext(sending, [ready, ready, ready], 12, 30), 'complete');
    assert.equal(senderNext(sending, [ready, ready, none], 39, 30), 'wait');
    assert.equal(senderNext(sending, [ready, ready, none], 40, 30), 'sign');
    assert.equal(senderNext(sending, [ready, ready, { checked: false, ready: hOther }], 40, 30), 'sign', 'a Ready for another hash is no acknowledgement');
  });
});

describe('replicator role', () => {
  const input = (over: Partial<ReplicatorInput>): ReplicatorInput => ({ slot: { values: [] }, records: [none, none, none], self: 1, sender: 0, round: 1, valid, ...over });

  it('adopts the first value it sees and echoes H(m), never changing its mind', () => {
    const first = replicatorNext(freshReplicator, input({ slot: { value: m, values: [m] } }));
    assert.deepEqual(first.fields, { echo: h });
    assert.deepEqual(first.state.adopted, m);
    const later = replicatorNext(first.state, input({ slot: { value: other, values: [other] }, round: 2 }));
    assert.deepEqual(later.fields, {}, 'a rewritten slot changes nothing');
    assert.deepEqual(later.state.adoptedHash, h);
  });

  it('writes a valid sender signature, from the slot or any record, then checks in a later round (write, then read)', () => {
    const adopted = replicatorNext(freshReplicator, input({ slot: { value: m, values: [m] } })).state;
    assert.deepEqual(replicatorNext(adopted, input({ slot: { value: m, values: [m], sig: signers[2].sign(statement('broadcast', h)) }, round: 2 })).fields, {}, 'a signature by someone else is not σ_s');
    const signed = replicatorNext(adopted, input({ slot: { value: m, values: [m] }, records: [none, none, { echo: h, signed: sigma, checked: false }], round: 2 }));
    assert.deepEqual(signed.fields, { signed: sigma }, 'σ_s is transferable: taken from a record');
    assert.equal(signed.check, false, 'no check in the round that writes signed');
    const sameRound = replicatorNext(signed.state, input({ slot: { value: m, values: [m] }, round: 2 }));
    assert.equal(sameRound.check, false, 'the check reads in a later round than the write');
    const checked = replicatorNext(signed.state, input({ slot: { value: m, values: [m] }, round: 3 }));
    assert.equal(checked.check, true);
    assert.equal(checked.state.checked, true);
  });

  it('does not check when another record holds a validly signed other hash (conflict, for good)', () => {
    const adopted = replicatorNext(freshReplicator, input({ slot: { value: m, values: [m], sig: sigma } })).state;
    const conflicting: RecordView = { echo: hOther, signed: sigmaOther, checked: false };
    const step = replicatorNext(adopted, input({ slot: { value: m, values: [m], sig: sigma }, records: [none, none, conflicting], round: 2 }));
    assert.equal(step.conflict, true);
    assert.equal(step.check, false);
    assert.equal(replicatorNext(step.state, input({ slot: { value: m, values: [m], sig: sigma }, round: 3 })).check, false, 'never checks after a conflict');
    const forged: RecordView = { echo: hOther, signed: sigma, checked: false };
    assert.equal(replicatorNext(adopted, input({ slot: { value: m, values: [m], sig: sigma }, records: [none, none, forged], round: 2 })).check, true, 'a signature that does not verify for that hash is no conflict');
  });

  it('the changing-replicator mutant follows the slot and starts its record over', () => {
    const adopted = replicatorNext(freshReplicator, input({ slot: { value: m, values: [m] } })).state;
    const step = replicatorNext(adopted, input({ slot: { value: other, values: [other] }, mutant: 'changing-replicator', round: 2 }));
    assert.equal(step.restart, true);
    assert.deepEqual(step.fields.echo, hOther);
  });
});

describe('CB receiver role', () => {
  const base = { sender: 0, f: 1, valid, requireChecked: true };

  it('fast path: all n echo h; delivers m from a candidate hashing to h', () => {
    const echo: RecordView = { checked: false, echo: h };
    const step = receiverNext({}, { ...base, records: [echo, echo, echo], candidates: [other, m] });
    assert.deepEqual(step.decided, { hash: h, path: 'fast' });
    assert.deepEqual(step.delivered, m);
  });

  it('slow path: f+1 checked signed records; decides without m at hand, delivers once m turns up (hash-swapper)', () => {
    const checked: RecordView = { checked: true, echo: h, signed: sigma };
    const decided = receiverNext({}, { ...base, records: [checked, checked, none], candidates: [other] });
    assert.deepEqual(decided.decided, { hash: h, path: 'slow' });
    assert.equal(decided.delivered, undefined, 'decided H(m) holding only m′');
    const later = receiverNext(decided.state, { ...base, records: [checked, checked, none], candidates: [m] });
    assert.equal(later.decided, undefined, 'decides once');
    assert.deepEqual(later.delivered, m);
    assert.equal(receiverNext(later.state, { ...base, records: [checked, checked, none], candidates: [m] }).delivered, undefined, 'delivers once');
  });

  it('no decision on f+1 signed but unchecked records, unless the no-check mutant', () => {
    const signed: RecordView = { checked: false, echo: h, signed: sigma };
    assert.equal(receiverNext({}, { ...base, records: [signed, signed, none], candidates: [m] }).decided, undefined);
    assert.ok(receiverNext({}, { ...base, requireChecked: false, records: [signed, signed, none], candidates: [m] }).decided);
  });

  it('duties: done once checked, or once every record shows Ready for the decided hash', () => {
    const state = { decision: { hash: h, path: 'slow' as const }, delivered: m };
    assert.equal(consistentDutiesDone(true, state, [none, none, none]), true);
    assert.equal(consistentDutiesDone(false, state, [{ checked: false, ready: h }, { checked: false, ready: h }, none]), false);
    assert.equal(consistentDutiesDone(false, state, [0, 1, 2].map(() => ({ checked: false, ready: h }))), true);
  });

  it('hands deliveries over in k order per sender', () => {
    assert.deepEqual(releaseInOrder(1, new Map([[2, 'b'], [3, 'c']])), { released: [], next: 1 });
    assert.deepEqual(releaseInOrder(1, new Map([[1, 'a'], [2, 'b'], [4, 'd']])), { released: ['a', 'b'], next: 3 });
  });
});

describe('RB on the CB outcome', () => {
  const base = { f: 1, valid, readyTimeout: 30, now: 100, candidates: [] };
  const cb = { decision: { hash: h, path: 'fast' as const }, delivered: m };

  it('fast path: all n Readys; writes delivered and delivers after the write', () => {
    const ready: RecordView = { checked: false, ready: h };
    const step = reliableNext({}, { ...base, records: [ready, ready, ready], consistent: cb, readyAt: 95 });
    assert.deepEqual(step.fields, { delivered: m });
    assert.deepEqual(step.deliver, { message: m, path: 'fast' });
    assert.equal(step.signReady, false, 'the timeout has not passed');
  });

  it('signs its Ready after the timeout unless everybody delivered', () => {
    const ready: RecordView = { checked: false, ready: h };
    assert.equal(reliableNext({}, { ...base, records: [ready, ready, none], consistent: cb, readyAt: 70 }).signReady, true);
    const delivered: RecordView = { checked: false, ready: h, delivered: m };
    assert.equal(reliableNext({}, { ...base, records: [delivered, delivered, delivered], consistent: cb, readyAt: 70 }).signReady, false);
    assert.equal(reliableNext({}, { ...base, records: [ready, ready, none], consistent: {}, readyAt: 70 }).signReady, false, 'no CB decision, no Ready to sign');
  });

  it('slow path: f+1 signed Readys form a ReadySet, written into its record; m may come from a delivered field', () => {
    const signedReady = (process: number): RecordView => ({ checked: false, ready: h, readySig: readySig(process) });
    const step = reliableNext({}, { ...base, records: [signedReady(0), none, { ...signedReady(2), delivered: m }], consistent: {} });
    assert.deepEqual(step.state.decision, { hash: h, path: 'slow' });
    assert.ok(step.fields.readySet);
    assert.deepEqual(decodeReadySet(step.fields.readySet)?.entries.map((entry) => entry.signer), [0, 2]);
    assert.deepEqual(step.deliver, { message: m, path: 'slow' }, 'totality: m found in a delivered field without a CB delivery');
    const forged: RecordView = { checked: false, ready: h, readySig: readySig(1, hOther) };
    assert.equal(reliableNext({}, { ...base, records: [signedReady(0), forged, none], consistent: {} }).state.decision, undefined, 'a Ready signed for another hash does not count');
  });

  it('duties: done when everybody delivered, or holding a ReadySet, or after signing its Ready with CB duties done', () => {
    const decided = { decision: { hash: h, path: 'fast' as const }, delivered: m };
    assert.equal(reliableDutiesDone(decided, [0, 1, 2].map(() => ({ checked: false, delivered: m })), false), true);
    assert.equal(reliableDutiesDone(decided, [none, none, none], true), false);
    assert.equal(reliableDutiesDone({ ...decided, readySignature: readySig(1) }, [none, none, none], true), true);
    assert.equal(reliableDutiesDone({ ...decided, readySignature: readySig(1) }, [none, none, none], false), false);
    assert.equal(reliableDutiesDone({ decision: decided.decision }, [none, none, none], true), false, 'not before delivering');
  });
});

describe('the read range of a round', () => {
  it('covers the lowest undone broadcast up to `window` past the lowest undecided one', () => {
    assert.deepEqual(readRange([{ sequence: 1, decided: false }, { sequence: 2, decided: false }, { sequence: 3, decided: false }], [], 1, 8), { first: 1, last: 2 });
    assert.deepEqual(readRange([{ sequence: 1, decided: true }, { sequence: 3, decided: false }], [], 1, 8), { first: 1, last: 4 }, 'a decided but undone broadcast does not hide later ones');
    assert.deepEqual(readRange([{ sequence: 2, decided: false }], [2, 3, 4], 3, 8), { first: 2, last: 5 }, 'a window of 3 in flight');
    assert.deepEqual(readRange([{ sequence: 8, decided: false }], [], 4, 8), { first: 8, last: 8 }, 'never past the run’s slots');
    assert.deepEqual(mergeRanges([{ first: 6, last: 10 }, { first: 1, last: 5 }, { first: 1, last: 5 }, { first: 12, last: 14 }]), [{ first: 1, last: 10 }, { first: 12, last: 14 }], 'per-sender ranges read once where they meet');
  });
});
