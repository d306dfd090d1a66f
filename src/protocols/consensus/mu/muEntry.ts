import { getWord, wholeWords } from '../../../fabric/index.js';
import { contextHeaderValueCrc, openRecord, sealRecord, type RecordLayout } from '../../common/record.js';

/**
 * One entry of a Mu log (specs/mu.md, "Log layout"), in a fixed-size slot:
 *
 *   bytes 0..7     acceptedProposal (u64; 0 = never written)
 *   bytes 8..15    the leader's FUO when it wrote the entry (u64: the piggybacked commit point)
 *   bytes 16..23   the entry's absolute log index (u64)
 *   bytes 24..27   payload length (u32)
 *   bytes 28..31   checksum (u32): CRC-32 over the absolute index, bytes
 *                  0..27 and the payload
 *   bytes 32..     payload (a tagged entry, logEntry.ts), padded to whole words
 *
 * A write of more than one word is not atomic: a reader racing the leader's
 * write may see some words new and some old. The checksum covers the whole
 * entry, so such a torn entry never passes, and nobody acts on it.
 *
 * The log is recycled: a slot holds index i, i + slots, i + 2·slots, … in
 * turn. The entry stores its absolute index, and the checksum covers it, so
 * a reader knows which lap a slot holds: an entry left from an earlier lap —
 * or copied to the wrong slot — never passes as index i (`decodeMuEntry`
 * for i finds it torn), and a slot already holding a later lap tells a
 * lagging replica that its index was recycled (`openMuEntry` gives the
 * stored index; muDecide.ts `openAt`). A candidate reading a whole log also
 * needs the stored index: the slots of a recycled log hold several laps.
 *
 * Fixed-size slots (instead of the paper's entries packed at increasing
 * byte offsets) make index → offset a multiplication, so a follower reads
 * "the entries from my applied point on" in one verb and a candidate reads a
 * slot on a majority without walking the log.
 */
export const muEntryHeader = 32;
/** Bytes 0..31 (the header up to and with the checksum): all zero is a blank copy (`openRecord`), an empty slot. */
export const muEntryChecksumEnd = 32;
const layout: RecordLayout = { header: muEntryHeader, lengthAt: 24, checksumAt: 28, coveredFrom: 0, contextLength: 8, checksum: contextHeaderValueCrc };

export interface MuEntry {
  /** The proposal number under which the entry was written (accepted). */
  readonly accepted: bigint;
  /** The leader's first undecided offset when it wrote the entry: every index below it is decided. */
  readonly fuo: number;
  readonly payload: Uint8Array;
}

/**
 * What a slot read from memory holds for index `index`: `lapped` when it
 * holds a later index of the same slot (index was recycled there).
 */
export type OpenedEntry = { readonly kind: 'empty' } | { readonly kind: 'torn' } | { readonly kind: 'lapped' } | ({ readonly kind: 'entry' } & MuEntry);

/** What one copy of a slot holds, whatever its index: a whole entry names its absolute index. */
export type StoredEntry = { readonly kind: 'empty' } | { readonly kind: 'torn' } | ({ readonly kind: 'entry'; readonly index: number } & MuEntry);

export function muEntrySize(capacity: number): number {
  return muEntryHeader + wholeWords(capacity);
}

/** One scratch context for every seal and open: the checksum reads it synchronously and keeps nothing (an allocation less per entry). */
const context = new Uint8Array(8);
const contextView = new DataView(context.buffer);

function indexContext(index: number): Uint8Array {
  // setBigUint64 reduces modulo 2^64, as setWord does.
  contextView.setBigUint64(0, BigInt(index), true);
  return context;
}

/** The bytes of `entry` as index `index`'s slot, `muEntrySize(capacity)` long. Throws a RangeError when the payload does not fit. */
export function encodeMuEntry(entry: MuEntry, index: number, capacity: number): Uint8Array {
  if (entry.accepted <= 0n) throw new RangeError(`an entry's accepted proposal must be positive (0 marks an empty slot), got ${entry.accepted}`);
  if (entry.payload.length > capacity) throw new RangeError(`payload of ${entry.payload.length} bytes exceeds the entry capacity of ${capacity}`);
  const bytes = new Uint8Array(muEntrySize(capacity));
  const words = new DataView(bytes.buffer);
  words.setBigUint64(0, entry.accepted, true);
  words.setBigUint64(8, BigInt(entry.fuo), true);
  words.setBigUint64(16, BigInt(index), true);
  return sealRecord(bytes, layout, entry.payload, indexContext(index));
}

/**
 * Opens one copy at `offset` of `bytes`, whatever index it holds: the
 * checksum is checked against the index the entry stores. `verify = false`
 * is the `no-checksum` mutant: whatever the words say is taken as the entry.
 */
export function openMuEntry(bytes: Uint8Array, offset: number, capacity: number, verify = true): StoredEntry {
  const slot = bytes.subarray(offset, offset + muEntrySize(capacity));
  const stored = getWord(slot, 16);
  const record = openRecord(slot, layout, verify, capacity, indexContext(Number(stored)));
  if (record === 'torn') return { kind: 'torn' };
  const accepted = getWord(slot, 0);
  if (record.blank || accepted === 0n) return { kind: 'empty' };
  return { kind: 'entry', index: Number(stored), accepted, fuo: Number(getWord(slot, 8)), payload: slot.slice(muEntryHeader, muEntryHeader + record.length) };
}

/**
 * Opens the copy at `offset` of `bytes` as index `index`: an entry of
 * another index (another lap) is not index `index`'s and reads torn.
 * `verify = false` is the `no-checksum` mutant.
 */
export function decodeMuEntry(bytes: Uint8Array, offset: number, index: number, capacity: number, verify = true): OpenedEntry {
  const opened = openMuEntry(bytes, offset, capacity, verify);
  if (opened.kind !== 'entry') return opened;
  if (opened.index !== index) return { kind: 'torn' };
  const { index: _index, ...entry } = opened;
  return entry;
}
