import { forEachMemory, type Fabric, type MemoryId, type OperationId, type OperationValue, type RegionSpec } from '../../fabric/index.js';
import { OneAtATime } from '../common/oneAtATime.js';
import { DmAbdRegister } from './dmAbd.js';
import { swarmRegions } from './layout.js';
import type { Scan, SwarmClientConfig, SwarmLayoutConfig } from './memorySet.js';
import { dmAbdMutants, safeGuessMutants, type DmAbdMutant, type SafeGuessMutant } from './mutants.js';
import { SafeGuessRegister } from './safeGuess.js';
import { SwarmMemories } from './swarmMemories.js';
import { SwarmKvStopped, UnknownKey } from './swarmKvErrors.js';
import { bucketsFor, buildIndex, indexSize, keyBytesOf, keyMatches } from './keyIndex.js';
import { TimestampsExhausted } from './timestampClock.js';
import { KeyIndexClient, keyIndexRegionName } from './keyIndexClient.js';

/**
 * SWARM-KV, v1 (spec swarm.md §6): a key-value store of K keys fixed at
 * load time, each key a SWARM atomic register (record j = the key's index
 * in the key space), over 2f+1 memories. Calls mirror `ReplicatedKv`:
 * `get(key)` → its value ("" if never written or deleted), `put(key, value)`,
 * `delete(key)` (= put ""). Linearizable per key (the `kv` model), wait-free.
 *
 * - **Key cache** (per client, unbounded in v1): k → j. The per-(record,
 *   memory) caches of the registers (last_s, e_s, known_s, n_s per writer)
 *   live in the memory layer (`SwarmMemories`), one per client for all keys.
 * - **Miss.** A lookup READs the key's two buckets at every memory and uses
 *   the first answer (+1 round trip): the index is loaded before the run
 *   and read-only after it, so any memory's answer is the answer. An fp
 *   match is only a candidate: it is verified once its record's KEY (len,
 *   bytes) equals the key. A get checks the KEY in its first scan (the same
 *   batch at every memory: no extra round trip; a miss get costs 2). A put
 *   READs the KEY first (+1; a miss put costs 3): it never publishes into a
 *   record it has not verified — its entry and CAS would be another key's
 *   write. No verified candidate: `UnknownKey`, and nothing was written.
 * - **Registers.** Key j is record j of the client's one memory layer.
 *   Safe-Guess (default) runs as one `SafeGuessRegister` per client that
 *   takes the record per call, so its timestamp clock (`last`, `maxSeen`)
 *   spans the keys, as spec §3 asks (a writer's ids rise with its
 *   operations, whatever the key). DM-ABD runs as one `DmAbdRegister` per
 *   key on the shared layer (`dm-abd`: In-n-Out, IP written and read;
 *   `dm-abd-out-of-place`: the paper's baseline, every read fetches); its
 *   fresh timestamps come after a scan of that key, so per-key maxSeen is enough.
 * - **Entries.** E per (writer, record) log (`entries`, default 8): the log
 *   regions hold K·E entries per writer, so E = 2048 (what wait-freedom asks
 *   for under heavy reuse, spec §9) costs K·2048·(24 + valueMax) bytes per
 *   writer and memory — 180 MB for 1,000 keys of 64 bytes. A writer reuses
 *   an entry only after E newer publishes of its own to the same key, so a
 *   reader's fetch fails from reuse only when one writer published E times
 *   to that key during one read; E = 8 keeps the store small and leaves that
 *   to hot keys under heavy contention, where the read rescans (lock-free).
 *
 * History (`record`, default true): invoke, then ok (a get's value, a put's
 * argument; a delete is recorded as the put of ""), `fail` for `UnknownKey`
 * (no effect), `info` when a put ran out of timestamps (its outcome is
 * unknown); calls run one at a time. `lastRoundTrips` and `lastCacheHit`
 * describe the last call (lookups and KEY READs included).
 */
export const swarmKvAlgorithms = ['safe-guess', 'dm-abd', 'dm-abd-out-of-place'] as const;
export type SwarmKvAlgorithm = (typeof swarmKvAlgorithms)[number];

/** What every client and the loader of one deployment agree on. */
export interface SwarmKvLayout {
  /** Base name of the regions. */
  readonly region: string;
  /** The 2f+1 memories. */
  readonly memories: readonly MemoryId[];
  readonly f: number;
  /** C: writer ids 0..C−1 (≤ 4096); writer c's log is owned by process c. */
  readonly clients: number;
  /** K: the key space's size (records 0..K−1). */
  readonly keyCount: number;
  /** B: index buckets of 8 slots (default: enough for K at a load factor of 1/2). */
  readonly buckets?: number;
  /** E: entries per (writer, record) log, 2..2048 (default 8; see above). */
  readonly entries?: number;
  /** Largest value in bytes, a multiple of 8 (default 64). */
  readonly valueMax?: number;
  /** Largest key in bytes, a multiple of 8 (default 24). */
  readonly keyMax?: number;
  /** The register under every key (default `safe-guess`). */
  readonly algorithm?: SwarmKvAlgorithm;
}

