import { getWord, setWord, wholeWords } from '../../fabric/index.js';
import { openRecord, sealRecord, type RecordLayout } from '../common/record.js';

/**
 * The register's slot, as laid out in each memory's region:
 *
 *   bytes 0..7    timestamp (u64; 0 = never written)
 *   bytes 8..11   value length (u32)
 *   bytes 12..15  CRC-32 of bytes 0..11 and of the value
 *   bytes 16..    value, padded to whole words
 *
 * The slot spans several words, so a read may see a concurrent write torn
 * (some words new, some old). The checksum lets a reader tell and re-read;
 * a torn slot is never acted on.
 */
export const slotHeaderSize = 16;

/** The register slot as a checksummed record: the checksum covers the whole header. */
const layout: RecordLayout = { header: slotHeaderSize, lengthAt: 8, checksumAt: 12, coveredFrom: 0 };

export function slotSize(capacity: number): number {
  return slotHeaderSize + wholeWords(capacity);
}

export interface Slot {
  readonly timestamp: bigint;
  /** null when the slot was never written. */
  readonly value: Uint8Array | null;
}

export function encodeSlot(timestamp: bigint, value: Uint8Array, capacity: number): Uint8Array {
  if (value.length > capacity) throw new RangeError(`value of ${value.length} bytes exceeds the register's capacity of ${capacity}`);
  const bytes = new Uint8Array(slotSize(capacity));
  setWord(bytes, 0, timestamp);
  return sealRecord(bytes, layout, value);
}

/** Decodes a slot, or returns 'torn' when its checksum does not match (a read overlapped a write). */
export function decodeSlot(bytes: Uint8Array, verify = true): Slot | 'torn' {
  const record = openRecord(bytes, layout, verify);
  if (record === 'torn') return 'torn';
  if (record.blank) return { timestamp: 0n, value: null };
  return { timestamp: getWord(bytes, 0), value: bytes.slice(slotHeaderSize, slotHeaderSize + record.length) };
}

/** The slot with the highest timestamp (the first of equals); the initial slot when none. */
export function highest(slots: readonly Slot[]): Slot {
  let best: Slot = { timestamp: 0n, value: null };
  for (const slot of slots) if (slot.timestamp > best.timestamp) best = slot;
  return best;
}
