import { Prng } from '../../sim/prng.js';
import { keyName, zipfianConstant, zipfianCumulative, zipfianRank } from '../../scenarios/kvWorkload.js';

/**
 * The client workload of `mnm bench peers`, after YCSB's core workloads:
 * every system (etcd, Redis, mnm's stores) runs exactly these calls.
 *
 * - A loaded key space of `keyCount` keys (`k0..k999`), each put once
 *   before anything is measured (YCSB's load phase).
 * - YCSB-A: 50 % reads, 50 % updates; YCSB-B: 95 % / 5 %. An update is a
 *   put of a fresh 64-byte value (YCSB's update rewrites the record).
 * - Keys drawn by a Zipfian law with YCSB's constant θ = 0.99: rank r
 *   weighs 1/(r+1)^θ, so a few hot keys take most calls. Unscrambled: rank
 *   r is key `k<r>` (YCSB scrambles ranks over the key space to spread hot
 *   keys over its shards; none of these stores shards by key order).
 *
 * Pure and seeded: the same (seed, stream) gives the same calls on every
 * system and every run.
 */
export const ycsbKeyCount = 1000;
export const ycsbValueBytes = 64;
/** YCSB's Zipfian constant (the simulator's KV workloads use the same Zipfian law: scenarios/kvWorkload.ts). */
export const ycsbTheta = zipfianConstant;

export type YcsbWorkloadName = 'ycsb-a' | 'ycsb-b';
export const ycsbWorkloads: readonly YcsbWorkloadName[] = ['ycsb-a', 'ycsb-b'];
/** The fraction of reads in each workload. */
export const ycsbReadFraction: Readonly<Record<YcsbWorkloadName, number>> = { 'ycsb-a': 0.5, 'ycsb-b': 0.95 };

export interface YcsbCall {
  readonly op: 'get' | 'put';
  readonly key: string;
  /** The value of a put ("" for a get). */
  readonly value: string;
}

/** A seeded Zipfian draw over ranks 0..n−1 (rank r weighs 1/(r+1)^θ), by inverse transform on the cumulative weights. */
export class ZipfianGenerator {
  private readonly cumulative: readonly number[];

  constructor(
    readonly n: number,
    private readonly random: { float(): number },
    readonly theta = ycsbTheta,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`zipfian over ${n} items (accepted: an integer ≥ 1)`);
    this.cumulative = zipfianCumulative(n, theta);
  }

  /** The next rank in 0..n−1. */
  next(): number {
    return zipfianRank(this.cumulative, this.random.float());
  }
}

/** The probability of rank `rank` (for tests and the docs: rank 0 takes 1 / H(n, θ)). */
export function zipfianProbability(n: number, rank: number, theta = ycsbTheta): number {
  let total = 0;
  for (let r = 0; r < n; r++) total += 1 / (r + 1) ** theta;
  return 1 / (rank + 1) ** theta / total;
}

/** Rank r is key `k<r>`, as in the simulator's KV workloads. */
export const ycsbKey = keyName;

/** A 64-byte value naming its stream and call (distinct values; the same on every system). */
export function ycsbValue(stream: string, call: number): string {
  const label = `${stream}.${call}.`;
  return (label + '-'.repeat(Math.max(0, ycsbValueBytes - label.length))).slice(0, ycsbValueBytes);
}

/** `count` calls of `workload` from the stream `stream` of `seed`. */
export function ycsbCalls(workload: YcsbWorkloadName, seed: number, stream: string, count: number, keyCount = ycsbKeyCount): YcsbCall[] {
  const random = new Prng(seed, `ycsb:${workload}:${stream}`);
  const keys = new ZipfianGenerator(keyCount, random);
  const reads = ycsbReadFraction[workload];
  const calls: YcsbCall[] = [];
  for (let call = 0; call < count; call++) {
    const key = ycsbKey(keys.next());
    calls.push(random.float() < reads ? { op: 'get', key, value: '' } : { op: 'put', key, value: ycsbValue(stream, call) });
  }
  return calls;
}

/** The load phase: one put per key, `k0..k(n−1)`. */
export function ycsbLoadCalls(keyCount = ycsbKeyCount): YcsbCall[] {
  return Array.from({ length: keyCount }, (_, rank) => ({ op: 'put', key: ycsbKey(rank), value: ycsbValue('load', rank) }));
}
