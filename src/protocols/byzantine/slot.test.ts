import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { concatFields, decodeSlot, encodePayload, encodeSlot, slotSize, type SlotShape } from './slot.js';
import { mergeSlot, type RegionRead } from './registers.js';
import type { BroadcastLayout } from './layout.js';

const shape: SlotShape = { messageCapacity: 32, proofCapacity: 2 };
const encoder = new TextEncoder();
const m = encoder.encode('p0:m1');
const signature = new Uint8Array(64).fill(9);

function decode(payload: Uint8Array) {
  return decodeSlot(encodeSlot(1n, payload, shape), shape, 3);
}

describe('byzantine slot codec', () => {
  it('round-trips every field', () => {
    const content = { echo: m, echoSignature: signature, checked: true, ready: m, readySignature: signature, proofValue: m, proof: [{ signer: 0, signature }, { signer: 2, signature }], delivered: m };
    const decoded = decode(encodePayload(content, shape));
    assert.equal(decoded.kind, 'slot');
    if (decoded.kind === 'slot') assert.deepEqual(decoded.content, content);
    assert.deepEqual(decodeSlot(new Uint8Array(slotSize(shape)), shape, 3), { kind: 'empty' });
  });

  it('rejects malformed payloads a Byzantine owner may write', () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['wrong-length signature', concatFields([{ tag: 3, bytes: m }, { tag: 4, bytes: signature.slice(0, 63) }]), /signature/],
      ['truncated field', concatFields([{ tag: 3, bytes: m }]).slice(0, 5), /truncated/],
      ['truncated header', concatFields([{ tag: 3, bytes: m }, { tag: 5, bytes: new Uint8Array(0) }]).slice(0, 9), /truncated/],
      ['unknown tag', concatFields([{ tag: 99, bytes: m }]), /unknown tag/],
      ['repeated field', concatFields([{ tag: 3, bytes: m }, { tag: 3, bytes: m }]), /repeated/],
      ['oversized message', concatFields([{ tag: 3, bytes: new Uint8Array(33) }]), /1\.\.32/],
      ['empty message', concatFields([{ tag: 3, bytes: new Uint8Array(0) }]), /1\.\.32/],
      ['checked with bytes', concatFields([{ tag: 5, bytes: m }]), /checked/],
      ['signature without its value', concatFields([{ tag: 4, bytes: signature }]), /without/],
      ['proof naming a process twice', concatFields([{ tag: 8, bytes: m }, { tag: 9, bytes: new Uint8Array([1, 0, ...signature, 1, 0, ...signature]) }]), /twice/],
      ['proof naming no process', concatFields([{ tag: 8, bytes: m }, { tag: 9, bytes: new Uint8Array([7, 0, ...signature]) }]), /does not exist/],
      ['proof of a wrong length', concatFields([{ tag: 8, bytes: m }, { tag: 9, bytes: new Uint8Array(65) }]), /proof/],
    ];
    for (const [what, payload, reason] of cases) {
      const decoded = decode(payload);
      assert.equal(decoded.kind, 'malformed', what);
      if (decoded.kind === 'malformed') assert.match(decoded.reason, reason, what);
    }
    assert.throws(() => encodePayload({ echo: m, echoSignature: signature.slice(1) }, shape), /64 bytes/);
  });

  it('reads a torn or corrupted slot as torn, never as content', () => {
    const good = encodeSlot(2n, encodePayload({ echo: m }, shape), shape);
    const corrupted = good.slice();
    corrupted[20] ^= 1;
    assert.equal(decodeSlot(corrupted, shape, 3).kind, 'torn');
    const torn = good.slice();
    torn.set(encodeSlot(3n, encodePayload({ echo: encoder.encode('other') }, shape), shape).subarray(0, 8), 0);
    assert.equal(decodeSlot(torn, shape, 3).kind, 'torn');
  });
});

describe('merging the copies of a replicated SWMR slot', () => {
  const layout: BroadcastLayout = { processCount: 3, memories: [0, 1, 2], senders: [0], messages: 1, shape };
  const copy = (memory: number, version: bigint, value: string) => ({ memory, bytes: encodeSlot(version, encodePayload({ echo: encoder.encode(value) }, shape), shape) });
  const read = (copies: { memory: number; bytes: Uint8Array }[]): RegionRead => ({ owner: 1, first: 0, count: 1, copies });

  it('keeps the highest version', () => {
    const slot = mergeSlot(read([copy(0, 1n, 'old'), copy(1, 2n, 'new')]), 0, layout);
    assert.deepEqual(slot.content?.echo, encoder.encode('new'));
    assert.equal(slot.uncertain, false);
  });

  it('breaks ties at one version by the lowest memory and flags the equivocation', () => {
    const slot = mergeSlot(read([copy(2, 1n, 'b'), copy(1, 1n, 'a')]), 0, layout);
    assert.deepEqual(slot.content?.echo, encoder.encode('a'));
    assert.equal(slot.equivocation, true);
  });

  it('marks a slot with a torn copy uncertain', () => {
    const torn = copy(1, 2n, 'new');
    torn.bytes[12] ^= 1;
    const slot = mergeSlot(read([copy(0, 1n, 'old'), torn]), 0, layout);
    assert.equal(slot.uncertain, true);
    assert.deepEqual(slot.content?.echo, encoder.encode('old'));
  });
});
