import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checksum as crc32 } from '../../fabric/index.js';
import { contextHeaderValueCrc, openRecord, sealRecord, type RecordLayout } from './record.js';
import { encodeSlot } from '../register/slot.js';
import { encodeLogSlot } from '../consensus/logSlot.js';
import { encodeField, encodeSlotImage, type SlotShape } from '../byzantine/slot.js';

const layout: RecordLayout = { header: 16, lengthAt: 8, checksumAt: 12, coveredFrom: 0 };

describe('checksummed records', () => {
  it('round-trip, and a zeroed record is blank', () => {
    const record = sealRecord(new Uint8Array(32), layout, new Uint8Array([1, 2, 3]));
    assert.deepEqual(openRecord(record, layout), { blank: false, length: 3 });
    assert.deepEqual(openRecord(new Uint8Array(32), layout), { blank: true });
  });
  it('detect a changed covered byte or value byte, not an uncovered one', () => {
    const partial: RecordLayout = { header: 24, lengthAt: 16, checksumAt: 20, coveredFrom: 8 };
    const record = sealRecord(new Uint8Array(32), partial, new Uint8Array([5, 6]));
    const uncovered = record.slice();
    uncovered[0] ^= 1;
    assert.notEqual(openRecord(uncovered, partial), 'torn');
    for (const position of [8, 16, 24, 25]) {
      const changed = record.slice();
      changed[position] ^= 1;
      assert.equal(openRecord(changed, partial), 'torn', `byte ${position}`);
      assert.notEqual(openRecord(changed, partial, false), 'torn', 'the no-checksum mutants take it at face value');
    }
  });
  it('refuse a value larger than the room, writing nothing, and treat an impossible length as torn', () => {
    const record = new Uint8Array(24);
    assert.throws(() => sealRecord(record, layout, new Uint8Array(9)), RangeError);
    assert.deepEqual([...record], new Array(24).fill(0));
    const sealed = sealRecord(new Uint8Array(24), layout, new Uint8Array(8));
    assert.equal(openRecord(sealed, layout, true, 4), 'torn');
  });
  it('use the checksum function it is given', () => {
    const constant: RecordLayout = { ...layout, checksum: () => 42 };
    const record = sealRecord(new Uint8Array(24), constant, new Uint8Array([9]));
    assert.equal(new DataView(record.buffer).getUint32(12, true), 42);
    assert.equal(openRecord(record, layout), 'torn');
    assert.notEqual(openRecord(record, constant), 'torn');
  });
  it('bind context they do not store: a record sealed for one place is torn in another', () => {
    const bound: RecordLayout = { header: 8, lengthAt: 0, checksumAt: 4, coveredFrom: 0, contextLength: 4, checksum: contextHeaderValueCrc };
    const here = Uint8Array.of(1, 0, 0, 0);
    const record = sealRecord(new Uint8Array(16), bound, Uint8Array.of(7, 8, 9), here);
    assert.deepEqual([...record.subarray(8, 11)], [7, 8, 9], 'the context is not stored');
    assert.deepEqual(openRecord(record, bound, true, 8, here), { blank: false, length: 3 });
    assert.equal(openRecord(record, bound, true, 8, Uint8Array.of(2, 0, 0, 0)), 'torn');
    assert.deepEqual(openRecord(new Uint8Array(16), bound, true, 8, here), { blank: true });
  });
  it('compute the context checksum as one CRC-32 over context, covered header and value', () => {
    const bound: RecordLayout = { header: 16, lengthAt: 8, checksumAt: 12, coveredFrom: 4, contextLength: 3, checksum: contextHeaderValueCrc };
    const record = new Uint8Array(24);
    record.set([11, 12, 13, 14, 15, 16, 17, 18], 0);
    sealRecord(record, bound, Uint8Array.of(0xfe, 0xed), Uint8Array.of(1, 2, 3));
    // context | bytes 4..11 (uncovered 0..3 left out; the length at 8..11 included) | value
    const expected = crc32(Uint8Array.of(1, 2, 3, 15, 16, 17, 18, 2, 0, 0, 0, 0xfe, 0xed));
    assert.equal(new DataView(record.buffer).getUint32(12, true), expected);
  });
  it('refuse context of the wrong length, and a checksum that covers none refuses any', () => {
    const bound: RecordLayout = { ...layout, contextLength: 4, checksum: contextHeaderValueCrc };
    assert.throws(() => sealRecord(new Uint8Array(24), bound, Uint8Array.of(1)), /4 bytes of context, got 0/);
    assert.throws(() => openRecord(new Uint8Array(24), layout, true, 8, Uint8Array.of(1)), /0 bytes of context, got 1/);
    assert.throws(() => sealRecord(new Uint8Array(24), { ...layout, contextLength: 1 }, Uint8Array.of(1), Uint8Array.of(1)), /covers no context/);
  });
});

/**
 * Every slot format sealed through the codec, pinned byte for byte: the
 * hex strings were taken from each format's encoder before the formats
 * shared this codec, so a change to the codec that moves any byte of any
 * spec's layout (or its checksum) fails here.
 */
describe('every slot format keeps its exact bytes', () => {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  const text = (value: string) => new TextEncoder().encode(value);
  const counting = (length: number, byte: (index: number) => number) => Uint8Array.from({ length }, (_, index) => byte(index));
  const shape: SlotShape = { messageCapacity: 8, readyCapacity: 1 };

  it('the register slot (whole header covered)', () => {
    assert.equal(hex(encodeSlot(7n, Uint8Array.of(1, 2, 3), 8)), '07000000000000000300000003c9e5d10102030000000000');
    assert.equal(hex(encodeSlot(0x0102030405060708n, text('hello mnm'), 16)), '0807060504030201090000002c5df7a968656c6c6f206d6e6d00000000000000');
    assert.equal(hex(encodeSlot(1n, new Uint8Array(0), 8)), '010000000000000000000000008a70e00000000000000000');
  });
  it('the log slot', () => {
    assert.equal(hex(encodeLogSlot({ accepted: 4n, value: text('p1:x') }, 8)), '04000000000000000400000017c42fbc70313a7800000000');
    assert.equal(hex(encodeLogSlot({ accepted: 0n, value: new Uint8Array(0) }, 8)), '0000000000000000000000006fc6d57b0000000000000000');
    assert.equal(hex(encodeLogSlot({ accepted: 0x200000003n, value: text('entry#12') }, 16)), '030000000200000008000000767b1e0e656e7472792331320000000000000000');
  });
  it('the broadcast fields and a whole sender slot (checksum over owner, sender, k, field id)', () => {
    assert.equal(hex(encodeField({ owner: 1, sender: 0, sequence: 1 }, 'echo', counting(32, (index) => index), shape, 3)), '20000000ce00e89b000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    assert.equal(hex(encodeField({ owner: 2, sender: 2, sequence: 7 }, 'value', text('m7'), shape, 3)), '02000000cda846c36d37000000000000');
    const sender = encodeSlotImage('sender', { owner: 0, sender: 0, sequence: 3 }, { fields: { value: text('p0:m3'), sig: counting(64, (index) => 255 - index) } }, shape);
    assert.equal(
      hex(sender),
      '030000000000000005000000901c44bf70303a6d3300000040000000c15c4eaffffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0dfdedddcdbdad9d8d7d6d5d4d3d2d1d0cfcecdcccbcac9c8c7c6c5c4c3c2c1c0',
    );
  });
});
