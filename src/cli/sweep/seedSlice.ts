import { UsageError } from '../usage.js';
import type { SeedRange } from './runSweep.js';

/** `--shard I/N`: the I-th (counted from 0) of N slices of a sweep's seeds. */
export interface Shard {
  readonly index: number;
  readonly of: number;
}

/**
 * Parses `I/N` with 0 <= I < N. Counting from 0 matches what batch systems
 * hand each task (Kubernetes' JOB_COMPLETION_INDEX, a zero-based Slurm array).
 */
export function parseShard(raw: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  if (!match) throw new UsageError(`--shard: '${raw}' is not I/N (accepted: I/N with 0 <= I < N, e.g. 0/4 .. 3/4)`);
  const index = Number(match[1]);
  const of = Number(match[2]);
  if (!Number.isSafeInteger(of) || of < 1 || of > 1_000_000) throw new UsageError(`--shard ${raw}: N is out of range (accepted: 1..1000000)`);
  if (index >= of) throw new UsageError(`--shard ${raw}: I is out of range (accepted: 0..${of - 1}, counted from 0)`);
  return { index, of };
}

/**
 * The seeds of one shard: contiguous slices, so each shard's summary names
 * one range ("seeds 2501..5000"), and the slices of 0/N … N-1/N are disjoint
 * and together exactly the whole range. Slice sizes differ by at most one
 * seed; a shard may be empty when there are fewer seeds than shards.
 * Contiguous rather than strided costs no balance: a seed's cost does not
 * grow with its number (a mixed sweep draws each seed's configuration at
 * random).
 */
export function shardSlice(range: SeedRange, shard: Shard): SeedRange {
  const start = Math.floor((shard.index * range.count) / shard.of);
  const stop = Math.floor(((shard.index + 1) * range.count) / shard.of);
  return { first: range.first + start, count: stop - start };
}