export interface SwarmKvConfig extends SwarmKvLayout {
  /** This client's writer id (0..C−1), its process's id in the scenarios. */
  readonly client: number;
  /** The deployment's typical round trip (time units): a timestamp tick is a third of it, a fetch times out after 4. */
  readonly roundTrip: number;
  /** Δ, the cap of a guess above the largest ts seen (default 1024). */
  readonly delta?: bigint;
  /** The local clock's reading at the deployment's start (default 0). */
  readonly epoch?: number;
  /** Records every call in `fabric.history` (default true). */
  readonly record?: boolean;
  /** A deliberately broken register under every key (mutants.ts): one of Safe-Guess's, or of DM-ABD's with a DM-ABD algorithm. */
  readonly mutant?: SafeGuessMutant | DmAbdMutant;
}

export const defaultEntries = 8;
export const defaultValueMax = 64;
export const defaultKeyMax = 24;

/** The memory layer's sizes for a deployment, and B. */
export type SwarmKvSizes = SwarmLayoutConfig & { readonly buckets: number };

export function swarmKvLayoutConfig(layout: SwarmKvLayout): SwarmKvSizes {
  const valueMax = layout.valueMax ?? defaultValueMax;
  const keyMax = layout.keyMax ?? defaultKeyMax;
  const algorithm = layout.algorithm ?? 'safe-guess';
  if (!swarmKvAlgorithms.includes(algorithm)) throw new RangeError(`algorithm ${JSON.stringify(algorithm)} (accepted: ${swarmKvAlgorithms.join(', ')})`);
  return {
    region: layout.region,
    memories: layout.memories,
    f: layout.f,
    clients: layout.clients,
    records: layout.keyCount,
    entries: layout.entries ?? defaultEntries,
    valueMax,
    keyMax,
    inPlace: algorithm !== 'dm-abd-out-of-place',
    buckets: layout.buckets ?? bucketsFor(layout.keyCount),
  };
}

/** The regions every memory of a deployment holds: SWARM's records and logs (layout.ts), and the key index `<region>.index` (keyIndex.ts), open to all. */
export function swarmKvRegions(layout: SwarmKvLayout): RegionSpec[] {
  const config = swarmKvLayoutConfig(layout);
  return [...swarmRegions(config), { name: indexRegionOf(config), size: indexSize(config.buckets), policy: 'open', memories: [...config.memories] }];
}

function indexRegionOf(config: Pick<SwarmLayoutConfig, 'region'>): string {
  return keyIndexRegionName(config.region);
}

/** An atomic register of one key as the store drives it. */
interface KeyRegister {
  write(value: Uint8Array): Promise<void>;
  read(): Promise<Uint8Array | null>;
  readonly lastRoundTrips: number;
}

type Operation = 'get' | 'put' | 'delete';

export class SwarmKv {
  readonly client: number;
  private readonly layout: SwarmKvSizes;
  /** The memory layer (one per client, all keys), with the KEY check a get-on-miss folds into its first scan. */
  private readonly memories: KeyCheckingMemories;
  private readonly index: KeyIndexClient;
  /** Safe-Guess: one register object serves every record, so its timestamp clock (last, maxSeen) spans the keys. */
  private readonly safeGuess: SafeGuessRegister | undefined;
  private readonly algorithm: SwarmKvAlgorithm;
  private readonly record: boolean;
  /** k → j: keys this client has verified. */
  private readonly cache = new Map<string, number>();
  private readonly registers = new Map<number, KeyRegister>();
  private readonly calls = new OneAtATime();
  private stopped: string | undefined;
  private roundTrips = 0;
  private cacheHit = false;

