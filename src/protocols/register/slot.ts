import { checksum, getWord, setWord, wholeWords } from '../../fabric/index.js';

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
  new DataView(bytes.buffer).setUint32(8, value.length, true);
  bytes.set(value, slotHeaderSize);
  new DataView(bytes.buffer).setUint32(12, slotChecksum(bytes, value.length), true);
  return bytes;
}

/** Decodes a slot, or returns 'torn' when its checksum does not match (a read overlapped a write). */
export function decodeSlot(bytes: Uint8Array, verify = true): Slot | 'torn' {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const timestamp = getWord(bytes, 0);
  const length = view.getUint32(8, true);
  if (timestamp === 0n && length === 0 && view.getUint32(12, true) === 0) return { timestamp: 0n, value: null };
  if (length > bytes.length - slotHeaderSize) return verify ? 'torn' : { timestamp, value: bytes.slice(slotHeaderSize) };
  if (verify && view.getUint32(12, true) !== slotChecksum(bytes, length)) return 'torn';
  return { timestamp, value: bytes.slice(slotHeaderSize, slotHeaderSize + length) };
}

function slotChecksum(bytes: Uint8Array, length: number): number {
  const header = checksum(bytes, 0, 12);
  const body = checksum(bytes, slotHeaderSize, slotHeaderSize + length);
  return (header ^ Math.imul(body, 0x9e3779b1)) >>> 0;
}

/** The slot with the highest timestamp (the first of equals); the initial slot when none. */
export function highest(slots: readonly Slot[]): Slot {
  let best: Slot = { timestamp: 0n, value: null };
  for (const slot of slots) if (slot.timestamp > best.timestamp) best = slot;
  return best;
}
