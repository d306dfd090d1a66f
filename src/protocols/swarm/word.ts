/**
 * A write's word (spec swarm.md §3): `ts:40 | writer:12 | V:1 | slot:11`,
 * an unsigned 64-bit value compared as a whole. Here every word is VERIFIED
 * (V = 1: ABD and DM-ABD have no guesses) and slot 0 (the value travels in
 * the writer's record, not in a log entry: docs/swarm.md). `key(w) = w >> 11`
 * orders writes: by timestamp, then writer. ts and writer are checked before
 * packing — a silent wrap would make a large timestamp small.
 */
export const timestampBits = 40;
export const writerBits = 12;
export const timestampMax = (1n << BigInt(timestampBits)) - 1n;
export const writerMax = (1 << writerBits) - 1;

export interface WordFields {
  readonly timestamp: bigint;
  readonly writer: number;
}

export function packWord(fields: WordFields): bigint {
  if (fields.timestamp < 1n || fields.timestamp > timestampMax) throw new RangeError(`timestamp ${fields.timestamp} out of range (accepted: 1..2^40-1)`);
  if (!Number.isInteger(fields.writer) || fields.writer < 0 || fields.writer > writerMax) throw new RangeError(`writer ${fields.writer} out of range (accepted: 0..4095)`);
  return (fields.timestamp << 24n) | (BigInt(fields.writer) << 12n) | (1n << 11n);
}

export function unpackWord(word: bigint): WordFields {
  return { timestamp: word >> 24n, writer: Number((word >> 12n) & BigInt(writerMax)) };
}

/** The part of a word that orders writes (id and V): what the protocols compare. 0 = ⊥. */
export function wordKey(word: bigint): bigint {
  return word >> 11n;
}
