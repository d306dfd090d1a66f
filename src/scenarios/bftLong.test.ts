import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { bftMixedRunOptions } from '../cli/sweep/bftMix.js';
import { runSweep } from '../cli/sweep/runSweep.js';
import { sweepPlanOf } from '../cli/sweep/seedRun.js';
import type { SweepTally } from '../cli/sweep/sweepTally.js';
import { mixedLatencies, type FixedOptions } from './mix.js';
import { streamSlotsForInstances, testStreamSlots } from './bftSetup.js';

/**
 * The long sweeps of issue 16 ("Done when"), behind MNM_LONG=1: mixed bft
 * seeds (bftMix.ts: latency model, workload sizes — clients, ops, W — up to
 * f replica crashes, leaders and chains of leaders among them, a minority of
 * memory crashes, clock skew and drift), on the sweep's worker threads:
 * - 2,000 seeds at f = 1 and 500 at f = 2 at a small sizing: streams of K
 *   blocks sized for 16 instances (`--slots`, bftSetup.ts);
 * - 200 seeds at the spec's test sizing (§5: n = 3, C = 4096, K = 1024).
 * Each must run clean: no violation, none blocked (every fault within
 * tolerance), and no run ended for sizing (`stream-full`: the K of the
 * draw's largest workload fits). The counts go to the test's diagnostics.
 */

const long = Boolean(process.env.MNM_LONG);

/**
 * The adversary setting of every long sweep: 'all' draws Byzantine replica
 * strategies per seed on top of the mixed draw (issue 16's "whole
 * catalogue"); undefined runs the draw's own (bftMix.ts).
 */
export const longSweepAdversary: string | undefined = 'all';

/** Streams sized for this many instances: the small sizing ("e.g. 16 instances"). */
const smallInstances = 16;

interface LongSweep {
  readonly name: string;
  readonly seeds: number;
  readonly fixed: FixedOptions;
}

const sweeps: readonly LongSweep[] = [
  { name: 'f = 1, streams for 16 instances', seeds: 2_000, fixed: { f: 1, slots: streamSlotsForInstances(smallInstances, 1) } },
  { name: 'f = 2, streams for 16 instances', seeds: 500, fixed: { f: 2, slots: streamSlotsForInstances(smallInstances, 2) } },
  { name: "f = 1 (n = 3) at the spec's test sizing, K = 1024, C = 4096", seeds: 200, fixed: { f: 1, slots: testStreamSlots } },
];

async function sweep(fixed: FixedOptions, seeds: number): Promise<SweepTally> {
  const withAdversary = longSweepAdversary !== undefined ? { ...fixed, adversary: longSweepAdversary } : fixed;
  const plan = sweepPlanOf({ protocol: 'bft', seed: 1, latency: 'unit', faults: 'crash' }, withAdversary);
  const result = await runSweep(plan, { first: 1, count: seeds }, { workers: Math.max(1, availableParallelism()), stop: false, maxFailures: 20, signal: new AbortController().signal });
  return result.tally;
}

/** What the draw covers over the seeds: latency models, leader crashes, leader chains, memory crashes. */
function coverage(fixed: FixedOptions, seeds: number): { latencies: Set<string>; leaderCrashes: number; chains: number; memoryCrashes: number } {
  const latencies = new Set<string>();
  let leaderCrashes = 0;
  let chains = 0;
  let memoryCrashes = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const options = bftMixedRunOptions(seed, fixed);
    latencies.add(options.latency as string);
    const tokens = (options.crash ?? '').split(',');
    if (tokens.some((token) => token.startsWith('p0@'))) leaderCrashes++;
    if (tokens.some((token) => token.startsWith('p0@')) && tokens.some((token) => token.startsWith('p1@'))) chains++;
    if (tokens.some((token) => token.startsWith('m'))) memoryCrashes++;
  }
  return { latencies, leaderCrashes, chains, memoryCrashes };
}

describe('bft long sweeps (MNM_LONG=1)', { skip: long ? false : 'long sweeps (2,700 bft seeds, tens of minutes): MNM_LONG=1' }, () => {
  for (const { name, seeds, fixed } of sweeps) {
    it(`${name}: ${seeds} mixed seeds run clean`, async (context) => {
      const covered = coverage(fixed, seeds);
      assert.deepEqual([...covered.latencies].sort(), [...new Set(mixedLatencies)].sort(), 'every latency model is drawn');
      assert.ok(covered.leaderCrashes > 0 && covered.memoryCrashes > 0, 'leaders and memories crash');
      if (fixed.f === 2) assert.ok(covered.chains > 0, 'f = 2: the leader and the next leader crash in some seeds');
      const started = Date.now();
      const tally = await sweep(fixed, seeds);
      const summary = `${name}: ${tally.runs} seeds, ${tally.violations} violations ${JSON.stringify(tally.byProperty)}, ${tally.blocked} blocked, ${tally.sized} ended for sizing, ${covered.leaderCrashes} with the leader crashed (${covered.chains} chains p0, p1), ${covered.memoryCrashes} with memory crashes, ${Math.round((Date.now() - started) / 1000)} s`;
      context.diagnostic(summary);
      console.error(summary);
      assert.equal(tally.runs, seeds);
      assert.deepEqual(tally.failures.map((failure) => `${failure.replay}: ${JSON.stringify(failure.violations)}`), [], summary);
      assert.equal(tally.violations, 0, summary);
      assert.equal(tally.blocked, 0, summary);
      assert.equal(tally.sized, 0, summary);
    });
  }
});
