import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEntry, encodeEntry, entryChecksum, entrySize, validValue } from './entry.js';
import { packWord, verifiedWord, withSlot } from './word.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const valueMax = 16;

describe('SWARM entries (swarm.md §3)', () => {
  it("checksums id ‖ j ‖ len ‖ value with xxh64 seed 0: the spec's example (id 40961, j 3, \"v1\")", () => {
    const word = packWord({ timestamp: 10n, writer: 1 });
    assert.equal(word >> 12n, 40961n);
    assert.equal(entryChecksum(word, 3, text('v1')), 0x9fcd12c3584e5e10n);
  });

  it('lays out word +0 | checksum +8 | len u32 +16 | value +24, zero past len', () => {
    const word = packWord({ timestamp: 10n, writer: 1, slot: 5 });
    const bytes = encodeEntry(word, 3, text('v1'), valueMax);
    assert.equal(bytes.length, entrySize(valueMax));
    assert.equal(bytes.length, 40);
    const view = new DataView(bytes.buffer);
    assert.equal(view.getBigUint64(0, true), word);
    assert.equal(view.getBigUint64(8, true), 0x9fcd12c3584e5e10n);
    assert.equal(view.getUint32(16, true), 2);
    assert.equal(view.getUint32(20, true), 0, 'pad');
    assert.deepEqual([...bytes.subarray(24, 26)], [...text('v1')]);
    assert.ok(bytes.subarray(26).every((byte) => byte === 0));
    assert.throws(() => encodeEntry(word, 3, new Uint8Array(17), valueMax), /exceeds valueMax 16/);
  });

  it('a decoded entry is valid for its write, whatever its V and slot (copies and promotions keep the sum)', () => {
    const guessed = packWord({ timestamp: 7n, writer: 2, verified: false, slot: 1 });
    const entry = decodeEntry(encodeEntry(guessed, 0, text('hello'), valueMax), valueMax);
    assert.deepEqual(validValue(0, guessed, entry, valueMax), text('hello'));
    assert.deepEqual(validValue(0, verifiedWord(guessed), entry, valueMax), text('hello'));
    assert.deepEqual(validValue(0, withSlot(guessed, 9), entry, valueMax), text('hello'));
    assert.deepEqual(validValue(0, guessed, decodeEntry(encodeEntry(guessed, 0, new Uint8Array(0), valueMax), valueMax), valueMax), new Uint8Array(0));
  });

  it('is invalid for another write, another record, a torn mix, a bad length, nothing', () => {
    const x1 = packWord({ timestamp: 7n, writer: 2 });
    const x2 = packWord({ timestamp: 8n, writer: 2 });
    const first = encodeEntry(x1, 0, text('aaaaaaaabbbbbbbb'), valueMax);
    const second = encodeEntry(x2, 0, text('ccccccccdddddddd'), valueMax);
    assert.equal(validValue(0, x2, decodeEntry(first, valueMax), valueMax), null, 'another id');
    assert.equal(validValue(1, x1, decodeEntry(first, valueMax), valueMax), null, 'another record');
    assert.equal(validValue(0, x1, null, valueMax), null);
    assert.equal(validValue(0, 0n, decodeEntry(first, valueMax), valueMax), null);
    // Word-wise mixes: x2's header with x1's value words, and x1's header with one word of x2's value.
    const torn = second.slice();
    torn.set(first.subarray(24), 24);
    assert.equal(validValue(0, x2, decodeEntry(torn, valueMax), valueMax), null);
    const tornValue = first.slice();
    tornValue.set(second.subarray(32, 40), 32);
    assert.equal(validValue(0, x1, decodeEntry(tornValue, valueMax), valueMax), null);
    // ts is in the sum: the same writer's stale entry with x1's header words but x2's checksum fails.
    const staleSum = first.slice();
    staleSum.set(second.subarray(8, 16), 8);
    assert.equal(validValue(0, x1, decodeEntry(staleSum, valueMax), valueMax), null);
    const long = first.slice();
    new DataView(long.buffer).setUint32(16, valueMax + 8, true);
    assert.equal(validValue(0, x1, decodeEntry(long, valueMax), valueMax), null);
  });
});
