import type { KvOperation } from '../protocols/kv/kvCommand.js';
import type { Prng } from '../sim/prng.js';

/**
 * The clients' workload of the `kv-log` scenario, after YCSB: keys chosen
 * by a Zipfian law (a few hot keys take most operations, YCSB's constant
 * 0.99), values of 64 bytes, and a read/update mix — YCSB-A 50/50 (an
 * update-heavy session store), YCSB-B 95/5 (read-mostly, photo tagging).
 * YCSB's update is a put; here updates are puts, appends and deletes
 * (5 : 4 : 1), so that a command applied twice (appends) or a lost
 * one shows in the values reads return. Pure: a seeded stream per client.
 */
export interface KvMix {
  readonly name: string;
  /** Fraction of operations that are gets. */
  readonly readFraction: number;
}

export const kvMixes: Readonly<Record<string, KvMix>> = {
  'ycsb-a': { name: 'ycsb-a', readFraction: 0.5 },
  'ycsb-b': { name: 'ycsb-b', readFraction: 0.95 },
};

/** YCSB's Zipfian constant. */
export const zipfianConstant = 0.99;
export const valueBytes = 64;

/** Cumulative Zipfian probabilities of key ranks 0..keys-1 (rank r weighs 1/(r+1)^θ), the last exactly 1. */
export function zipfianCumulative(keys: number, theta = zipfianConstant): number[] {
  const weights = Array.from({ length: keys }, (_, rank) => 1 / (rank + 1) ** theta);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let running = 0;
  const cumulative = weights.map((weight) => (running += weight / total));
  // Exactly 1 at the end whatever the rounding (a draw past the last sum lands on the last rank either way).
  if (keys > 0) cumulative[keys - 1] = 1;
  return cumulative;
}

/** The rank whose cumulative probability first reaches `uniform` (a draw in [0, 1)). */
export function zipfianRank(cumulative: readonly number[], uniform: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (cumulative[middle] > uniform) high = middle;
    else low = middle + 1;
  }
  return low;
}

export function keyName(rank: number): string {
  return `k${rank}`;
}

/** A 64-byte value naming who wrote it and when: distinct values make histories easy to read and checks sharp. */
export function valueFor(client: number, call: number): string {
  const label = `p${client}.${call}.`;
  return label + '-'.repeat(Math.max(0, valueBytes - label.length));
}

export interface KvCall {
  readonly operation: KvOperation;
  readonly key: string;
  readonly value: string;
}

/** Client `client`'s `call`-th operation, drawn from its own stream. */
export function nextKvCall(random: Prng, mix: KvMix, cumulative: readonly number[], client: number, call: number): KvCall {
  const key = keyName(zipfianRank(cumulative, random.float()));
  if (random.float() < mix.readFraction) return { operation: 'get', key, value: '' };
  const update = random.int(10);
  if (update < 5) return { operation: 'put', key, value: valueFor(client, call) };
  if (update < 9) return { operation: 'append', key, value: valueFor(client, call) };
  return { operation: 'delete', key, value: '' };
}
