import { getWord } from '../../fabric/index.js';
import { decodeEntry, validValue } from './entry.js';
import { swarmLayout, type SwarmLayout } from './layout.js';
import type { SwarmLayoutConfig } from './memorySet.js';
import { timestampOf, unpackWord, wordId, wordKey, writerMax } from './word.js';

/**
 * SWARM's memory invariants (spec swarm.md §3, §4, §9), checked on one
 * memory right after a change lands:
 *
 * - `buffers-only-grow`: no meta word's key (id, V) decreases (F1 rests on it);
 * - `notif-never-decreases`: notif is only CASed upward (F4 rests on it),
 *   and `notif-only-cased`: nothing but a CAS changes it;
 * - `fields-in-range`: a non-zero meta word has writer < C, slot < E and
 *   ts ≥ 1; a non-zero notif[i] is an id (< 2^52) of writer i with ts ≥ 1;
 * - `invariant-d`: each buffer's word has valid data in its holder's entry
 *   at that memory (entry.ts's `validValue`) — checked when a buffer
 *   changes (a CAS) and when an entry changes (an entry write, or a crash
 *   cutting one short): an entry write must never destroy the data a
 *   buffer still names;
 * - `key-read-only`: a record's KEY, once loaded, never changes (§6).
 *
 * Pure functions over bytes, written against the structural shape of the
 * simulator's memory change (sim/watch.ts), so that this file stays a
 * protocol file: a scenario plugs `swarmMemoryWatcher(config)` in as its
 * `memoryWatcher`.
 */

/** One change to one region of one memory (the simulator's `MemoryChange`, as far as these checks need it). */
export interface WatchedChange {
  readonly region: string;
  /** Changed bytes [offset, offset + length) of the region. */
  readonly offset: number;
  readonly length: number;
  /** Their contents before the change. */
  readonly before: Uint8Array;
  /** Their contents now. */
  readonly after: Uint8Array;
  /** A whole region of the same memory as it is now (undefined if the memory does not hold it). */
  readonly regionBytes: (region: string) => Uint8Array | undefined;
  /** What made the change (`write`, `cas`, `faa`, `cut`), when known. */
  readonly kind?: string;
}

export interface InvariantFinding {
  readonly property: string;
  readonly detail: string;
}

/** The watcher of one SWARM deployment (its layout config): findings for any change to its `rec` or its logs, none for other regions. */
export function swarmMemoryWatcher(config: SwarmLayoutConfig): (change: WatchedChange) => InvariantFinding[] {
  const layout = swarmLayout(config);
  const logWriters = new Map<string, number>();
  for (let writer = 0; writer < config.clients; writer++) logWriters.set(layout.logRegion(writer), writer);
  return (change) => {
    if (change.region === layout.recordRegion) return checkRecordChange(layout, change);
    const writer = logWriters.get(change.region);
    return writer === undefined ? [] : checkLogChange(layout, writer, change);
  };
}

/** What a word of `rec` is, from its offset: a buffer meta[i], a notif[i], part of KEY, or anything else (IP). */
type RecordWord = { readonly kind: 'meta' | 'notif'; readonly record: number; readonly writer: number } | { readonly kind: 'key'; readonly record: number } | { readonly kind: 'other' };

function recordWordAt(layout: SwarmLayout, offset: number): RecordWord {
  const record = Math.floor(offset / layout.recordSize);
  if (record >= layout.config.records) return { kind: 'other' };
  const clients = layout.config.clients;
  const meta = layout.metaOffset(record, 0);
  if (offset < meta + 8 * clients) return { kind: 'meta', record, writer: (offset - meta) >> 3 };
  const key = layout.keyOffset(record);
  if (offset < layout.inPlaceOffset(record)) return offset >= key ? { kind: 'key', record } : { kind: 'other' };
  const notif = layout.notifOffset(record, 0);
  if (offset >= notif && offset < notif + 8 * clients) return { kind: 'notif', record, writer: (offset - notif) >> 3 };
  return { kind: 'other' };
}

