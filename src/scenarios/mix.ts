import { Prng, latencyModel, type FaultProfile } from '../sim/index.js';
import type { RunOptions, Scenario } from './scenario.js';

/**
 * Mixed sweeps: a seed draws not only faults but the whole configuration of
 * its run — latency model, workload, sizes within tolerance, the memory's
 * tear window, the fault profile (whose crashes may strike mid-write and
 * whose pauses may outlast every timeout), the processes' clock skew and
 * drift (for three seeds in ten), and the adversaries where there are any. A sweep that only draws faults at one latency model misses bugs
 * that need a wide spread of delays or contention (the audit's PMP straggler
 * took 3 seeds in 60,000 of a targeted lan sweep); drawing everything per
 * seed covers those corners in every sweep.
 *
 * The draw is a pure function of the seed and of what the caller fixed, and
 * its result is explicit run options: the replay command of a failing seed
 * names every drawn value.
 */

/**
 * Latency models a mixed run draws from: the fixed ones, uniform spreads up
 * to 40×, and heavy tails (mostly fast, some delays up to 10× or 30×) drawn
 * more often than the rest — one straggling verb among fast ones is what
 * exposes "in parallel, until a majority" code whose slowest steps land
 * after the protocol moved on.
 */
export const mixedLatencies = ['unit', 'rdma', 'lan', 'uniform:1:4', 'uniform:1:40', 'uniform:0.5:20', 'tail:1:10:0.3', 'tail:1:30:0.1', 'tail:1:10:0.3', 'tail:1:30:0.1'] as const;

/** Fault profiles, weighted toward everything at once. */
const mixedProfiles: readonly FaultProfile[] = ['none', 'crash', 'pause', 'net', 'all', 'all', 'all'];

/** Tear windows (fraction of a write's completion delay); undefined = the simulator's default. */
const mixedTears: readonly (number | undefined)[] = [undefined, 0.25, 0.5, 0.9, 1];

/** Clock skew bounds, in mean delays of the drawn latency model, and drift bounds in parts per million. */
const mixedSkews: readonly number[] = [0.5, 2, 10, 50];
const mixedDrifts: readonly number[] = [0, 10, 100, 10_000];

/** The options a caller fixed; everything else a mixed run draws. */
export type FixedOptions = Partial<Omit<RunOptions, 'protocol' | 'seed'>>;

/** Sizes a mixed run may use for a scenario (within what it tolerates and accepts). */
export interface MixedSizes {
  readonly n?: number;
  readonly memories?: number;
  readonly f?: number;
}

/** The run options of seed `seed` in a mixed sweep of `scenario`. */
export function mixedRunOptions(scenario: Scenario, seed: number, fixed: FixedOptions): RunOptions {
  const random = new Prng(seed, 'mix');
  const pick = <T>(items: readonly T[]): T => items[random.int(items.length)];
  // Every draw happens whether or not it is used, so fixing one option leaves the others' draws unchanged.
  const latency = pick(mixedLatencies);
  const faults = pick(mixedProfiles);
  const tear = pick(mixedTears);
  const workload = scenario.mixWorkload ? scenario.mixWorkload(random) : scenario.workloads ? pick(scenario.workloads) : undefined;
  const sizes = scenario.mixSizes ? scenario.mixSizes(random) : defaultSizes(scenario, random);
  const adversary = random.chance(0.75) ? 'all' : undefined;
  // Drawn after everything above, so that each seed keeps the configuration it drew before clocks were drawn.
  const clocked = random.chance(0.3);
  const skew = pick(mixedSkews) * latencyModel(latency).mean;
  const drift = pick(mixedDrifts);
  // Drawn last, so that adding the option changed no other scenario's configurations.
  const log = scenario.logs ? pick(scenario.logs) : undefined;
  // Drawn after the log (a bounded log's size depends on it), and last, so that no other draw moved.
  const slots = scenario.mixSlots ? scenario.mixSlots(random, { log: fixed.log ?? log }) : undefined;
  const sized = fixed.n !== undefined || fixed.f !== undefined || fixed.memories !== undefined;
  // Fixed clients of a scenario whose processes are its clients fix the processes: the memories stay drawn.
  const { n: _drawnProcesses, ...memorySizes } = sizes;
  const clientProcesses = fixed.clients !== undefined && scenario.clientsAreProcesses === true;
  return {
    protocol: scenario.name,
    seed,
    ...(sized ? {} : clientProcesses ? memorySizes : sizes),
    latency,
    faults,
    ...(tear !== undefined ? { tear } : {}),
    ...(workload !== undefined ? { workload } : {}),
    ...(scenario.adversaries && adversary ? { adversary } : {}),
    ...(clocked ? { skew, drift } : {}),
    ...(log !== undefined ? { log } : {}),
    ...(slots !== undefined ? { slots } : {}),
    ...definedOnly(fixed),
  };
}

/** Sizes for scenarios without their own rule: f of 1 or 2 through `sizeFor`, else the defaults. */
function defaultSizes(scenario: Scenario, random: Prng): MixedSizes {
  const f = 1 + random.int(2);
  if (scenario.sizeFor) return { f };
  return {};
}

function definedOnly(fixed: FixedOptions): FixedOptions {
  return Object.fromEntries(Object.entries(fixed).filter(([, value]) => value !== undefined)) as FixedOptions;
}
