import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLogSlot, encodeLogSlot, logRecordSize, logSlotSize, SlotCopies } from './logSlot.js';

const capacity = 8;
const record = (accepted: bigint, text: string) => encodeLogSlot({ accepted, value: new TextEncoder().encode(text) }, capacity);

/** A slot's bytes from its two copies. */
function slotOf(first: Uint8Array, second: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(logSlotSize(capacity));
  bytes.set(first, 0);
  bytes.set(second, logRecordSize(capacity));
  return bytes;
}

/** `whole` with its tail words still old (zero): a write cut short after its first word. */
function tornFrom(whole: Uint8Array): Uint8Array {
  const torn = new Uint8Array(whole.length);
  torn.set(whole.subarray(0, 8));
  return torn;
}

const text = (slot: ReturnType<typeof decodeLogSlot>) => (slot === 'torn' ? 'torn' : `${slot.accepted}:${new TextDecoder().decode(slot.value)}`);
const blank = new Uint8Array(logRecordSize(capacity));

describe('log slots: two copies per slot', () => {
  it('read as the whole copy with the higher ballot, whichever copy it is in', () => {
    assert.equal(text(decodeLogSlot(slotOf(record(3n, 'old'), record(5n, 'new')), 0, capacity)), '5:new');
    assert.equal(text(decodeLogSlot(slotOf(record(7n, 'new'), record(5n, 'old')), 0, capacity)), '7:new');
    assert.equal(text(decodeLogSlot(slotOf(blank, blank), 0, capacity)), '0:');
  });

  it('a torn copy (a write cut short, or still landing) reads as the other copy', () => {
    assert.equal(text(decodeLogSlot(slotOf(record(3n, 'old'), tornFrom(record(9n, 'cutshort'))), 0, capacity)), '3:old');
    assert.equal(text(decodeLogSlot(slotOf(tornFrom(record(9n, 'cutshort')), blank), 0, capacity)), '0:');
    assert.equal(decodeLogSlot(slotOf(tornFrom(record(9n, 'a')), tornFrom(record(8n, 'b'))), 0, capacity), 'torn');
  });

  it('without the checksum (the no-checksum mutants) a torn copy is taken at face value', () => {
    const slot = decodeLogSlot(slotOf(record(3n, 'old'), tornFrom(record(9n, 'cutshort'))), 0, capacity, false);
    assert.notEqual(slot, 'torn');
    assert.equal(slot !== 'torn' && slot.accepted, 9n);
  });

  it("a process alternates copies per slot, so its next write never lands on its last one", () => {
    const copies = new SlotCopies(16);
    assert.deepEqual([copies.next(0, 3), copies.next(0, 3), copies.next(0, 3)], [0, 1, 0]);
    assert.deepEqual([copies.next(1, 3), copies.next(0, 4), copies.next(1, 3)], [0, 0, 1]);
  });
});
