/**
 * XXH64 (Yann Collet's xxHash, 64-bit), in BigInt arithmetic: the checksum
 * of SWARM's entries and the key index's hash (spec swarm.md §3, §6).
 * Synchronous and dependency-free (the wasm build needs an async start);
 * entries are short, so BigInt speed does not matter next to a verb.
 * Known answers: "" seed 0 → 0xef46db3751d8e999, "abc" seed 0 →
 * 0x44bc2cf5ad770999 (xxhash.h's published vectors; xxh64.test.ts).
 */
const mask = (1n << 64n) - 1n;
const prime1 = 0x9e3779b185ebca87n;
const prime2 = 0xc2b2ae3d27d4eb4fn;
const prime3 = 0x165667b19e3779f9n;
const prime4 = 0x85ebca77c2b2ae63n;
const prime5 = 0x27d4eb2f165667c5n;

function rotateLeft(value: bigint, bits: bigint): bigint {
  return ((value << bits) | (value >> (64n - bits))) & mask;
}

function round(accumulator: bigint, input: bigint): bigint {
  const sum = (accumulator + input * prime2) & mask;
  return (rotateLeft(sum, 31n) * prime1) & mask;
}

function mergeRound(accumulator: bigint, value: bigint): bigint {
  const mixed = accumulator ^ round(0n, value);
  return (mixed * prime1 + prime4) & mask;
}

export function xxh64(bytes: Uint8Array, seed = 0n): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.length;
  let offset = 0;
  let hash: bigint;
  const seed64 = seed & mask;
  if (length >= 32) {
    let v1 = (seed64 + prime1 + prime2) & mask;
    let v2 = (seed64 + prime2) & mask;
    let v3 = seed64;
    let v4 = (seed64 - prime1) & mask;
    for (; offset + 32 <= length; offset += 32) {
      v1 = round(v1, view.getBigUint64(offset, true));
      v2 = round(v2, view.getBigUint64(offset + 8, true));
      v3 = round(v3, view.getBigUint64(offset + 16, true));
      v4 = round(v4, view.getBigUint64(offset + 24, true));
    }
    hash = (rotateLeft(v1, 1n) + rotateLeft(v2, 7n) + rotateLeft(v3, 12n) + rotateLeft(v4, 18n)) & mask;
    hash = mergeRound(hash, v1);
    hash = mergeRound(hash, v2);
    hash = mergeRound(hash, v3);
    hash = mergeRound(hash, v4);
  } else {
    hash = (seed64 + prime5) & mask;
  }
  hash = (hash + BigInt(length)) & mask;
  for (; offset + 8 <= length; offset += 8) {
    hash ^= round(0n, view.getBigUint64(offset, true));
    hash = (rotateLeft(hash, 27n) * prime1 + prime4) & mask;
  }
  if (offset + 4 <= length) {
    hash ^= (BigInt(view.getUint32(offset, true)) * prime1) & mask;
    hash = (rotateLeft(hash, 23n) * prime2 + prime3) & mask;
    offset += 4;
  }
  for (; offset < length; offset++) {
    hash ^= (BigInt(bytes[offset]) * prime5) & mask;
    hash = (rotateLeft(hash, 11n) * prime1) & mask;
  }
  hash ^= hash >> 33n;
  hash = (hash * prime2) & mask;
  hash ^= hash >> 29n;
  hash = (hash * prime3) & mask;
  hash ^= hash >> 32n;
  return hash;
}
