/**
 * The contract between SWARM's memory layer and the algorithms on it (spec
 * swarm.md §3): one client's handle on the 2f+1 memories that hold K
 * records, each a register — per writer a `meta` buffer word, an in-place
 * entry (IP), per writer a `notif` word — plus every writer's own log of
 * entries. DM-ABD (both builds), Safe-Guess and SWARM-KV are written against
 * this interface only; `SwarmMemories` (swarmMemories.ts) implements it.
 *
 * **Batches.** Every method that issues verbs issues them *when called*,
 * before it returns its promise. Verbs of one client to one memory take
 * effect in issue order and a batch cut short by a crash takes effect as a
 * prefix (spec §1; the simulator keeps both promises), so calling
 * `publish(j, s, …)` and then `scan(j, s)` without awaiting in between is the
 * spec's batch [entry; IP; CAS; scan]: the scan sees the CAS.
 *
 * **Caches** are per (record, memory): `last_s` (this client's buffer's last
 * issued word), `e_s` (its last entry), `known_s` (the largest key it knows
 * s holds: its scans, its own completed CASes) and per writer `n_s` (the
 * notif value last read or CASed at s). Late answers (after a step ended)
 * still update them.
 */
import type { MemoryId } from '../../fabric/index.js';

export interface SwarmLayoutConfig {
  /** Base name of the regions (the layout derives its regions from it). */
  readonly region: string;
  /** The 2f+1 memories. */
  readonly memories: readonly MemoryId[];
  readonly f: number;
  /** C: writer ids 0..C−1 (≤ 4096). */
  readonly clients: number;
  /** K: records (1 for a plain register; the key space of SWARM-KV). */
  readonly records: number;
  /** E: entries per (writer, record) log, 2..2048. */
  readonly entries: number;
  /** Largest value in bytes, a multiple of 8. */
  readonly valueMax: number;
  /** Largest key in bytes, a multiple of 8 (0 for plain registers). */
  readonly keyMax: number;
  /** In-n-Out: VERIFIED publishes also write IP, and scans read it (1-RTT reads). */
  readonly inPlace: boolean;
}

export interface SwarmClientConfig extends SwarmLayoutConfig {
  /** This client's writer id. */
  readonly client: number;
  /** A fetch fails when no valid answer came within this (time units; spec default 4 RTT). */
  readonly fetchTimeout: number;
}

/** One memory's answer to a scan of record j: one READ of its first H + ENT bytes (H when not in place). */
export interface Scan {
  /** Index of the memory in `memories`. */
  readonly memory: number;
  /** meta[0..C−1] as read (each word atomic). */
  readonly buffers: readonly bigint[];
  /** The buffer word with the largest key (0 = ⊥). */
  readonly max: bigint;
  /** The IP entry as read (possibly torn or stale: validate with `validValue`); null when not in place. */
  readonly inPlace: StoredEntry | null;
}

/** An entry as stored: word +0, checksum +8, len u32 +16, value +24. */
export interface StoredEntry {
  readonly word: bigint;
  readonly checksum: bigint;
  readonly length: number;
  /** The value bytes as read (valueMax of them; only `length` count). */
  readonly value: Uint8Array;
}

/** Per operation: the fetches it sent (at most one per (id, memory, entry)) and their late answers. */
export interface OperationFetches {
  /**
   * The value of write `word` (spec §3 fetch): at every scan in `scans` whose
   * buffers show id(word), READ the entry that buffer names — unless this
   * operation already sent that fetch — and take the first valid answer
   * (a valid IP among `scans` counts too). null: every answer invalid or
   * timed out. Outstanding fetches stay outstanding; a late valid answer
   * counts in a later call.
   */
  fetch(record: number, word: bigint, scans: readonly Scan[]): Promise<Uint8Array | null>;
}

export interface MemorySet {
  readonly f: number;
  /** Number of memories (2f+1). */
  readonly size: number;
  readonly client: number;

  /** A step: runs `perMemory(s)` for every memory; resolves with the first f+1 results (memory index → result). The others run on. */
  step<T>(perMemory: (memory: number) => Promise<T>): Promise<ReadonlyMap<number, T>>;

  /** One READ of record j's meta (and IP when in place) at memory s. Updates `known_s`. */
  scan(record: number, memory: number): Promise<Scan>;

  /**
   * publish(w, value) at s (spec §3): `word` is this client's own word or a
   * copy of another's (the slot is set here to this client's entry). Skipped
   * when `known_s` ≥ key(word) (resolves at once) or `key(last_s)` ≥ key(word)
   * (resolves when that CAS of ours completes: until then s is not known to
   * hold it, and a write-back must not count it); a promotion (same id as
   * last_s) is [IP; CAS]; else [entry; IP; CAS].
   * IP is written only for VERIFIED words in place. Resolves when the CAS completed.
   */
  publish(record: number, memory: number, word: bigint, value: Uint8Array): Promise<void>;

  /** publish(copy of word) at every memory not known to hold ≥ key(word) until f+1 are known to: 0 round trips if they already are, else 1. */
  writeBack(record: number, word: bigint, value: Uint8Array): Promise<number>;

  /** publish everywhere without waiting (background promotion and copies): traced as verbs, not counted as round trips. */
  publishInBackground(record: number, word: bigint, value: Uint8Array): void;

  /** Memories known to hold ≥ key(word). */
  knownHolders(record: number, word: bigint): number;

  /** READ notif[writer] of record j at s; updates n_s. */
  readNotif(record: number, memory: number, writer: number): Promise<bigint>;

  /** CAS notif[writer] of record j at s from `expected` to `desired` (upward only); returns the value found; updates n_s. */
  casNotif(record: number, memory: number, writer: number, expected: bigint, desired: bigint): Promise<bigint>;

  /** n_s: notif[writer] of record j at s as last read (0 if never). */
  cachedNotif(record: number, memory: number, writer: number): bigint;

  /** The value of `word` if `entry` is valid for it at record j (len ≤ valueMax, checksum over id ‖ j ‖ len ‖ value, same id), else null. */
  validValue(record: number, word: bigint, entry: StoredEntry | null): Uint8Array | null;

  /** A fresh fetch book for one operation. */
  operation(): OperationFetches;
}
