import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldReader, FieldWriter, MalformedField } from './fieldCodec.js';
import { readCheckpointCertificate, readSnapshot, readVcState, snapshotBytes, snapshotDigest, vcStateBytes, vcStateHash, writeCheckpointCertificate, writeShares, readShares } from './stateCodec.js';
import { assemble, certifies, validCheckpointCertificate, validPrepareCertificate } from './certificates.js';
import { Signer, runKeys } from '../../../crypto/index.js';
import type { VcState } from './messages.js';

const h = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);

describe('bft: certificates, view-change states and snapshots', () => {
  it('encodes a vcState canonically and refuses unsorted commits or commits below the checkpoint', () => {
    const state: VcState = { checkpointNext: 4, checkpointDigest: h(1), commits: [{ instance: 4, view: 0, hash: h(2) }, { instance: 6, view: 1, hash: h(3) }] };
    const back = readVcState(new FieldReader(vcStateBytes(state)), 16);
    assert.deepEqual(back, state);
    assert.deepEqual(vcStateHash(back), vcStateHash(state));
    const unsorted = vcStateBytes({ ...state, commits: [...state.commits].reverse() });
    assert.throws(() => readVcState(new FieldReader(unsorted), 16), /not strictly increasing/);
    const below = vcStateBytes({ ...state, commits: [{ instance: 3, view: 0, hash: h(2) }] });
    assert.throws(() => readVcState(new FieldReader(below), 16), /below its checkpoint/);
    assert.throws(() => readVcState(new FieldReader(vcStateBytes(state)), 1), /at most 1/);
  });

  it('hashes a snapshot the same whatever the order it was built in', () => {
    const a = { pairs: [['y', '2'], ['x', '1']] as [string, string][], clients: [{ client: 5, last: 2, result: h(0) }, { client: 4, last: 1, result: new Uint8Array() }] };
    const b = { pairs: [['x', '1'], ['y', '2']] as [string, string][], clients: [...a.clients].reverse() };
    assert.deepEqual(snapshotDigest(a), snapshotDigest(b));
    const back = readSnapshot(new FieldReader(snapshotBytes(a)), 65536);
    assert.deepEqual(back.pairs, [['x', '1'], ['y', '2']]);
    assert.deepEqual(back.clients.map((c) => c.client), [4, 5]);
    assert.notDeepEqual(snapshotDigest(a), snapshotDigest({ ...a, pairs: [['x', '1'], ['y', '3']] }));
  });

  it('refuses certificates with repeated signers on the wire', () => {
    const writer = new FieldWriter();
    writeShares(writer, [{ signer: 1, signature: new Uint8Array(64) }, { signer: 1, signature: new Uint8Array(64) }]);
    assert.throws(() => readShares(new FieldReader(writer.finish()), 'PC'), (error: unknown) => error instanceof MalformedField && /strictly increasing/.test(error.message));
  });

  it('certifies with f+1 valid shares of distinct replicas, and nothing less', () => {
    const quorum = { f: 1, n: 3, window: 8 };
    const signers = [0, 1, 2].map((id) => new Signer(id, runKeys(9), 3));
    const checker = new Signer(0, runKeys(9), 3);
    const verify = checker.verify.bind(checker);
    const statement = { purpose: 'prepare' as const, view: 1, instance: 2, hash: h(4) };
    const shares = new Map(signers.map((signer) => [signer.self, signer.sign(statement)] as const));
    const pc = { view: 1, instance: 2, hash: h(4), shares: assemble(shares, 1)! };
    assert.deepEqual(pc.shares.map((share) => share.signer), [0, 1]);
    assert.equal(validPrepareCertificate(pc, quorum, verify), true);
    assert.equal(validPrepareCertificate({ ...pc, instance: 3 }, quorum, verify), false, 'another statement');
    assert.equal(validPrepareCertificate({ ...pc, shares: pc.shares.slice(0, 1) }, quorum, verify), false, 'f shares');
    assert.equal(validPrepareCertificate({ ...pc, shares: [pc.shares[0], pc.shares[0]] }, quorum, verify), false, 'one signer twice');
    assert.equal(validPrepareCertificate({ ...pc, shares: [...pc.shares].reverse() }, quorum, verify), false, 'unsorted');
    const forged = { ...pc, shares: [pc.shares[0], { signer: 1, signature: pc.shares[0].signature }] };
    assert.equal(validPrepareCertificate(forged, quorum, verify), false, "p0's signature under p1's name");
    assert.equal(assemble(new Map([[2, new Uint8Array(64)]]), 1), undefined);
    assert.equal(certifies(pc.shares, statement, { f: 1, n: 1 }, verify), false, 'a signer beyond n');

    const cpStatement = { purpose: 'checkpoint' as const, next: 4, digest: h(5) };
    const cp = { next: 4, digest: h(5), shares: [0, 2].map((id) => ({ signer: id, signature: signers[id].sign(cpStatement) })) };
    assert.equal(validCheckpointCertificate(cp, quorum, verify), true);
    const writer = new FieldWriter();
    writeCheckpointCertificate(writer, cp);
    assert.deepEqual(readCheckpointCertificate(new FieldReader(writer.finish())), cp);
    const offWindow = { purpose: 'checkpoint' as const, next: 3, digest: h(5) };
    assert.equal(validCheckpointCertificate({ next: 3, digest: h(5), shares: [0, 2].map((id) => ({ signer: id, signature: signers[id].sign(offWindow) })) }, quorum, verify), false, 'next not a multiple of W/2');
  });
});
