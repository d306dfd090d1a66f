import { getWord, setWord, wholeWords } from '../../fabric/index.js';
import { newerCopy, openRecord, sealRecord, type RecordLayout } from '../common/record.js';
import { wordKey } from './word.js';

/**
 * The records of the one-writer ABD register, as each memory lays
 * them out: every client c owns two copies of one record,
 *
 *   copy k of client c at (2c + k) · REC, REC = 16 + valueMax rounded to words
 *   bytes 0..7    the write's word (word.ts; 0 = never written)
 *   bytes 8..11   value length (u32)
 *   bytes 12..15  checksum of bytes 0..11 and the value
 *   bytes 16..    the value
 *
 * Only c writes its copies, alternately (its n-th write to that memory goes
 * to copy n mod 2) and with rising keys. Its verbs to one memory land in
 * order, so at most its last write is in flight there; cut short by a crash
 * (torn for good) it spoils one copy while the other still holds c's
 * previous write whole — which had a smaller key, and a record only ever
 * stands for "this memory holds ≥ key", so nothing returned is lost. A copy
 * torn by a write still landing reads as that write not having landed yet.
 */
export const recordHeaderSize = 16;
const layout: RecordLayout = { header: recordHeaderSize, lengthAt: 8, checksumAt: 12, coveredFrom: 0 };

export function recordSize(valueMax: number): number {
  return recordHeaderSize + wholeWords(valueMax);
}

/** The region of one memory: two copies per client. */
export function recordRegionSize(clients: number, valueMax: number): number {
  return 2 * clients * recordSize(valueMax);
}

export function copyOffset(client: number, copy: number, valueMax: number): number {
  return (2 * client + copy) * recordSize(valueMax);
}

/** A write as stored: its word and value (word 0: the initial value, null). */
export interface StoredWrite {
  readonly word: bigint;
  readonly value: Uint8Array | null;
}

export const initialWrite: StoredWrite = { word: 0n, value: null };

export function encodeRecord(write: StoredWrite, valueMax: number): Uint8Array {
  const value = write.value ?? new Uint8Array(0);
  if (value.length > valueMax) throw new RangeError(`value of ${value.length} bytes exceeds the register's ${valueMax}`);
  const bytes = new Uint8Array(recordSize(valueMax));
  setWord(bytes, 0, write.word);
  return sealRecord(bytes, layout, value);
}

export function decodeRecord(bytes: Uint8Array): StoredWrite | 'torn' {
  const record = openRecord(bytes, layout);
  if (record === 'torn') return 'torn';
  if (record.blank) return initialWrite;
  const word = getWord(bytes, 0);
  if (word === 0n) return 'torn';
  return { word, value: bytes.slice(recordHeaderSize, recordHeaderSize + record.length) };
}

/**
 * What a READ of a whole region says: the write with the largest key among
 * every client's whole copies, or 'torn' when some client's copies both read
 * torn (its writes land in order, so only a READ racing two of them can see
 * that: read again).
 */
export function largestWrite(region: Uint8Array, clients: number, valueMax: number): StoredWrite | 'torn' {
  const size = recordSize(valueMax);
  let best = initialWrite;
  for (let client = 0; client < clients; client++) {
    const first = decodeRecord(region.subarray(copyOffset(client, 0, valueMax), copyOffset(client, 0, valueMax) + size));
    const second = decodeRecord(region.subarray(copyOffset(client, 1, valueMax), copyOffset(client, 1, valueMax) + size));
    const held = newerCopy(first, second, (candidate, than) => wordKey(candidate.word) > wordKey(than.word));
    if (held === 'torn') return 'torn';
    if (wordKey(held.word) > wordKey(best.word)) best = held;
  }
  return best;
}

/** The larger of two writes by key (the first of equals). */
export function larger(a: StoredWrite, b: StoredWrite): StoredWrite {
  return wordKey(b.word) > wordKey(a.word) ? b : a;
}