/** Buffers, notif, fields, KEY and Invariant D for a change to `rec` (its changed words only: the others did not move). */
export function checkRecordChange(layout: SwarmLayout, change: WatchedChange): InvariantFinding[] {
  const findings: InvariantFinding[] = [];
  const firstWord = change.offset - (change.offset % 8);
  const keysChanged = new Set<number>();
  for (let word = firstWord; word < change.offset + change.length; word += 8) {
    const where = recordWordAt(layout, word);
    if (where.kind === 'other') continue;
    if (where.kind === 'key') {
      if (changedBytes(change, word, 8)) keysChanged.add(where.record);
      continue;
    }
    const before = getWord(wordBefore(change, word), 0);
    const after = getWord(wordAfter(change, word), 0);
    if (before === after) continue;
    const name = `${where.kind}[${where.writer}] of record ${where.record}`;
    if (where.kind === 'meta') {
      if (wordKey(after) < wordKey(before)) findings.push({ property: 'buffers-only-grow', detail: `${name} went from ${describeWord(before)} down to ${describeWord(after)}` });
      const range = metaFieldProblem(layout, after);
      if (range !== undefined) {
        findings.push({ property: 'fields-in-range', detail: `${name} holds ${describeWord(after)}: ${range}` });
        continue;
      }
      const problem = after === 0n ? undefined : invariantDProblem(layout, change.regionBytes, where.record, where.writer, after);
      if (problem !== undefined) findings.push({ property: 'invariant-d', detail: `${name} now names ${describeWord(after)}, but ${problem}` });
    } else {
      if (after < before) findings.push({ property: 'notif-never-decreases', detail: `${name} went from ${describeId(before)} down to ${describeId(after)}` });
      // §4: readers CAS notif; writes never touch it (a write raising it would notify without the CAS's check).
      else if (change.kind !== undefined && change.kind !== 'cas') findings.push({ property: 'notif-only-cased', detail: `${name} changed by a ${change.kind}, to ${describeId(after)}` });
      const range = notifFieldProblem(where.writer, after);
      if (range !== undefined) findings.push({ property: 'fields-in-range', detail: `${name} holds ${after}: ${range}` });
    }
  }
  // Loading writes a KEY over zeros; any other change rebinds a record.
  for (const record of keysChanged) {
    const keyBefore = bytesOf(change, layout.keyOffset(record), layout.inPlaceOffset(record) - layout.keyOffset(record), change.before);
    if (!allZero(keyBefore)) findings.push({ property: 'key-read-only', detail: `the KEY of record ${record} changed after it was loaded` });
  }
  return findings;
}

/** Invariant D for a change to writer `writer`'s log: every entry it touched that its buffer names at this memory still holds that buffer's data. */
export function checkLogChange(layout: SwarmLayout, writer: number, change: WatchedChange): InvariantFinding[] {
  const { entrySize, config } = layout;
  const rec = change.regionBytes(layout.recordRegion);
  if (rec === undefined || change.length === 0) return [];
  const findings: InvariantFinding[] = [];
  const first = Math.floor(change.offset / entrySize);
  const last = Math.floor((change.offset + change.length - 1) / entrySize);
  for (let index = first; index <= last; index++) {
    const record = Math.floor(index / config.entries);
    const slot = index % config.entries;
    if (record >= config.records) break;
    const buffer = getWord(rec, layout.metaOffset(record, writer));
    // Only the entry the buffer names must hold its data; the others are free to be rewritten.
    if (buffer === 0n || unpackWord(buffer).slot !== slot) continue;
    const problem = invariantDProblem(layout, change.regionBytes, record, writer, buffer);
    if (problem !== undefined) findings.push({ property: 'invariant-d', detail: `entry (${record}, ${slot}) of log.${writer} changed under meta[${writer}] of record ${record} = ${describeWord(buffer)}: ${problem}` });
  }
  return findings;
}

