import { getWord } from '../../fabric/index.js';
import { decodeEntry } from './entry.js';
import type { SwarmLayout } from './layout.js';
import type { Scan } from './memorySet.js';
import { wordId, wordKey } from './word.js';

/**
 * The memory layer's decisions as pure functions (spec swarm.md §3): what a
 * publish does at one memory, which entry a new word takes, what a scan's
 * READ says, where a fetch reads, what an owned CAS's answer means.
 * swarmMemories.ts issues the verbs around them.
 */

/** What `publish(w)` does at one memory, from this client's cache there. */
export type PublishPlan = 'skip' | 'promote' | 'new';

/**
 * - skip: `key(last_s)` ≥ key(w) (this client's buffer there already holds,
 *   or is being CASed to, as much) or `known_s` ≥ key(w) (the memory holds
 *   as much: a scan or a completed CAS showed it); a smaller CAS would
 *   lower the buffer.
 * - promote: same id as `last_s` (x then x|V, or a copy then its promotion):
 *   the entry `last_s` names already holds this write's value (the checksum
 *   leaves V out), so [IP; CAS] keeps its slot.
 * - new: another write: [entry; IP; CAS] into the next entry.
 */
export function publishPlan(last: bigint, known: bigint, word: bigint): PublishPlan {
  if (word === 0n) throw new RangeError('publish of ⊥ (word 0)');
  const key = wordKey(word);
  if (wordKey(last) >= key || known >= key) return 'skip';
  return last !== 0n && wordId(last) === wordId(word) ? 'promote' : 'new';
}

/**
 * e_s := (e_s + 1) mod E. Invariant D: the entry a buffer's word names is
 * rewritten only E entry writes later; this client's verbs to one memory
 * land in order, so by then its buffer there names a newer entry (E ≥ 2).
 */
export function nextSlot(slot: number, entries: number): number {
  return (slot + 1) % entries;
}

/** The word with the largest key (the first of equal keys: copies of one write differ only in slot); 0 when all are ⊥. */
export function maxByKey(words: readonly bigint[]): bigint {
  let best = 0n;
  for (const word of words) if (wordKey(word) > wordKey(best)) best = word;
  return best;
}

/** What a scan's READ (the record's first `layout.scanLength` bytes at memory index `memory`) says. */
export function decodeScan(bytes: Uint8Array, layout: SwarmLayout, memory: number): Scan {
  const { clients, inPlace, valueMax } = layout.config;
  const buffers = Array.from({ length: clients }, (_, writer) => getWord(bytes, 8 * writer));
  return { memory, buffers, max: maxByKey(buffers), inPlace: inPlace ? decodeEntry(bytes, valueMax, layout.headerSize) : null };
}

/** One fetch: READ entry `slot` of record j in writer `holder`'s log at memory index `memory`. */
export interface FetchTarget {
  readonly memory: number;
  readonly holder: number;
  readonly slot: number;
}

export function fetchTargetKey(record: number, word: bigint, target: FetchTarget): string {
  return `${record}:${wordId(word)}:${target.memory}:${target.holder}:${target.slot}`;
}

/**
 * Where to fetch write `word`'s value (spec §3 fetch): at every scanned
 * memory whose buffers show id(word), the entry one such buffer names (its
 * holder's log, its slot) — the first such buffer whose fetch this
 * operation has not sent yet (`sent`, keys of fetchTargetKey). At most one
 * fetch per (id, memory, entry) per operation bounds the fetches; a memory
 * whose fetch was sent but whose scan now shows the id in another buffer
 * gets that other entry fetched.
 */
export function fetchTargets(record: number, word: bigint, scans: readonly Scan[], sent: ReadonlySet<string>): FetchTarget[] {
  const id = wordId(word);
  const targets: FetchTarget[] = [];
  for (const scan of scans) {
    for (let holder = 0; holder < scan.buffers.length; holder++) {
      const buffer = scan.buffers[holder];
      if (buffer === 0n || wordId(buffer) !== id) continue;
      const target = { memory: scan.memory, holder, slot: Number(buffer & 0x7ffn) };
      if (sent.has(fetchTargetKey(record, word, target))) continue;
      targets.push(target);
      break;
    }
  }
  return targets;
}

/**
 * An owned CAS (`meta[c]`, only c writes it, from `last_s`) cannot fail:
 * c's verbs to one memory take effect in issue order and each CAS expects
 * what the one before it wrote. Another answer means the invariant broke
 * (someone else wrote c's buffer, or a CAS was lost from the middle of a
 * queue pair): stop rather than act on a buffer that may have gone down.
 */
export function checkOwnedCas(expected: bigint, returned: bigint, where: string): void {
  if (returned !== expected) throw new Error(`owned CAS failed at ${where}: expected ${expected} (this client's last word there), found ${returned}; the memory layer's invariant broke`);
}
