import { getWord, setWord, wholeWords } from '../../fabric/index.js';
import { newerCopy, openRecord, sealRecord, type RecordLayout } from '../common/record.js';

/**
 * The register's slot, as laid out in each memory's region:
 *
 *   bytes 0..7    timestamp (u64; 0 = never written)
 *   bytes 8..11   value length (u32)
 *   bytes 12..15  CRC-32 of bytes 0..11 and of the value
 *   bytes 16..    value, padded to whole words
 *
 * The slot spans several words, so a read may see a concurrent write torn
 * (some words new, some old). The checksum lets a reader tell; a torn slot is
 * never acted on.
 *
 * The region holds two copies of the slot, and the writer fills them
 * alternately: timestamp t goes to copy t mod 2 (`copyOffset`). A writer's
 * verbs on one memory execute in order, each landing whole before the next
 * one executes, so at most its last write is in flight there; if the writer
 * crashes in the middle of it (the write is then torn for good: an RDMA NIC
 * stopping halfway, the simulator's `cutShortWrites`), the other copy still
 * holds the previous value whole. A reader takes the whole copy with the
 * higher timestamp (`decodeSlotPair`): a copy torn by a write still landing
 * reads as that write not having happened yet, which a regular register
 * allows for a read concurrent with a write — and a reader never waits for
 * a write that nobody will finish.
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

/** The register's region on each memory: two copies of the slot. */
export function registerRegionSize(capacity: number): number {
  return 2 * slotSize(capacity);
}

/** Where the write of timestamp `timestamp` goes: copy t mod 2. */
export function copyOffset(timestamp: bigint, capacity: number): number {
  return Number(timestamp % 2n) * slotSize(capacity);
}

/**
 * What a memory's region (both copies) holds: the whole copy with the higher
 * timestamp; 'torn' only when both copies are (which a writer whose writes
 * land in order cannot cause). `verify = false` (the `no-checksum` mutant)
 * takes torn copies at face value.
 */
export function decodeSlotPair(bytes: Uint8Array, capacity: number, verify = true): Slot | 'torn' {
  const size = slotSize(capacity);
  const first = decodeSlot(bytes.subarray(0, size), verify);
  const second = decodeSlot(bytes.subarray(size, 2 * size), verify);
  return newerCopy(first, second, (candidate, than) => candidate.timestamp > than.timestamp);
}

/** The slot with the highest timestamp (the first of equals); the initial slot when none. */
export function highest(slots: readonly Slot[]): Slot {
  let best: Slot = { timestamp: 0n, value: null };
  for (const slot of slots) if (slot.timestamp > best.timestamp) best = slot;
  return best;
}