  constructor(
    private readonly fabric: Fabric,
    private readonly config: SwarmKvConfig,
  ) {
    if (!(config.roundTrip > 0) || !Number.isFinite(config.roundTrip)) throw new RangeError(`roundTrip ${config.roundTrip} (accepted: a finite duration > 0)`);
    this.layout = swarmKvLayoutConfig(config);
    this.client = config.client;
    this.algorithm = config.algorithm ?? 'safe-guess';
    this.record = config.record ?? true;
    const mutants: Readonly<Record<string, string>> = this.algorithm === 'safe-guess' ? safeGuessMutants : dmAbdMutants;
    if (config.mutant !== undefined && !(config.mutant in mutants)) throw new RangeError(`mutant ${JSON.stringify(config.mutant)} is not one of ${this.algorithm}'s (accepted: ${Object.keys(mutants).join(', ')})`);
    this.memories = new KeyCheckingMemories(fabric, { ...this.layout, client: config.client, fetchTimeout: 4 * config.roundTrip });
    this.index = new KeyIndexClient(fabric, { layout: this.memories.layout, buckets: this.layout.buckets });
    this.safeGuess =
      this.algorithm === 'safe-guess'
        ? new SafeGuessRegister(this.memories, () => fabric.clock(), {
            tick: config.roundTrip / 3,
            ...(config.epoch !== undefined ? { epoch: config.epoch } : {}),
            ...(config.delta !== undefined ? { delta: config.delta } : {}),
            ...(config.mutant !== undefined ? { mutant: config.mutant as SafeGuessMutant } : {}),
          })
        : undefined;
  }

  /** Round trips of the last call: lookup and KEY READ on a miss, then the register's. */
  get lastRoundTrips(): number {
    return this.roundTrips;
  }

  /** Whether the last call found its key in this client's key cache. */
  get lastCacheHit(): boolean {
    return this.cacheHit;
  }

  /** The key's value ("" when never written, or deleted). */
  get(key: string): Promise<string> {
    return this.call('get', key, '').then((result) => result ?? '');
  }

  put(key: string, value: string): Promise<void> {
    return this.call('put', key, value).then(() => undefined);
  }

  /** Sets the key back to "" (its value before any write). */
  delete(key: string): Promise<void> {
    return this.call('delete', key, '').then(() => undefined);
  }

  /**
   * Writes the key space's image — the index and every record's KEY — at
   * every memory (spec §6's load, before the run). Every loader writes the
   * same bytes to the same places, and nothing else ever writes there, so
   * loading more than once, from several clients, concurrently, is harmless:
   * a word torn between two loads is the same word. A client that loads
   * before its first call needs no barrier with the others: one client's
   * verbs to one memory take effect in issue order (spec §1), so its every
   * later READ of that memory sees the image, whoever else loaded it and
   * whether or not their writes arrived. Resolves once f+1 memories have it.
   * Outside the history. `keys[j]` is record j's key.
   */
  async load(keys: readonly string[]): Promise<void> {
    const image = keyImage(this.layout, keys);
    const layout = this.memories.layout;
    await forEachMemory(this.layout.memories, this.layout.f + 1, (memory) =>
      Promise.all([
        this.fabric.write({ memory, region: image.region, offset: 0 }, image.index),
        ...image.records.map((field, record) => this.fabric.write({ memory, region: layout.recordRegion, offset: layout.keyOffset(record) }, field)),
      ]),
    );
  }

  private call(operation: Operation, key: string, value: string): Promise<string | null> {
    const bytes = new TextEncoder().encode(value);
    if (bytes.length > this.layout.valueMax) return Promise.reject(new RangeError(`${operation} of key ${JSON.stringify(key)}: a value of ${bytes.length} bytes exceeds valueMax ${this.layout.valueMax}`));
    return this.calls.run(() => this.recorded(operation, key, bytes));
  }

  private async recorded(operation: Operation, key: string, value: Uint8Array): Promise<string | null> {
    if (this.stopped !== undefined) throw new SwarmKvStopped(operation, this.stopped);
    if (!this.record) return this.perform(operation, key, value);
    // The kv model knows get and put; a delete is the put of "" it amounts to.
    const f = operation === 'get' ? 'get' : 'put';
    const input: OperationValue = operation === 'get' ? null : new TextDecoder().decode(value);
    const op: OperationId = this.fabric.history.invoke(f, input, key);
    try {
      const result = await this.perform(operation, key, value);
      this.fabric.history.ok(op, operation === 'get' ? result : input);
      return result;
    } catch (error) {
      if (error instanceof UnknownKey) this.fabric.history.fail(op, input);
      else if (error instanceof TimestampsExhausted) this.fabric.history.info(op, input);
      // Anything else is a bug: the call stays open in the history, as if the client had crashed.
      throw error;
    }
  }

