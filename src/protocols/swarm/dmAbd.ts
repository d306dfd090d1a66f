import { TimestampsExhausted } from './timestampClock.js';
import { type Fabric, type MemoryId, type RegionSpec } from '../../fabric/index.js';
import { swarmRegions } from './layout.js';
import type { MemorySet, Scan } from './memorySet.js';
import type { DmAbdMutant } from './mutants.js';
import { maxByKey } from './swarmMemoriesDecide.js';
import { SwarmMemories } from './swarmMemories.js';
import { packWord, timestampMax, timestampOf, wordId, wordKey } from './word.js';

/**
 * DM-ABD (spec swarm.md §4): the multi-writer atomic register on SWARM's
 * memory layer (swarmMemories.ts, §3's layout), the baseline Safe-Guess
 * improves on. Over 2f+1 memories, any client reads and writes; record 0 of
 * the layout is the register; every word is VERIFIED.
 *
 * - WRITE(v): a step scan; y := (maxSeen + 1, me, VERIFIED) — a *fresh*
 *   timestamp, above every one this client has seen, the scan's included;
 *   a step publish(y, v) ([entry in its own log; IP when in place; CAS its
 *   meta buffer]): 2 round trips.
 * - READ(): a step scan; m := the largest word the responders' buffers
 *   show; its value from a valid IP among the scans (in place), else a
 *   fetch of the entry the buffers name (a failed fetch: a new step scan);
 *   unless f+1 memories are known to hold ≥ key(m), publish a copy of m at
 *   every memory not known to until f+1 are; return the value.
 *   `inPlace: true` is In-n-Out: 1 round trip uncontended (IP holds the
 *   latest write's value). `inPlace: false` is the paper's out-of-place
 *   baseline: every read fetches, 2 round trips.
 *
 * Why it is linearizable: order by key, writes before reads of their key.
 * Ids: (ts, writer) names one write — a writer's timestamps rise (maxSeen
 * counts its own), no id is reused (no restarts reuse a writer id, no ts
 * wraps: `TimestampsExhausted`). F1: a memory's largest key never
 * decreases — a buffer changes only by its owner's CAS from the word the
 * owner last put there to a larger key (publish skips anything not larger;
 * an owned CAS cannot fail, and if it did the layer throws instead of
 * acting) — and any two sets of f+1 memories meet, so a scan issued after
 * a key ≥ w sat on f+1 memories returns ≥ w. F2: a returned operation
 * leaves ≥ its key on f+1 memories (a write: its publish step; a read:
 * known from its scans and CASes, or written back). So if P returned before
 * Q began, Q's step sees ≥ key(P): a read returns a key ≥ key(P), a write
 * takes a fresh timestamp above it, key(Q) > key(P). A read returns m's own
 * value: data counts only when its checksum covers id(m) (entry.ts), and
 * ids are unique, so a torn, stale or reused entry or IP is never taken.
 * Liveness: Invariant D (§3) — the entry a buffer names holds valid data
 * there: it is written before the CAS in the same batch on one queue pair,
 * and rewritten only E publishes later, by when the buffer names another.
 *
 * Mutants (mutants.ts): `write-without-scan` takes maxSeen + 1 from the
 * cache alone and can land below a completed write; `no-write-back` and
 * `write-back-to-f` break F2 for reads; `write-back-to-responders-only`
 * writes back only at the step's responders (a crashed one hangs the read);
 * `fetch-one-memory` fetches at one memory per operation (crashed after its
 * scan: the read hangs).
 */
export interface DmAbdConfig {
  readonly region: string;
  /** 2f+1 memories. */
  readonly memories: readonly MemoryId[];
  readonly f: number;
  /** C: writer ids 0..C−1; writer c runs as process c (layout.ts). */
  readonly clients: number;
  /** This client's writer id. */
  readonly client: number;
  /** Largest value in bytes (a multiple of 8). */
  readonly valueMax: number;
  /** In-n-Out (true: 1-RTT reads) or the out-of-place baseline (false: every read fetches). Default true. */
  readonly inPlace?: boolean;
  /** E, entries per writer's log (2..2048; default 2048: wait-free below E publishes per client during an operation). */
  readonly entries?: number;
  /** A fetch fails after this long without a valid answer (the backend's time unit; spec default 4 RTT). */
  readonly fetchTimeout: number;
  readonly mutant?: DmAbdMutant;
}

export const dmAbdEntriesDefault = 2048;

/** The layout of a DM-ABD register: one record, no key. */
function layoutOf(config: Omit<DmAbdConfig, 'client' | 'fetchTimeout' | 'mutant'>) {
  return { region: config.region, memories: config.memories, f: config.f, clients: config.clients, records: 1, entries: config.entries ?? dmAbdEntriesDefault, valueMax: config.valueMax, keyMax: 0, inPlace: config.inPlace ?? true };
}

/** The regions a DM-ABD register needs on every memory (layout.ts: `rec` and one log per writer, owned by process = writer id). */
export function dmAbdRegions(config: Omit<DmAbdConfig, 'client' | 'fetchTimeout' | 'mutant'>): RegionSpec[] {
  return swarmRegions(layoutOf(config));
}

/** The operation would need a timestamp beyond 40 bits: the client stops (spec §3: fail-stop, never wrap). */

/**
 * A register on a layer shared with others (SWARM-KV: one register per key
 * j, one layer per client): its record and the client's layer, built with
 * records ≥ j + 1. Without it the register builds its own one-record layer.
 */
