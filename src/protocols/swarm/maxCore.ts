import type { SwarmMutant } from './mutants.js';

/**
 * The max register's decisions, as pure functions (spec swarm.md §2): what a
 * CAS result teaches a client about its buffer, when its CAS loop may stop,
 * what a READ of the buffers says, and when a value sits on enough memories.
 */

/** A client's cache for one memory: `mine`, what it believes its buffer holds; `known`, a value it knows the memory holds (some buffer ≥ it). */
export interface MemoryCache {
  readonly mine: bigint;
  readonly known: bigint;
}

export interface CasStep extends MemoryCache {
  /** Whether the loop stops: the buffer holds ≥ v (or, for a mutant, for its own bad reason). */
  readonly done: boolean;
}

/**
 * After `r := CAS(meta[b], mine, v)`: a success (r = mine) puts v there; a
 * failure teaches the buffer's value r. The loop goes on only while r < v —
 * replacing an r ≥ v would lower the register (`cas-retry-while-unequal`
 * does exactly that), and stopping on any failure (`cas-stops-on-failure`)
 * returns a write whose value is in no buffer when r < v.
 */
export function afterCas(cache: MemoryCache, value: bigint, returned: bigint, mutant?: SwarmMutant): CasStep {
  const mine = returned === cache.mine ? value : returned;
  const known = maxOf(cache.known, mine);
  if (mutant === 'cas-stops-on-failure') return { mine, known, done: true };
  if (mutant === 'cas-retry-while-unequal') return { mine, known, done: mine === value };
  return { mine, known, done: mine >= value };
}

/** The largest of the T buffers (u64 words, little-endian) a READ returned. */
export function bufferMax(bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let max = 0n;
  for (let offset = 0; offset + 8 <= bytes.byteLength; offset += 8) {
    const word = view.getBigUint64(offset, true);
    if (word > max) max = word;
  }
  return max;
}

export function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** How many memories are known to hold ≥ `value`. */
export function holders(known: readonly bigint[], value: bigint): number {
  return known.filter((held) => held >= value).length;
}

/**
 * How many memories must hold a value before an operation may return it:
 * f+1, so that every later step's f+1 responders meet one of them.
 * `write-back-to-f` stops a read's write-back (not a write) one short.
 */
export function enoughHolders(f: number, writeBack: boolean, mutant?: SwarmMutant): number {
  return writeBack && mutant === 'write-back-to-f' ? f : f + 1;
}
