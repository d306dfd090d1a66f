import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSlot, encodeSlot, highest, slotSize } from './slot.js';

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
