import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyOffset, decodeSlot, decodeSlotPair, encodeSlot, highest, registerRegionSize, slotSize } from './slot.js';

describe('register slot', () => {
  it('round-trips timestamp and value', () => {
    const bytes = encodeSlot(7n, new Uint8Array([1, 2, 3]), 16);
    assert.equal(bytes.length, slotSize(16));
    const slot = decodeSlot(bytes);
    assert.notEqual(slot, 'torn');
    assert.equal((slot as { timestamp: bigint }).timestamp, 7n);
    assert.deepEqual([...((slot as { value: Uint8Array }).value)], [1, 2, 3]);
  });

  it('reads a zeroed slot as never written', () => {
    assert.deepEqual(decodeSlot(new Uint8Array(slotSize(16))), { timestamp: 0n, value: null });
  });

  it('detects every mix of words from two different writes', () => {
    const older = encodeSlot(1n, new Uint8Array(16).fill(0xaa), 16);
    const newer = encodeSlot(2n, new Uint8Array(16).fill(0x55), 16);
    const words = older.length / 8;
    for (let mask = 1; mask < (1 << words) - 1; mask++) {
      const mixed = older.slice();
      for (let word = 0; word < words; word++) if (mask & (1 << word)) mixed.set(newer.subarray(word * 8, word * 8 + 8), word * 8);
      assert.equal(decodeSlot(mixed), 'torn', `mask ${mask.toString(2)}`);
    }
  });

  it('picks the highest timestamp', () => {
    const slots = [
      { timestamp: 1n, value: new Uint8Array([1]) },
      { timestamp: 3n, value: new Uint8Array([3]) },
      { timestamp: 2n, value: new Uint8Array([2]) },
    ];
    assert.deepEqual([...(highest(slots).value as Uint8Array)], [3]);
    assert.deepEqual(highest([]), { timestamp: 0n, value: null });
  });

  it('refuses a value beyond the capacity', () => {
    assert.throws(() => encodeSlot(1n, new Uint8Array(17), 16), /capacity/);
  });
});

describe('register slot copies (a write cut short never tears the last whole value)', () => {
  const capacity = 16;
  const region = (first: Uint8Array, second: Uint8Array) => {
    const bytes = new Uint8Array(registerRegionSize(capacity));
    bytes.set(first, 0);
    bytes.set(second, slotSize(capacity));
    return bytes;
  };
  const cutShort = (whole: Uint8Array) => {
    const torn = new Uint8Array(whole.length);
    torn.set(whole.subarray(0, 8));
    return torn;
  };

  it('timestamps alternate between the copies', () => {
    assert.deepEqual([1n, 2n, 3n, 4n].map((t) => copyOffset(t, capacity)), [slotSize(capacity), 0, slotSize(capacity), 0]);
  });

  it('the region reads as the whole copy with the higher timestamp; a torn copy reads as the other one', () => {
    const two = encodeSlot(2n, new Uint8Array([2]), capacity);
    const three = encodeSlot(3n, new Uint8Array([3]), capacity);
    assert.equal((decodeSlotPair(region(two, three), capacity) as { timestamp: bigint }).timestamp, 3n);
    assert.equal((decodeSlotPair(region(encodeSlot(4n, new Uint8Array([4]), capacity), three), capacity) as { timestamp: bigint }).timestamp, 4n);
    assert.equal((decodeSlotPair(region(two, cutShort(three)), capacity) as { timestamp: bigint }).timestamp, 2n);
    assert.equal(decodeSlotPair(region(cutShort(two), cutShort(three)), capacity), 'torn');
    assert.equal((decodeSlotPair(region(two, cutShort(three)), capacity, false) as { timestamp: bigint }).timestamp, 3n, 'no-checksum takes the torn copy');
  });
});
