import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { batchHash, decodeMessage, encodeMessage, type CodecLimits } from './codec.js';
import { MalformedField } from './fieldCodec.js';
import { messageTypes, type BftMessage, type CheckpointCertificate, type Request } from './messages.js';

const limits: CodecLimits = { window: 8, batchLimit: 16, opLimitBytes: 128, snapshotLimitBytes: 65536, resultLimitBytes: 256 };
const h = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
const sig = (fill: number): Uint8Array => new Uint8Array(64).fill(fill);
const request: Request = { client: 3, sequence: 2, op: Uint8Array.of(1, 2, 3), signature: sig(9) };
const cp: CheckpointCertificate = { next: 4, digest: h(5), shares: [{ signer: 0, signature: sig(1) }, { signer: 2, signature: sig(2) }] };
const state = { checkpointNext: 4, checkpointDigest: h(5), commits: [{ instance: 5, view: 1, hash: h(6) }] };

/** One sample of every message type, each field set. */
const samples: BftMessage[] = [
  { type: 'req', request },
  { type: 'prepare', view: 1, instance: 7, batch: [request, { ...request, client: 4 }] },
  { type: 'promise', view: 0, instance: 1, hash: h(1) },
  { type: 'commit-fast', view: 2, instance: 3, hash: h(2) },
  { type: 'share', view: 0, instance: 1, hash: h(1), signature: sig(3) },
  { type: 'commit', view: 0, instance: 1, batch: [request], certificate: { view: 0, instance: 1, hash: h(1), shares: cp.shares } },
  { type: 'seal', view: 4 },
  { type: 'vc-share', process: 1, sealedBefore: -1, sealed: 0, state, checkpoint: cp, signature: sig(4) },
  { type: 'vc-share', process: 2, sealedBefore: 0, sealed: 3, state, checkpoint: null, signature: sig(4) },
  { type: 'new-view', view: 1, checkpoint: cp, states: [{ process: 0, sealedBefore: -1, sealed: 0, state, certificate: cp.shares }] },
  { type: 'batch-req', view: 1, instance: 2, hash: h(7) },
  { type: 'batch', batch: [] },
  { type: 'have-cp', checkpoint: cp },
  { type: 'ckpt-share', next: 8, digest: h(8), signature: sig(8) },
  { type: 'checkpoint', checkpoint: cp },
  { type: 'fetch', checkpoint: cp },
  { type: 'state', checkpoint: cp, snapshot: { pairs: [['a', '1'], ['b', '2']], clients: [{ client: 3, last: 2, result: Uint8Array.of(1) }] } },
  { type: 'reply', client: 3, sequence: 2, result: Uint8Array.of(7, 7) },
];

function refused(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => decodeMessage(bytes, limits), (error: unknown) => error instanceof MalformedField && pattern.test(error.message));
}

describe('bft codec', () => {
  it('round-trips every message type of §2.3: decode(encode(m)) = m and encode(decode(x)) = x', () => {
    assert.deepEqual(new Set(samples.map((sample) => sample.type)), new Set(Object.keys(messageTypes)));
    for (const sample of samples) {
      const bytes = encodeMessage(sample);
      assert.equal(bytes[0], messageTypes[sample.type]);
      const back = decodeMessage(bytes, limits);
      assert.deepEqual(back, sample, sample.type);
      assert.deepEqual(encodeMessage(back), bytes, sample.type);
    }
  });

  it('refuses every message cut short at any byte, and any trailing byte', () => {
    for (const sample of samples) {
      const bytes = encodeMessage(sample);
      for (let length = 0; length < bytes.length; length++) assert.throws(() => decodeMessage(bytes.subarray(0, length), limits), MalformedField, `${sample.type} cut at ${length}`);
      refused(Uint8Array.from([...bytes, 0]), /trailing/);
    }
  });

  it('refuses an unknown type, huge counts, u64 ≥ 2^53, big ops and unsorted certificate signers', () => {
    refused(Uint8Array.of(0), /unknown message type 0/);
    refused(Uint8Array.of(99), /unknown message type 99/);
    // A PREPARE whose batch claims 2^32−1 requests: refused on the count, nothing allocated.
    const prepare = encodeMessage({ type: 'prepare', view: 0, instance: 0, batch: [] });
    const huge = Uint8Array.from(prepare);
    new DataView(huge.buffer).setUint32(17, 0xffffffff, true);
    refused(huge, /batch has 4294967295 items/);
    // A SEAL of view 2^53.
    const seal = encodeMessage({ type: 'seal', view: 0 });
    new DataView(seal.buffer).setBigUint64(1, 2n ** 53n, true);
    refused(seal, /≥ 2\^53/);
    refused(encodeMessage({ type: 'req', request: { ...request, op: new Uint8Array(129) } }), /op has 129 bytes/);
    const unsorted = { ...cp, shares: [...cp.shares].reverse() };
    refused(encodeMessage({ type: 'checkpoint', checkpoint: unsorted }), /not strictly increasing/);
    const repeated = { ...cp, shares: [cp.shares[0], cp.shares[0]] };
    refused(encodeMessage({ type: 'have-cp', checkpoint: repeated }), /not strictly increasing/);
  });

  it('hashes batches by their encoding: equal batches, equal hashes; any change, another hash', () => {
    assert.deepEqual(batchHash([request]), batchHash([{ ...request, op: Uint8Array.of(1, 2, 3) }]));
    assert.notDeepEqual(batchHash([request]), batchHash([{ ...request, sequence: 3 }]));
    assert.notDeepEqual(batchHash([]), batchHash([request]));
  });
});