/**
 * Why the holder's entry does not hold valid data for `word` at this
 * memory (undefined: it does). `holder` is the buffer's owner, whose log
 * the word's slot points into; the word itself may be a copy of another
 * writer's.
 */
export function invariantDProblem(layout: SwarmLayout, regionBytes: (region: string) => Uint8Array | undefined, record: number, holder: number, word: bigint): string | undefined {
  const slot = unpackWord(word).slot;
  if (slot >= layout.config.entries) return `slot ${slot} is past the log's ${layout.config.entries} entries`;
  const log = regionBytes(layout.logRegion(holder));
  if (log === undefined) return `this memory has no ${layout.logRegion(holder)}`;
  const entry = decodeEntry(log, layout.config.valueMax, layout.entryOffset(record, slot));
  if (validValue(record, word, entry, layout.config.valueMax) !== null) return undefined;
  const what = entry.word === 0n ? 'nothing' : `${describeWord(entry.word)}'s data${wordId(entry.word) === wordId(word) ? ' with a bad checksum or length' : ''}`;
  return `entry (${record}, ${slot}) of log.${holder} holds ${what}`;
}

/** Why a non-zero buffer word is out of range (undefined: it is not). */
export function metaFieldProblem(layout: SwarmLayout, word: bigint): string | undefined {
  if (word === 0n) return undefined;
  const { timestamp, writer, slot } = unpackWord(word);
  if (timestamp < 1n) return 'ts 0';
  if (writer >= layout.config.clients) return `writer ${writer} ≥ C = ${layout.config.clients}`;
  if (slot >= layout.config.entries) return `slot ${slot} ≥ E = ${layout.config.entries}`;
  return undefined;
}

/** Why a non-zero notif[i] is not an id of writer i (undefined: it is). */
export function notifFieldProblem(writer: number, id: bigint): string | undefined {
  if (id === 0n) return undefined;
  if (id >> 52n !== 0n) return 'not an id (≥ 2^52)';
  if (Number(id & BigInt(writerMax)) !== writer) return `an id of writer ${Number(id & BigInt(writerMax))}, not ${writer}`;
  if (id >> 12n < 1n) return 'ts 0';
  return undefined;
}

function describeWord(word: bigint): string {
  if (word === 0n) return '⊥';
  const { writer, verified, slot } = unpackWord(word);
  return `(ts ${timestampOf(word)}, w${writer}, ${verified ? 'V' : 'G'}, slot ${slot})`;
}

function describeId(id: bigint): string {
  return id === 0n ? '0' : `(ts ${id >> 12n}, w${Number(id & BigInt(writerMax))})`;
}

/** The 8 bytes of the region at `word` before the change (from `before` inside the changed range, from the region outside it). */
function wordBefore(change: WatchedChange, word: number): Uint8Array {
  return bytesOf(change, word, 8, change.before);
}

function wordAfter(change: WatchedChange, word: number): Uint8Array {
  return bytesOf(change, word, 8, change.after);
}

/** Bytes [start, start + length) of the region before (`changed` = before) or after (`changed` = after) the change. */
function bytesOf(change: WatchedChange, start: number, length: number, changed: Uint8Array): Uint8Array {
  const from = change.offset;
  const to = change.offset + change.length;
  if (start >= from && start + length <= to) return changed.subarray(start - from, start - from + length);
  // Partly outside the changed range: the rest is as the region holds it now (unchanged there).
  const bytes = (change.regionBytes(change.region) ?? new Uint8Array(start + length)).slice(start, start + length);
  for (let at = Math.max(start, from); at < Math.min(start + length, to); at++) bytes[at - start] = changed[at - from];
  return bytes;
}

function changedBytes(change: WatchedChange, word: number, length: number): boolean {
  const before = wordBefore(change, word);
  const after = wordAfter(change, word);
  for (let index = 0; index < length; index++) if (before[index] !== after[index]) return true;
  return false;
}

function allZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}
