import { getWord, setWord } from '../../fabric/index.js';
import { xxh64 } from './xxh64.js';

/**
 * SWARM-KV's key index (spec swarm.md §6), v1: a fixed key space loaded
 * before the run and read-only afterwards.
 *
 * B buckets of 8 u64 slots, bucket b at 64·b; a slot is `fp:16 | j:48`
 * (fp never 0), 0 = empty. A key's fingerprint and buckets: h = xxh64(key,
 * seed 1), fp = h >> 48 (0 → 1), h1 = h mod B, h2 = xxh64(key, seed 2) mod B.
 * The loader puts each key into the emptier of its two buckets (h1 on a
 * tie); both full is a load error. A client READs both buckets (one READ
 * each, or one of 128 bytes when adjacent — it only needs their bytes),
 * takes the slots whose fp matches as candidates and keeps the one whose
 * record's KEY (len, bytes) equals the key: an fp match alone is 16 bits.
 *
 * Keys are their UTF-8 bytes. A record's KEY field is 8 + keyMax bytes:
 * len u32 | pad u32 | key bytes, zero past len (keyMax a multiple of 8).
 */
export const bucketSlots = 8;
export const bucketSize = 8 * bucketSlots;
/** j fits 48 bits: records 0..2^48 − 1. */
export const recordBits = 48;
export const recordMax = 2 ** recordBits - 1;
/** The default load factor (keys / slots): two choices of 8-slot buckets load 10,000 keys at 0.5 without a full pair. */
export const defaultLoadFactor = 0.5;

const fingerprintSeed = 1n;
const secondSeed = 2n;
const encoder = new TextEncoder();

export function keyBytesOf(key: string): Uint8Array {
  return encoder.encode(key);
}

/** A key's fingerprint (1..65535) and its two buckets among `buckets`. */
export interface KeyPlace {
  readonly fingerprint: number;
  readonly first: number;
  readonly second: number;
}

export function keyPlace(key: string, buckets: number): KeyPlace {
  checkBuckets(buckets);
  const bytes = keyBytesOf(key);
  const hash = xxh64(bytes, fingerprintSeed);
  return { fingerprint: fingerprintOf(hash), first: Number(hash % BigInt(buckets)), second: Number(xxh64(bytes, secondSeed) % BigInt(buckets)) };
}

function fingerprintOf(hash: bigint): number {
  const fingerprint = Number(hash >> 48n);
  // 0 marks an empty slot.
  return fingerprint === 0 ? 1 : fingerprint;
}

/** The number of buckets that holds `keys` keys at `loadFactor` (keys per slot, in (0, 1]). */
export function bucketsFor(keys: number, loadFactor = defaultLoadFactor): number {
  if (!Number.isInteger(keys) || keys < 0) throw new RangeError(`${keys} keys (accepted: an integer ≥ 0)`);
  if (!(loadFactor > 0 && loadFactor <= 1)) throw new RangeError(`load factor ${loadFactor} (accepted: (0, 1], keys per slot)`);
  return Math.max(1, Math.ceil(keys / (bucketSlots * loadFactor)));
}

export function indexSize(buckets: number): number {
  checkBuckets(buckets);
  return buckets * bucketSize;
}

export function bucketOffset(bucket: number): number {
  return bucket * bucketSize;
}

export function encodeSlot(fingerprint: number, record: number): bigint {
  if (!Number.isInteger(fingerprint) || fingerprint < 1 || fingerprint > 0xffff) throw new RangeError(`fingerprint ${fingerprint} (accepted: 1..65535)`);
  if (!Number.isInteger(record) || record < 0 || record > recordMax) throw new RangeError(`record ${record} (accepted: 0..2^48-1)`);
  return (BigInt(fingerprint) << 48n) | BigInt(record);
}

/** A slot's fingerprint and record; null for an empty slot. */
export function decodeSlot(slot: bigint): { readonly fingerprint: number; readonly record: number } | null {
  if (slot === 0n) return null;
  return { fingerprint: Number(slot >> 48n), record: Number(slot & 0xffffffffffffn) };
}

export interface BuiltIndex {
  /** The index region's contents: B buckets of 8 slots. */
  readonly indexBytes: Uint8Array;
  /** Each key's record j: its position in the key list. */
  readonly records: ReadonlyMap<string, number>;
  readonly buckets: number;
  /** Each record's KEY field (`encodeKeyField`), when built with a keyMax. */
  readonly keyFields?: readonly Uint8Array[];
}

