import type { SafeGuessMutant } from './mutants.js';
import { isVerified, wordId, wordKey, writerOf } from './word.js';

/**
 * Safe-Guess's decisions (spec swarm.md §4) as pure functions of what a
 * client read: scans' maxima, notif values, the read's memory (`seen`,
 * `prev`). safeGuess.ts issues the verbs and calls these; each rule's reason
 * is the invariant of §5 it keeps (restated in safeGuess.ts's header).
 * `mutant` switches one rule to its §8 broken variant.
 */

/** What a step's responder showed: the largest word of its scan. */
export interface ScanMax {
  readonly max: bigint;
}

/**
 * W1 (and a rescan's) fast-path test: no responder shows an id above id(x).
 * The CAS of x precedes the scan in one batch, so each responder's max is ≥ x
 * (or the publish was skipped because more was there): the test says x is
 * the largest id on f+1 memories right after it landed, so by F1 every later
 * scan sees ≥ x and x can be the write's final word.
 */
export function standsFast(x: bigint, scans: readonly ScanMax[]): boolean {
  const id = wordId(x);
  return scans.every((scan) => wordId(scan.max) <= id);
}

/** The largest word of the scans (by key; 0 when all are ⊥). */
export function largestWord(scans: readonly ScanMax[]): bigint {
  let largest = 0n;
  for (const scan of scans) if (wordKey(scan.max) > wordKey(largest)) largest = scan.max;
  return largest;
}

/**
 * Candidates for m after a failed fetch (W1's rescan loop): every distinct
 * write (by key) in the scanned buffers with an id above id(x), largest
 * first; the writer fetches all and takes the largest whose value arrives.
 */
export function wordsAbove(x: bigint, buffers: readonly (readonly bigint[])[]): bigint[] {
  const id = wordId(x);
  const byKey = new Map<bigint, bigint>();
  for (const words of buffers) for (const word of words) if (wordId(word) > id && !byKey.has(wordKey(word))) byKey.set(wordKey(word), word);
  return [...byKey.entries()].sort(([a], [b]) => (a > b ? -1 : a < b ? 1 : 0)).map(([, word]) => word);
}

/**
 * W2's fence: a copy of another write's word above x, so that x is no
 * longer the max where it lands (a reader's later counted scan there sees
 * more: F4). Never x|V: that would make x final before W2 learns whether x
 * stands, and W3 would then put v a second time above m (v, u, v). Never the
 * writer's own new word: it puts v above m while x may stand for a reader
 * (`fence-with-own-word`).
 */
export function fenceWord(x: bigint, m: bigint, ownNewWord: () => bigint, mutant?: SafeGuessMutant): bigint {
  if (mutant === 'fence-with-own-word') return ownNewWord();
  if (wordId(m) <= wordId(x)) throw new Error(`fence ${m} is not above x ${x}: only another write's word above x may fence it`);
  return m;
}

/** Whose notif W2 reads, and the value that means "a reader locked x": notif[c] = id(x). */
export function notifWatched(x: bigint, m: bigint, mutant?: SafeGuessMutant): { readonly writer: number; readonly locked: bigint } {
  // notif-of-conflicting-word: the public artifact's rule, a lock of m's writer on m.
  if (mutant === 'notif-of-conflicting-word') return { writer: writerOf(m), locked: wordId(m) };
  return { writer: writerOf(x), locked: wordId(x) };
}

/**
 * W2's outcome: x stands iff some responder's notif (read after the fence's
 * CAS, same batch) says a reader locked x. F4: a reader's lock on x and a
 * W2 finding no notification never both happen.
 */
export function stoodByLock(notifs: readonly bigint[], locked: bigint): boolean {
  return notifs.some((notif) => notif === locked);
}

/**
 * `stale-guess-without-lock`: skip W2 when x is the max at none of W1's
 * responders. The correct protocol never skips it (returns false).
 */
export function skipsLock(x: bigint, scans: readonly ScanMax[], mutant?: SafeGuessMutant): boolean {
  if (mutant !== 'stale-guess-without-lock') return false;
  return scans.every((scan) => wordId(scan.max) !== wordId(x));
}

/** What the read's memory holds about one writer: the first GUESSED word of it that the read saw, with its value. */
export interface SeenWrite {
  readonly word: bigint;
  readonly value: Uint8Array;
}

