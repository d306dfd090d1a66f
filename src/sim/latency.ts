import type { Prng } from './prng.js';

/**
 * One-way delay models. Virtual time is in microseconds; under `unit` every
 * one-way delay is exactly 1, so an operation's latency reads directly as its
 * number of delays on the critical path (the lecture's tables).
 */
export interface LatencyModel {
  readonly name: string;
  /** A one-way delay drawn from the network stream. */
  sample(random: Prng): number;
  /** The smallest delay `sample` can return (> 0). */
  readonly minimum: number;
  /** The mean delay: scenarios size their time scales (horizon, faults) from it, never protocols. */
  readonly mean: number;
}

export const latencyNames = ['unit', 'rdma', 'lan', 'uniform:MIN:MAX', 'tail:BASE:SLOW:P'] as const;

/** Every one-way delay = 1. */
export const unitLatency: LatencyModel = { name: 'unit', minimum: 1, mean: 1, sample: () => 1 };

/** RDMA inside a rack: about 1 µs one way, small jitter, a rare slow packet. */
export const rdmaLatency: LatencyModel = {
  name: 'rdma',
  minimum: 0.8,
  mean: 0.8 + 0.2 + 0.01 * 2,
  sample: (random) => 0.8 + random.float() * 0.4 + (random.chance(0.01) ? random.exponential(2) : 0),
};

/** A datacenter LAN with kernel networking: about 50 µs one way, wider jitter and a tail. */
export const lanLatency: LatencyModel = {
  name: 'lan',
  minimum: 30,
  mean: 30 + 20 + 0.02 * 200,
  sample: (random) => 30 + random.float() * 40 + (random.chance(0.02) ? random.exponential(200) : 0),
};

/** Uniform in [minimum, maximum]: a plain random schedule for tests. */
export function uniformLatency(minimum: number, maximum: number): LatencyModel {
  return { name: `uniform:${minimum}:${maximum}`, minimum, mean: (minimum + maximum) / 2, sample: (random) => minimum + random.float() * (maximum - minimum) };
}

/**
 * Mostly fast, sometimes very slow: a delay is `base` to 2×`base`, but with
 * probability `p` anywhere up to `slow`. One straggling verb among fast ones
 * is what exposes bugs of "until a majority" code whose slowest steps land
 * after the protocol moved on.
 */
export function tailLatency(base: number, slow: number, p: number): LatencyModel {
  return {
    name: `tail:${base}:${slow}:${p}`,
    minimum: base,
    mean: (1 - p) * 1.5 * base + (p * (base + slow)) / 2,
    sample: (random) => (random.chance(p) ? base + random.float() * (slow - base) : base + random.float() * base),
  };
}

/** Parses a latency model name; throws a message listing what is accepted. */
export function latencyModel(name: string): LatencyModel {
  if (name === 'unit') return unitLatency;
  if (name === 'rdma') return rdmaLatency;
  if (name === 'lan') return lanLatency;
  const uniform = /^uniform:([0-9.]+):([0-9.]+)$/.exec(name);
  if (uniform) {
    const minimum = Number(uniform[1]);
    const maximum = Number(uniform[2]);
    if (minimum > 0 && maximum >= minimum && Number.isFinite(maximum)) return uniformLatency(minimum, maximum);
  }
  const tail = /^tail:([0-9.]+):([0-9.]+):([0-9.]+)$/.exec(name);
  if (tail) {
    const [base, slow, p] = [Number(tail[1]), Number(tail[2]), Number(tail[3])];
    if (base > 0 && slow >= base && Number.isFinite(slow) && p >= 0 && p <= 1) return tailLatency(base, slow, p);
  }
  throw new Error(`unknown latency model '${name}' (accepted: unit, rdma, lan, uniform:MIN:MAX with 0 < MIN <= MAX, tail:BASE:SLOW:P with 0 < BASE <= SLOW and 0 <= P <= 1)`);
}
