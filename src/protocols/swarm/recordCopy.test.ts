import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyOffset, decodeRecord, encodeRecord, largestWrite, recordRegionSize, recordSize } from './recordCopy.js';
import { packWord } from './word.js';

const valueMax = 16;
const write = (timestamp: number, writer: number, fill: number) => ({ word: packWord({ timestamp: BigInt(timestamp), writer }), value: new Uint8Array(valueMax).fill(fill) });

function region(clients: number, copies: Record<string, Uint8Array>): Uint8Array {
  const bytes = new Uint8Array(recordRegionSize(clients, valueMax));
  for (const [at, record] of Object.entries(copies)) {
    const [client, copy] = at.split('/').map(Number);
    bytes.set(record, copyOffset(client, copy, valueMax));
  }
  return bytes;
}

/** The record as a write cut short after its first word leaves it: the rest keeps the old (here zero) contents for good. */
function cutShort(record: Uint8Array): Uint8Array {
  const torn = new Uint8Array(record.length);
  torn.set(record.subarray(0, 8));
  return torn;
}

describe('SWARM register records (two copies per client)', () => {
  it('round-trips a word and its value; a zeroed record is the initial value', () => {
    const stored = write(3, 1, 0xab);
    const decoded = decodeRecord(encodeRecord(stored, valueMax));
    assert.notEqual(decoded, 'torn');
    assert.deepEqual(decoded, stored);
    assert.deepEqual(decodeRecord(new Uint8Array(recordSize(valueMax))), { word: 0n, value: null });
  });

  it('detects every word-wise mix of two writes', () => {
    const older = encodeRecord(write(1, 0, 0xaa), valueMax);
    const newer = encodeRecord(write(2, 0, 0x55), valueMax);
    const words = older.length / 8;
    for (let mask = 1; mask < (1 << words) - 1; mask++) {
      const mixed = older.slice();
      for (let word = 0; word < words; word++) if (mask & (1 << word)) mixed.set(newer.subarray(word * 8, word * 8 + 8), word * 8);
      assert.equal(decodeRecord(mixed), 'torn', `mask ${mask.toString(2)}`);
    }
  });

  it('a READ of a region gives the largest write over every client and copy', () => {
    const bytes = region(3, { '0/0': encodeRecord(write(4, 0, 1), valueMax), '0/1': encodeRecord(write(5, 0, 2), valueMax), '2/1': encodeRecord(write(5, 2, 3), valueMax) });
    assert.deepEqual(largestWrite(bytes, 3, valueMax), write(5, 2, 3));
    assert.deepEqual(largestWrite(new Uint8Array(recordRegionSize(2, valueMax)), 2, valueMax), { word: 0n, value: null });
  });

  it('a copy cut short for good reads as the client’s previous write, kept whole in the other copy', () => {
    const bytes = region(2, { '1/0': encodeRecord(write(6, 1, 7), valueMax), '1/1': cutShort(encodeRecord(write(8, 1, 9), valueMax)) });
    assert.deepEqual(largestWrite(bytes, 2, valueMax), write(6, 1, 7));
  });

  it('both copies of one client torn: the READ must be repeated', () => {
    const bytes = region(2, { '1/0': cutShort(encodeRecord(write(6, 1, 7), valueMax)), '1/1': cutShort(encodeRecord(write(8, 1, 9), valueMax)) });
    assert.equal(largestWrite(bytes, 2, valueMax), 'torn');
  });

  it('refuses a value beyond valueMax', () => {
    assert.throws(() => encodeRecord({ word: 1n << 11n, value: new Uint8Array(valueMax + 1) }, valueMax), /exceeds/);
  });
});