/**
 * The loader's index for `keys` (record j = position in the list) in
 * `buckets` buckets (default: sized by `bucketsFor`), and with `keyMax`
 * every record's KEY field. Deterministic: the same keys in the same order
 * give the same bytes. Throws on a repeated key (one binding per key, §6),
 * a key longer than keyMax, and when both buckets of a key are full.
 */
export function buildIndex(keys: readonly string[], buckets = bucketsFor(keys.length), keyMax?: number): BuiltIndex {
  checkBuckets(buckets);
  // Before any placement: a key too long is the caller's sizing error, not a load failure halfway.
  const keyFields = keyMax === undefined ? undefined : keys.map((key) => encodeKeyField(key, keyMax));
  if (keys.length - 1 > recordMax) throw new RangeError(`${keys.length} keys: record ids fit 48 bits`);
  const indexBytes = new Uint8Array(indexSize(buckets));
  const used = new Uint8Array(buckets);
  const records = new Map<string, number>();
  keys.forEach((key, record) => {
    if (records.has(key)) throw new Error(`key ${JSON.stringify(key)} is listed twice (records ${records.get(key)} and ${record}): v1 binds each key once`);
    records.set(key, record);
    const { fingerprint, first, second } = keyPlace(key, buckets);
    const bucket = used[second] < used[first] ? second : first;
    if (used[bucket] === bucketSlots) {
      throw new Error(`load failed: both buckets of key ${JSON.stringify(key)} (record ${record}: buckets ${first} and ${second} of ${buckets}) are full; give the index more buckets (a lower load factor)`);
    }
    setWord(indexBytes, bucketOffset(bucket) + 8 * used[bucket], encodeSlot(fingerprint, record));
    used[bucket]++;
  });
  return { indexBytes, records, buckets, ...(keyFields ? { keyFields } : {}) };
}

/**
 * The records whose slot in the two buckets' bytes (as READ: bucket h1's
 * 64 bytes, then h2's) carries the key's fingerprint, in slot order,
 * without repeats (h1 = h2 reads one bucket twice). Candidates only: each
 * must be verified against its record's KEY (`keyMatches`).
 */
export function lookupCandidates(twoBuckets: Uint8Array, key: string): number[] {
  if (twoBuckets.length !== 2 * bucketSize) throw new RangeError(`${twoBuckets.length} bytes (accepted: two buckets, ${2 * bucketSize} bytes)`);
  const fingerprint = fingerprintOf(xxh64(keyBytesOf(key), fingerprintSeed));
  const candidates: number[] = [];
  for (let offset = 0; offset < twoBuckets.length; offset += 8) {
    const slot = decodeSlot(getWord(twoBuckets, offset));
    if (slot !== null && slot.fingerprint === fingerprint && !candidates.includes(slot.record)) candidates.push(slot.record);
  }
  return candidates;
}

/** The bytes of the KEY field of a key's record (8 + keyMax): len u32, pad, key bytes, zero past len. */
export function encodeKeyField(key: string, keyMax: number): Uint8Array {
  checkKeyMax(keyMax);
  const bytes = keyBytesOf(key);
  if (bytes.length > keyMax) throw new RangeError(`key ${JSON.stringify(key)} is ${bytes.length} bytes (accepted: at most keyMax = ${keyMax})`);
  const field = new Uint8Array(8 + keyMax);
  new DataView(field.buffer).setUint32(0, bytes.length, true);
  field.set(bytes, 8);
  return field;
}

/**
 * Whether a record's KEY field, as READ (8 + len bytes at least), binds
 * `key`: len and bytes equal. A torn or empty KEY never matches another
 * key's: len 0 or a mismatch in any byte reads as "not this record".
 */
export function keyMatches(keyField: Uint8Array, key: string): boolean {
  if (keyField.length < 8) return false;
  const bytes = keyBytesOf(key);
  const length = new DataView(keyField.buffer, keyField.byteOffset, keyField.byteLength).getUint32(0, true);
  if (length !== bytes.length || keyField.length < 8 + length) return false;
  for (let index = 0; index < length; index++) if (keyField[8 + index] !== bytes[index]) return false;
  return true;
}

function checkBuckets(buckets: number): void {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`${buckets} buckets (accepted: an integer ≥ 1)`);
}

function checkKeyMax(keyMax: number): void {
  if (!Number.isInteger(keyMax) || keyMax < 0 || keyMax % 8 !== 0) throw new RangeError(`keyMax ${keyMax} (accepted: a multiple of 8)`);
}
