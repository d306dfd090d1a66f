import { forEachMemory, type Fabric, type MemoryId, type RegionSpec } from '../../fabric/index.js';
import { bucketOffset, bucketSize, bucketsFor, buildIndex, indexSize, keyMatches, keyPlace, lookupCandidates } from './keyIndex.js';
import type { SwarmLayout } from './layout.js';

/**
 * SWARM-KV's key index on the memories (spec swarm.md §6): the loader's
 * contents (the index region and every record's KEY, identical at every
 * memory, in place before the run) and a client's lookup.
 *
 * The index is replicated and read-only: every memory holds the same bytes
 * and nothing changes them during the run, so the first memory to answer
 * is right — a lookup needs one answer, not f+1, and a crashed memory only
 * costs waiting for another.
 */

/** The index region of deployment `base` (beside `<base>.rec` and the logs). */
export function keyIndexRegionName(base: string): string {
  return `${base}.index`;
}

/** The index region: read-only for every process (it is loaded before the run, not written by verbs). */
export function keyIndexRegion(base: string, buckets: number, memories: readonly MemoryId[]): RegionSpec {
  return { name: keyIndexRegionName(base), size: indexSize(buckets), policy: 'access-list', defaultAccess: 'read', memories: [...memories] };
}

/** Bytes one region holds before the run (the simulator's `Preload`, at every memory holding the region). */
export interface LoadedBytes {
  readonly region: string;
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export interface KeyIndexLoad {
  readonly buckets: number;
  /** key → record j (its position in the key list). */
  readonly records: ReadonlyMap<string, number>;
  /** The index region, then each record's KEY in `rec`: what every memory holds before the run. */
  readonly contents: readonly LoadedBytes[];
}

/**
 * The load phase's contents for `keys` in SWARM layout `layout` (keyMax
 * and records from its config; records ≥ the number of keys) and an index
 * of `buckets` buckets (default: load factor 0.5). Throws as `buildIndex`
 * does (a repeated key, a key over keyMax, both buckets full).
 */
export function keyIndexLoad(keys: readonly string[], layout: SwarmLayout, buckets = bucketsFor(keys.length)): KeyIndexLoad {
  const { records, keyMax, region } = layout.config;
  if (keys.length > records) throw new RangeError(`${keys.length} keys do not fit ${records} records (accepted: records ≥ keys)`);
  const index = buildIndex(keys, buckets, keyMax);
  const fields = index.keyFields ?? [];
  return {
    buckets,
    records: index.records,
    contents: [
      { region: keyIndexRegionName(region), offset: 0, bytes: index.indexBytes },
      ...fields.map((bytes, record) => ({ region: layout.recordRegion, offset: layout.keyOffset(record), bytes })),
    ],
  };
}

export interface KeyIndexClientConfig {
  readonly layout: SwarmLayout;
  readonly buckets: number;
}

/** A client's lookups: fabric verbs only, no cache (the key cache of §6 is the KV client's). */
export class KeyIndexClient {
  private readonly memories: readonly MemoryId[];
  private readonly indexRegion: string;
  /** Round trips of the last call (steps waited for in sequence). */
  lastRoundTrips = 0;

  constructor(
    private readonly fabric: Fabric,
    private readonly config: KeyIndexClientConfig,
  ) {
    this.memories = config.layout.config.memories;
    this.indexRegion = keyIndexRegionName(config.layout.config.region);
  }

  /**
   * The records whose index slot carries the key's fingerprint (1 round
   * trip): both buckets READ at every memory, the first memory to answer
   * both wins. Unverified: the caller checks a candidate's KEY, e.g. in the
   * first scan of the record, which reads KEY anyway (§6's get).
   */
  async candidates(key: string): Promise<number[]> {
    const { first, second } = keyPlace(key, this.config.buckets);
    const [answer] = await forEachMemory(this.memories, 1, (memory) =>
      Promise.all([this.readBucket(memory, first), first === second ? undefined : this.readBucket(memory, second)]).then(([one, two]) => {
        const both = new Uint8Array(2 * bucketSize);
        both.set(one, 0);
        both.set(two ?? one, bucketSize);
        return both;
      }),
    );
    this.lastRoundTrips = 1;
    // The index is the load's image, whose records are all below K; anything else is no binding of this key space.
    return lookupCandidates(answer.value, key).filter((record) => record < this.config.layout.config.records);
  }

  /**
   * The key's record, verified (2 round trips): its candidates, then
   * `verify`. Null: the key was not loaded (the KV operation's `unknown-key`).
   */
  async lookup(key: string): Promise<number | null> {
    const candidates = await this.candidates(key);
    const record = await this.verify(candidates, key);
    this.lastRoundTrips = candidates.length === 0 ? 1 : 2;
    return record;
  }

  /**
   * The candidate whose KEY is the key (1 round trip, none without
   * candidates): their KEYs READ at every memory, the first to answer all of
   * them wins. Null when none matches.
   */
  async verify(candidates: readonly number[], key: string): Promise<number | null> {
    this.lastRoundTrips = 0;
    if (candidates.length === 0) return null;
    const { layout } = this.config;
    const length = 8 + layout.config.keyMax;
    const [answer] = await forEachMemory(this.memories, 1, (memory) =>
      Promise.all(candidates.map((record) => this.fabric.read({ memory, region: layout.recordRegion, offset: layout.keyOffset(record) }, length))),
    );
    this.lastRoundTrips = 1;
    const index = answer.value.findIndex((field) => keyMatches(field, key));
    return index < 0 ? null : candidates[index];
  }

  private readBucket(memory: MemoryId, bucket: number): Promise<Uint8Array> {
    return this.fabric.read({ memory, region: this.indexRegion, offset: bucketOffset(bucket) }, bucketSize);
  }
}
