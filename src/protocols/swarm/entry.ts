import { getWord, setWord } from '../../fabric/index.js';
import type { StoredEntry } from './memorySet.js';
import { wordId, writerOf } from './word.js';
import { xxh64 } from './xxh64.js';

/**
 * SWARM's entries (spec swarm.md §3), in a writer's log or in a record's
 * IP: word +0 | checksum +8 | len u32 +16 | pad | value +24, zero past len.
 *
 * The checksum is xxh64 (seed 0) of id(word) u64 ‖ j u64 ‖ len u32 ‖
 * value[0..len), little-endian. It covers the id (ts and writer), not V or
 * slot: copies and promotions keep the sum. Ids name one write each, so
 * data torn between two writes, or stale data of an earlier write in a
 * reused entry, never passes for another write; j keeps one record's data
 * from passing for another's (SWARM-KV). It is not a linear sum (add,
 * xor), which a word-wise mix of two entries could pass.
 */
export const entryHeaderSize = 24;

export function entrySize(valueMax: number): number {
  return entryHeaderSize + valueMax;
}

/**
 * How the checksum names the write: `id` (ts ‖ writer, the spec's) or
 * `writer` — the `checksum-without-ts` mutant (mutants.ts), which leaves the
 * ts out, so one writer's entries for two writes with the same value length
 * carry interchangeable sums and a torn IP (x2's word over x1's sum and
 * value) passes for x2.
 */
export type ChecksumId = 'id' | 'writer';

/** The checksum of write `word`'s value at record j. */
export function entryChecksum(word: bigint, record: number, value: Uint8Array, named: ChecksumId = 'id'): bigint {
  const bytes = new Uint8Array(8 + 8 + 4 + value.length);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, named === 'id' ? wordId(word) : BigInt(writerOf(word)), true);
  view.setBigUint64(8, BigInt(record), true);
  view.setUint32(16, value.length, true);
  bytes.set(value, 20);
  return xxh64(bytes);
}

/** The bytes of an entry holding `value` for `word` at record j (ENT bytes; zero past len). */
export function encodeEntry(word: bigint, record: number, value: Uint8Array, valueMax: number, named: ChecksumId = 'id'): Uint8Array {
  if (value.length > valueMax) throw new RangeError(`value of ${value.length} bytes exceeds valueMax ${valueMax}`);
  const bytes = new Uint8Array(entrySize(valueMax));
  setWord(bytes, 0, word);
  setWord(bytes, 8, entryChecksum(word, record, value, named));
  new DataView(bytes.buffer).setUint32(16, value.length, true);
  bytes.set(value, entryHeaderSize);
  return bytes;
}

/** An entry as read (ENT bytes from `offset`); nothing validated. */
export function decodeEntry(bytes: Uint8Array, valueMax: number, offset = 0): StoredEntry {
  if (bytes.length < offset + entrySize(valueMax)) throw new RangeError(`an entry needs ${entrySize(valueMax)} bytes at ${offset}; ${bytes.length} read`);
  return {
    word: getWord(bytes, offset),
    checksum: getWord(bytes, offset + 8),
    length: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset + 16, true),
    value: bytes.slice(offset + entryHeaderSize, offset + entryHeaderSize + valueMax),
  };
}

/**
 * The value of write `word` at record j if `entry` holds it: len ≤ valueMax,
 * id(entry's word) = id(word) and the checksum matches. Anything else — an
 * entry torn by a write landing, reused by a later write, cut short by a
 * crash, or holding another record's data — is null.
 */
export function validValue(record: number, word: bigint, entry: StoredEntry | null, valueMax: number, named: ChecksumId = 'id'): Uint8Array | null {
  if (entry === null || word === 0n) return null;
  if (entry.length > valueMax || entry.length > entry.value.length) return null;
  if (wordId(entry.word) !== wordId(word)) return null;
  const value = entry.value.slice(0, entry.length);
  return entryChecksum(word, record, value, named) === entry.checksum ? value : null;
}