  private async perform(operation: Operation, key: string, value: Uint8Array): Promise<string | null> {
    this.roundTrips = 0;
    let record = this.cache.get(key);
    this.cacheHit = record !== undefined;
    if (record === undefined) {
      // A key longer than keyMax is in no key space of this layout: refused before any verb.
      if (keyBytesOf(key).length > this.layout.keyMax) throw new UnknownKey(operation, key);
      const candidates = await this.lookup(key);
      if (operation === 'get' && candidates.length === 1) {
        // The first scan checks the KEY: one batch [KEY READ; scan] at every memory.
        const candidate = candidates[0];
        const result = await this.memories.checkingKey(candidate, key, () => this.registerOf(candidate).read());
        this.roundTrips += this.registerOf(candidate).lastRoundTrips;
        if (!result.matches) throw new UnknownKey(operation, key);
        this.cache.set(key, candidate);
        return decode(result.value);
      }
      record = await this.verify(candidates, key);
      if (record === undefined) throw new UnknownKey(operation, key);
      this.cache.set(key, record);
    }
    const register = this.registerOf(record);
    try {
      if (operation === 'get') {
        const read = await register.read();
        return decode(read);
      }
      await register.write(value);
      return null;
    } catch (error) {
      if (error instanceof TimestampsExhausted) this.stopped = error.message;
      throw error;
    } finally {
      this.roundTrips += register.lastRoundTrips;
    }
  }

  /** The key's candidate records from the index (+1 round trip; unverified). */
  private async lookup(key: string): Promise<number[]> {
    this.roundTrips++;
    return this.index.candidates(key);
  }

  /** The candidate whose KEY is the key (+1 round trip, none without candidates). */
  private async verify(candidates: readonly number[], key: string): Promise<number | undefined> {
    const record = await this.index.verify(candidates, key);
    this.roundTrips += this.index.lastRoundTrips;
    return record ?? undefined;
  }

  private registerOf(record: number): KeyRegister {
    let register = this.registers.get(record);
    if (register === undefined) {
      const safeGuess = this.safeGuess;
      register =
        safeGuess !== undefined
          ? { write: (value) => safeGuess.write(value, record), read: () => safeGuess.read(record), get lastRoundTrips() { return safeGuess.lastRoundTrips; } }
          : new DmAbdRegister(this.fabric, { ...this.layout, client: this.client, fetchTimeout: 4 * this.config.roundTrip, ...(this.config.mutant !== undefined ? { mutant: this.config.mutant as DmAbdMutant } : {}) }, { memories: this.memories, record });
      this.registers.set(record, register);
    }
    return register;
  }
}

function decode(value: Uint8Array | null): string {
  return value === null ? '' : new TextDecoder().decode(value);
}

/** A record's KEY field: len u32, pad, keyMax bytes. */
function keyFieldSize(config: Pick<SwarmLayoutConfig, 'keyMax'>): number {
  return 8 + config.keyMax;
}

/** The index's bytes and each record's KEY bytes: what the load writes at every memory. */
function keyImage(config: SwarmKvSizes, keys: readonly string[]): { region: string; index: Uint8Array; records: readonly Uint8Array[] } {
  if (keys.length !== config.records) throw new RangeError(`${keys.length} keys for a key space of ${config.records} (accepted: exactly ${config.records})`);
  const built = buildIndex(keys, config.buckets, config.keyMax);
  return { region: indexRegionOf(config), index: built.indexBytes, records: built.keyFields ?? [] };
}

/**
 * The memory layer with one addition for a get on a cache miss: while
 * `checkingKey(j, k, …)` runs, the scans of record j issued before the first
 * KEY answer arrived (the first step's) each READ j's KEY first, in the same
 * batch — the spec's "the first scan checks the KEYs" without another round
 * trip. Such a scan resolves once both answered, so the step's responders
 * are memories whose KEY answer is in. Every memory holds the same KEY (the
 * load's image, read-only after it), so the first answer decides.
 */
class KeyCheckingMemories extends SwarmMemories {
  private checking: { readonly record: number; readonly key: string; answer: boolean | undefined } | undefined;

  constructor(
    private readonly network: Fabric,
    private readonly clientConfig: SwarmClientConfig,
  ) {
    super(network, clientConfig);
  }

  async checkingKey(record: number, key: string, read: () => Promise<Uint8Array | null>): Promise<{ matches: boolean; value: Uint8Array | null }> {
    const checking = { record, key, answer: undefined as boolean | undefined };
    this.checking = checking;
    try {
      const value = await read();
      if (checking.answer === undefined) throw new Error(`the read of record ${record} ended before any KEY answer: its first step carried no scan of it`);
      return { matches: checking.answer, value };
    } finally {
      this.checking = undefined;
    }
  }

  override scan(record: number, memory: number): Promise<Scan> {
    const checking = this.checking;
    if (checking === undefined || checking.record !== record || checking.answer !== undefined) return super.scan(record, memory);
    const field = this.network.read({ memory: this.clientConfig.memories[memory], region: this.layout.recordRegion, offset: this.layout.keyOffset(record) }, keyFieldSize(this.clientConfig));
    const scan = super.scan(record, memory);
    return Promise.all([field, scan]).then(([bytes, result]) => {
      checking.answer ??= keyMatches(bytes, checking.key);
      return result;
    });
  }
}
