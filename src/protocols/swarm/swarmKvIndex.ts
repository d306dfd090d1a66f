import { getWord, setWord, type RegionSpec } from '../../fabric/index.js';
import { xxh64 } from './xxh64.js';

/**
 * SWARM-KV's key index (spec swarm.md §6), replicated at every memory in
 * its own region `<region>.index`: B buckets of 8 u64 slots, bucket b at
 * 64·b; a slot is `fp:16 | j:48` (fp never 0; 0 = empty). For key k:
 * h = xxh64(k, seed 1), fp = h >> 48 (0 becomes 1), h1 = h mod B,
 * h2 = xxh64(k, seed 2) mod B. The loader puts (fp, j) in the emptier of
 * the two buckets (h1 on a tie; both full: the load fails), so a lookup
 * READs both. An fp match is a candidate only: record j's KEY (len u32,
 * pad, the key's bytes, zero past len) decides.
 *
 * Written once by the load, read-only afterwards (v1: no inserts), so a
 * lookup may take any one memory's answer.
 */
export interface KeyIndexConfig {
  readonly region: string;
  /** B: buckets. */
  readonly buckets: number;
  /** K: records. */
  readonly records: number;
  /** Largest key in bytes, a multiple of 8. */
  readonly keyMax: number;
}

export const slotsPerBucket = 8;
export const bucketBytes = 8 * slotsPerBucket;
const recordMax = (1n << 48n) - 1n;

/** Enough buckets for `keys` keys at a load factor of 1/2 (16 slots per 8 keys in two-choice buckets rarely overflow). */
export function bucketsOf(keys: number): number {
  return Math.max(1, Math.ceil(keys / (slotsPerBucket / 2)));
}

export function keyIndexRegion(config: Pick<KeyIndexConfig, 'region' | 'buckets'>): RegionSpec {
  checkBuckets(config.buckets);
  return { name: `${config.region}.index`, size: config.buckets * bucketBytes, policy: 'open' };
}

function checkBuckets(buckets: number): void {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`${buckets} index buckets (accepted: 1 or more)`);
}

export interface KeyPlacement {
  /** The slot's value: fp (never 0) in the top 16 bits. */
  readonly fingerprint: number;
  /** h1, h2: the two buckets (possibly equal). */
  readonly buckets: readonly [number, number];
}

export function keyPlacement(key: string, buckets: number): KeyPlacement {
  checkBuckets(buckets);
  const bytes = new TextEncoder().encode(key);
  const h = xxh64(bytes, 1n);
  const fingerprint = Number(h >> 48n) || 1;
  return { fingerprint, buckets: [Number(h % BigInt(buckets)), Number(xxh64(bytes, 2n) % BigInt(buckets))] };
}

function slotOf(fingerprint: number, record: number): bigint {
  return (BigInt(fingerprint) << 48n) | BigInt(record);
}

/** The index's bytes for a key space (`keys[j]` is record j's key); throws when both buckets of a key are full or a key repeats. */
export function keyIndexImage(config: KeyIndexConfig, keys: readonly string[]): Uint8Array {
  if (keys.length > config.records) throw new RangeError(`${keys.length} keys for ${config.records} records`);
  if (BigInt(keys.length) > recordMax) throw new RangeError(`${keys.length} keys do not fit 48-bit record numbers`);
  if (new Set(keys).size !== keys.length) throw new RangeError('the key space repeats a key (accepted: distinct keys; v1 binds each once)');
  const image = new Uint8Array(config.buckets * bucketBytes);
  const used = new Array<number>(config.buckets).fill(0);
  keys.forEach((key, record) => {
    keyRecordBytes(config, key);
    const { fingerprint, buckets } = keyPlacement(key, config.buckets);
    const [first, second] = buckets;
    const bucket = used[second] < used[first] ? second : first;
    if (used[bucket] === slotsPerBucket) throw new RangeError(`load failed: both buckets of key ${JSON.stringify(key)} (${first}, ${second}) are full (accepted: more buckets than ${config.buckets})`);
    setWord(image, bucket * bucketBytes + 8 * used[bucket], slotOf(fingerprint, record));
    used[bucket]++;
  });
  return image;
}

/** What a lookup READs: the key's buckets (one READ each; one when h1 = h2), as offsets in the index region. */
export function lookupReads(config: Pick<KeyIndexConfig, 'buckets'>, key: string): { readonly offset: number; readonly length: number }[] {
  const [first, second] = keyPlacement(key, config.buckets).buckets;
  return [...new Set([first, second])].map((bucket) => ({ offset: bucket * bucketBytes, length: bucketBytes }));
}

/** The records whose slots in the buckets read (in `lookupReads`' order) carry the key's fp: candidates, unverified. */
export function lookupCandidates(config: Pick<KeyIndexConfig, 'buckets' | 'records'>, key: string, buckets: readonly Uint8Array[]): number[] {
  const { fingerprint } = keyPlacement(key, config.buckets);
  const candidates: number[] = [];
  for (const bytes of buckets) {
    for (let slot = 0; slot < slotsPerBucket; slot++) {
      const word = getWord(bytes, 8 * slot);
      if (word === 0n || Number(word >> 48n) !== fingerprint) continue;
      const record = Number(word & recordMax);
      // A record outside the key space is no binding of ours (the index is only ever the load's image).
      if (record < config.records && !candidates.includes(record)) candidates.push(record);
    }
  }
  return candidates;
}

/** Record j's KEY as stored (8 + keyMax bytes: len u32, pad, the key's bytes, zero past len); throws for a key longer than keyMax. */
export function keyRecordBytes(config: Pick<KeyIndexConfig, 'keyMax'>, key: string): Uint8Array {
  const encoded = new TextEncoder().encode(key);
  if (encoded.length > config.keyMax) throw new RangeError(`key ${JSON.stringify(key)} of ${encoded.length} bytes exceeds keyMax ${config.keyMax}`);
  const bytes = new Uint8Array(8 + config.keyMax);
  new DataView(bytes.buffer).setUint32(0, encoded.length, true);
  bytes.set(encoded, 8);
  return bytes;
}

/** Whether a key can be in a key space of this layout at all (its bytes fit keyMax). */
export function keyFits(config: Pick<KeyIndexConfig, 'keyMax'>, key: string): boolean {
  return new TextEncoder().encode(key).length <= config.keyMax;
}