/** The READ loop's next move for a step's max m. */
export type ReadAction =
  /** m = 0: nothing was ever written. */
  | { readonly kind: 'initial' }
  /** c wrote a later GUESSED word: seen[c]'s write returned (Ids); return its value. */
  | { readonly kind: 'same-writer'; readonly value: Uint8Array }
  /** m's value is needed (reuse, valid IP, else fetch), then decide again with it. */
  | { readonly kind: 'value' }
  /** m is VERIFIED: write it back until f+1 hold it, return its value. */
  | { readonly kind: 'write-back' }
  /** m GUESSED, seen by two consecutive scans: tryLock(m, READ). */
  | { readonly kind: 'lock' }
  /** m GUESSED, new: remember it, help it (publish a copy), rescan. */
  | { readonly kind: 'help' };

/**
 * The READ loop (spec §4) for max m, `prev` the previous iteration's max,
 * `seen` the first GUESSED word per writer, `value` m's value once known.
 * The same-writer exit is decided before any fetch: it needs no value of m
 * (a later word of c proves seen[c]'s write returned; m's own may not have).
 */
export function readAction(m: bigint, prev: bigint, seen: ReadonlyMap<number, SeenWrite>, value: Uint8Array | null, mutant?: SafeGuessMutant): ReadAction {
  if (m === 0n) return { kind: 'initial' };
  const earlier = seen.get(writerOf(m));
  const laterOfSameWriter = !isVerified(m) && wordKey(m) !== wordKey(prev) && earlier !== undefined && wordId(m) > wordId(earlier.word);
  if (mutant === 'same-writer-returns-latest') {
    // The broken exit returns m's own value, so it waits for it.
    if (value === null) return { kind: 'value' };
    if (laterOfSameWriter) return { kind: 'same-writer', value };
  } else if (laterOfSameWriter) return { kind: 'same-writer', value: earlier.value };
  if (value === null) return { kind: 'value' };
  if (isVerified(m)) return { kind: 'write-back' };
  if (wordKey(m) === wordKey(prev) || mutant === 'notify-on-first-sight') return { kind: 'lock' };
  return { kind: 'help' };
}

/** tryLock at one memory, from n_s (notif[c] as last known there). */
export type LockPlan = 'later' | 'scan' | 'cas';

/**
 * n_s > id(x): c already has a later GUESSED id there, so x's write returned
 * (*later*, no verb); n_s = id(x): established, scan only; n_s < id(x): CAS
 * notif[c] n_s → id(x), then scan. notif is only CASed upward: notif never
 * decreases (`lock-lowers-notif` CASes from n_s > id(x) down to id(x)).
 */
export function lockPlan(cachedNotif: bigint, x: bigint, mutant?: SafeGuessMutant): LockPlan {
  const id = wordId(x);
  if (cachedNotif > id) return mutant === 'lock-lowers-notif' ? 'cas' : 'later';
  return cachedNotif === id ? 'scan' : 'cas';
}

/** What a lock's CAS result r says: established (r = n_s, or another reader put id(x)), *later* (r > id(x)), or redo from r. */
export type CasOutcome = 'established' | 'later' | 'redo';

export function casOutcome(found: bigint, expected: bigint, x: bigint): CasOutcome {
  const id = wordId(x);
  if (found === expected || found === id) return 'established';
  if (found > id) return 'later';
  // n_s < r < id(x) (or r < n_s, a stale cache): another reader raised notif[c] below id(x); CAS again from r.
  return 'redo';
}

/** One responder's answer to a lock step: *later*, or the scan counted after notif[c] = id(x) was established. */
export type LockAnswer = { readonly kind: 'later' } | { readonly kind: 'counted'; readonly max: bigint };

export type LockOutcome = 'ok' | 'later' | 'retry';

/**
 * tryLock's outcome: *later* if any responder says so; *ok* iff every
 * responder's counted scan has max id id(x) (x is the largest id on f+1
 * memories, each of which had notif[c] = id(x) before its scan: F4); else
 * retry with the lock's scans (their max is above m).
 */
export function lockOutcome(answers: readonly LockAnswer[], x: bigint): LockOutcome {
  if (answers.some((answer) => answer.kind === 'later')) return 'later';
  const id = wordId(x);
  return answers.every((answer) => answer.kind === 'counted' && wordId(answer.max) === id) ? 'ok' : 'retry';
}
