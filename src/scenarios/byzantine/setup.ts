import type { ProcessId } from '../../fabric/index.js';
import { freeCosts, measuredCosts, runKeys, type SignatureCosts } from '../../crypto/index.js';
import { Prng } from '../../sim/prng.js';
import { latencyModel } from '../../sim/latency.js';
import type { ResolvedOptions } from '../scenario.js';

/**
 * What the Byzantine broadcast scenarios share: sizes from f, where the
 * Byzantine processes sit and which strategy each runs, timeouts, and what
 * signatures cost in virtual time.
 */

/** Messages each sender broadcasts at most (sequence numbers 1..8). */
export const maxMessages = 8;
/** Longest message in bytes. */
export const messageCapacity = 32;

/** One Byzantine process and its strategy. */
export interface Placement {
  readonly process: ProcessId;
  readonly adversary: string;
}

export interface Catalogue {
  /** Strategies that need the Byzantine process to be the sender (p0). */
  readonly sender: readonly string[];
  /** Strategies of a Byzantine replicator (placed at p(n-1), p(n-2), ...). */
  readonly replicator: readonly string[];
}

/** f: from --f, else from n (n = 2f+1, or 3f+1 for Bracha). */
export function faultsOf(options: ResolvedOptions, processesPerFault: number): number {
  return options.f ?? Math.floor((options.n - 1) / processesPerFault);
}

/** Parses --adversary (a comma-separated list, or `all`: drawn by seed); throws a one-line message. */
export function adversaryNames(options: ResolvedOptions, catalogue: Catalogue, f: number): string[] {
  const given = options.adversary;
  if (given === undefined || given === '' || given === 'none') return [];
  if (given === 'all') return drawAdversaries(options.seed, catalogue, f);
  const names = given.split(',').map((name) => name.trim()).filter(Boolean);
  const known = [...catalogue.sender, ...catalogue.replicator];
  for (const name of names) {
    if (!known.includes(name)) throw new Error(`--adversary: unknown strategy '${name}' (accepted: all, ${known.join(', ')})`);
  }
  const senders = names.filter((name) => catalogue.sender.includes(name));
  if (senders.length > 1) throw new Error(`--adversary: at most one sender strategy (the sender p0 is one process), got ${senders.join(', ')}`);
  if (names.length > f) throw new Error(`--adversary: ${names.length} Byzantine processes exceed f = ${f} (faults count among the replicators)`);
  return names;
}

/**
 * `--adversary all`: each seed draws its own combination, so a sweep covers
 * the catalogue: maybe a sender strategy, and up to f in all.
 */
export function drawAdversaries(seed: number, catalogue: Catalogue, f: number): string[] {
  const random = new Prng(seed, 'adversaries');
  const names: string[] = [];
  if (f === 0) return names;
  if (random.chance(0.4)) names.push(catalogue.sender[random.int(catalogue.sender.length)]);
  const replicators = names.length === 0 ? 1 + random.int(f) : random.int(f - names.length + 1);
  for (let index = 0; index < replicators; index++) names.push(catalogue.replicator[random.int(catalogue.replicator.length)]);
  return names;
}

/** Where each strategy runs: a sender strategy at the sender p0, replicator strategies from the last process down. */
export function placements(names: readonly string[], catalogue: Catalogue, n: number): Placement[] {
  const result: Placement[] = [];
  let next = n - 1;
  for (const name of names) {
    if (catalogue.sender.includes(name)) result.push({ process: 0, adversary: name });
    else result.push({ process: next--, adversary: name });
  }
  return result.sort((a, b) => a.process - b.process);
}

/**
 * Signature costs charged as virtual time: the measured ones (µs) under the
 * models whose time is real microseconds (`rdma`, `lan`); none under `unit`
 * (time counts delays) and `uniform:*` (abstract random schedules).
 */
export function signatureCosts(options: ResolvedOptions): SignatureCosts {
  return options.latency === 'rdma' || options.latency === 'lan' ? measuredCosts : freeCosts;
}

/** The shortest one-way delay of the run's latency model: adversaries pace their rewrites by it, to race readers. */
export function shortestDelay(options: ResolvedOptions): number {
  return latencyModel(options.latency).minimum;
}

const typicalDelays = new Map<string, number>();

/**
 * The typical one-way delay of the run's latency model: the mean of 4096
 * draws from a fixed stream (deterministic; the same for every seed). The
 * broadcast scenarios measure their timeouts, pacing and fault windows in
 * it: under `uniform:1:40` a round trip takes about 40, not 2, and timeouts
 * counted in minimum delays would fire before any fast path could finish.
 * Under `unit` it is 1.
 */
export function delay(options: ResolvedOptions): number {
  const model = latencyModel(options.latency);
  let typical = typicalDelays.get(model.name);
  if (typical === undefined) {
    const random = new Prng(0, 'typical-delay');
    let sum = 0;
    for (let draw = 0; draw < 4096; draw++) sum += model.sample(random);
    typical = Math.max(model.minimum, Math.round((sum / 4096) * 100) / 100);
    typicalDelays.set(model.name, typical);
  }
  return typical;
}

export { runKeys };
