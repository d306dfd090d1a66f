/**
 * A write's word (spec swarm.md §3): `ts:40 | writer:12 | V:1 | slot:11`,
 * an unsigned 64-bit value compared as a whole; 0 = ⊥ (no write).
 * - `id(w) = w >> 12` names one write (timestamp, writer);
 * - `key(w) = w >> 11` = (id, V) is what the protocols compare: a write's
 *   VERIFIED word is larger than its GUESSED one (promotion is a larger write);
 * - `slot` picks the holder's log entry with the data at that memory (it is
 *   not part of the key: copies of one write in different buffers compare equal).
 * ts and writer are checked before packing — a silent wrap would make a large
 * timestamp small. ABD and DM-ABD words are VERIFIED, slot 0.
 */
export const timestampBits = 40;
export const writerBits = 12;
export const slotBits = 11;
export const timestampMax = (1n << BigInt(timestampBits)) - 1n;
export const writerMax = (1 << writerBits) - 1;
export const slotMax = (1 << slotBits) - 1;

export interface WordFields {
  readonly timestamp: bigint;
  readonly writer: number;
  /** V: false GUESSED, true VERIFIED (default true). */
  readonly verified?: boolean;
  /** The holder's log entry (0..2047, default 0). */
  readonly slot?: number;
}

export function packWord(fields: WordFields): bigint {
  if (fields.timestamp < 1n || fields.timestamp > timestampMax) throw new RangeError(`timestamp ${fields.timestamp} out of range (accepted: 1..2^40-1)`);
  if (!Number.isInteger(fields.writer) || fields.writer < 0 || fields.writer > writerMax) throw new RangeError(`writer ${fields.writer} out of range (accepted: 0..4095)`);
  const slot = fields.slot ?? 0;
  if (!Number.isInteger(slot) || slot < 0 || slot > slotMax) throw new RangeError(`slot ${slot} out of range (accepted: 0..2047)`);
  const verified = fields.verified ?? true;
  return (fields.timestamp << 24n) | (BigInt(fields.writer) << 12n) | ((verified ? 1n : 0n) << 11n) | BigInt(slot);
}

export function unpackWord(word: bigint): Required<WordFields> {
  return { timestamp: word >> 24n, writer: Number((word >> 12n) & BigInt(writerMax)), verified: ((word >> 11n) & 1n) === 1n, slot: Number(word & BigInt(slotMax)) };
}

/** The write a word names: (timestamp, writer). 0 for ⊥. */
export function wordId(word: bigint): bigint {
  return word >> 12n;
}

/** The part of a word that orders writes (id and V): what the protocols compare. 0 = ⊥. */
export function wordKey(word: bigint): bigint {
  return word >> 11n;
}

export function isVerified(word: bigint): boolean {
  return ((word >> 11n) & 1n) === 1n;
}

export function writerOf(word: bigint): number {
  return Number((word >> 12n) & BigInt(writerMax));
}

export function timestampOf(word: bigint): bigint {
  return word >> 24n;
}

/** The same write, VERIFIED (x|V): its promotion. */
export function verifiedWord(word: bigint): bigint {
  return word | (1n << 11n);
}

/** The same write and V with another slot: a copy of it for the holder's own log entry `slot`. */
export function withSlot(word: bigint, slot: number): bigint {
  if (!Number.isInteger(slot) || slot < 0 || slot > slotMax) throw new RangeError(`slot ${slot} out of range (accepted: 0..2047)`);
  return (word & ~BigInt(slotMax)) | BigInt(slot);
}