export interface DmAbdShared {
  readonly memories: SwarmMemories;
  readonly record: number;
}

export class DmAbdRegister {
  private readonly memories: SwarmMemories;
  private readonly record: number;
  /** The largest timestamp this client read or issued. */
  private maxSeen = 0n;
  private roundTrips = 0;
  private fetches = 0;

  constructor(
    fabric: Fabric,
    private readonly config: DmAbdConfig,
    shared?: DmAbdShared,
  ) {
    this.memories = shared?.memories ?? new SwarmMemories(fabric, { ...layoutOf(config), client: config.client, fetchTimeout: config.fetchTimeout });
    this.record = shared?.record ?? 0;
  }

  /** Round trips of the last operation: steps, fetches and write-backs on its critical path. */
  get lastRoundTrips(): number {
    return this.roundTrips;
  }

  /** Fetches the last operation waited for (0 when IP served it). */
  get lastFetches(): number {
    return this.fetches;
  }

  async write(value: Uint8Array): Promise<void> {
    if (value.length > this.config.valueMax) throw new RangeError(`value of ${value.length} bytes exceeds the register's ${this.config.valueMax}`);
    this.roundTrips = 0;
    this.fetches = 0;
    if (this.config.mutant !== 'write-without-scan') {
      const scans = await this.scanStep();
      this.see(largest(scans));
    }
    // Before any verb of y: a wrapped timestamp would order this write below every other.
    // After the scan: the write ends with an unknown outcome (spec §3), the client fail-stops.
    if (this.maxSeen + 1n > timestampMax) throw new TimestampsExhausted(this.maxSeen + 1n, true);
    this.maxSeen += 1n;
    const y = packWord({ timestamp: this.maxSeen, writer: this.config.client, verified: true });
    await this.memories.step((memory) => this.memories.publish(this.record, memory, y, value));
    this.roundTrips++;
  }

  async read(): Promise<Uint8Array | null> {
    this.roundTrips = 0;
    this.fetches = 0;
    const book = this.memories.operation();
    /** `fetch-one-memory`: the one memory this operation fetches at. */
    let fetchMemory: number | undefined;
    for (;;) {
      const scans = await this.scanStep();
      const m = largest(scans);
      this.see(m);
      if (m === 0n) return null;
      let value = inPlaceValue(this.memories, this.record, scans, m);
      if (value === null) {
        let from = scans;
        if (this.config.mutant === 'fetch-one-memory') {
          fetchMemory ??= scans.find((scan) => scan.buffers.some((buffer) => buffer !== 0n && wordId(buffer) === wordId(m)))?.memory;
          from = scans.filter((scan) => scan.memory === fetchMemory);
        }
        this.fetches++;
        this.roundTrips++;
        value = await book.fetch(this.record, m, from);
        // Every answer invalid or late (its holders moved on, a memory crashed or is slow): look again.
        if (value === null) continue;
      }
      this.roundTrips += await this.writeBack(m, value, scans);
      return value;
    }
  }

  /** A step of scans: the responders' answers (each also raised the layer's `known`). */
  private async scanStep(): Promise<Scan[]> {
    const scans = await this.memories.step((memory) => this.memories.scan(this.record, memory));
    this.roundTrips++;
    return [...scans.values()];
  }

  /** F2 for reads: until f+1 memories are known to hold ≥ key(m), publish a copy of m at every memory not known to (0 or 1 round trip). */
  private async writeBack(m: bigint, value: Uint8Array, scans: readonly Scan[]): Promise<number> {
    const mutant = this.config.mutant;
    if (mutant === 'no-write-back') return 0;
    if (mutant !== 'write-back-to-f' && mutant !== 'write-back-to-responders-only') return this.memories.writeBack(this.record, m, value);
    const { f } = this.memories;
    const needed = (mutant === 'write-back-to-f' ? f : f + 1) - this.memories.knownHolders(this.record, m);
    if (needed <= 0) return 0;
    const everywhere = Array.from({ length: this.memories.size }, (_, memory) => memory);
    const candidates = (mutant === 'write-back-to-responders-only' ? scans.map((scan) => scan.memory) : everywhere).filter((memory) => this.memories.cacheOf(this.record, memory).known < wordKey(m));
    await waitFor(
      candidates.map((memory) => this.memories.publish(this.record, memory, m, value)),
      needed,
    );
    return 1;
  }

  private see(word: bigint): void {
    const timestamp = timestampOf(word);
    if (timestamp > this.maxSeen) this.maxSeen = timestamp;
  }
}

/** The largest word the responders' buffers show (0: nothing written yet). */
function largest(scans: readonly Scan[]): bigint {
  return maxByKey(scans.map((scan) => scan.max));
}

/** m's value from a valid IP among the scans (in place): no fetch needed. */
function inPlaceValue(memories: MemorySet, record: number, scans: readonly Scan[], m: bigint): Uint8Array | null {
  for (const scan of scans) {
    const value = memories.validValue(record, m, scan.inPlace);
    if (value !== null) return value;
  }
  return null;
}

/** Resolves once `needed` of the promises resolved (never, if fewer ever do: the mutants' hang). */
function waitFor(promises: readonly Promise<void>[], needed: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0;
    for (const promise of promises) {
      promise.then(() => {
        if (++done === needed) resolve();
      }, reject);
    }
  });
}
