import { availableParallelism, loadavg } from 'node:os';
import { runSweep, type SeedRange } from '../sweep/runSweep.js';
import { sweepPlanOf } from '../sweep/seedRun.js';
import { sortedByProperty, type SweepTally } from '../sweep/sweepTally.js';
import type { BenchSuite } from './suite.js';
import { sweepCharts } from './charts/sweepCharts.js';

/**
 * Seeds per second of one mixed sweep (pmp, every configuration drawn per
 * seed: the sweep the test suite runs) on 1 worker — this thread, the
 * baseline — and on 2 worker threads, in the same run and over the same
 * seeds. The two tallies must be equal (a difference fails the bench): the
 * speed-up is only worth reporting if the answer is the same. The 2-worker
 * time includes starting the threads (each compiles the simulator anew).
 * On a machine whose cores are busy with other work the ratio falls toward
 * 1 or below; `cores` and `loadAverage` (the 1-minute load when the suite
 * started) say what there was, and the CPU time of each run shows what the
 * threads cost beyond the seeds.
 */
const protocol = 'pmp';

interface Timing {
  readonly workers: number;
  readonly seeds: number;
  readonly ms: number;
  readonly seedsPerSecond: number;
  /** CPU time of the whole process (every thread): what the threads cost beyond the seeds themselves. */
  readonly cpuMs: number;
}

async function timeSweep(range: SeedRange, workers: number): Promise<{ timing: Timing; tally: SweepTally }> {
  const plan = sweepPlanOf({ protocol, seed: range.first, latency: 'unit', faults: 'crash' }, {});
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const { tally } = await runSweep(plan, range, { workers, stop: false, maxFailures: 100, signal: new AbortController().signal });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  return { timing: { workers, seeds: range.count, ms: Math.round(ms), seedsPerSecond: Math.round((range.count / ms) * 1000), cpuMs }, tally };
}

function sameTally(a: SweepTally, b: SweepTally): boolean {
  return JSON.stringify({ ...a, byProperty: sortedByProperty(a) }) === JSON.stringify({ ...b, byProperty: sortedByProperty(b) });
}

export const sweepWorkersBench: BenchSuite = {
  name: 'sweep',
  summary: 'seeds/s of a mixed pmp sweep on 1 worker (this thread) and on 2 worker threads, same seeds, same tally',
  async run(options) {
    const load = loadavg()[0];
    const range = { first: 1, count: options.quick ? 60 : 600 };
    // A short warm-up in this thread, so that the baseline is not charged for compiling the simulator.
    await timeSweep({ first: range.first + range.count, count: options.quick ? 5 : 30 }, 1);
    const one = await timeSweep(range, 1);
    const two = await timeSweep(range, 2);
    if (!sameTally(one.tally, two.tally)) throw new Error(`bench sweep: 2 workers tallied ${JSON.stringify(two.tally)}, 1 worker ${JSON.stringify(one.tally)}`);
    return {
      protocol,
      mixed: true,
      cores: availableParallelism(),
      loadAverage: Number(load.toFixed(2)),
      oneWorker: one.timing,
      twoWorkers: two.timing,
      speedup: Number((two.timing.seedsPerSecond / one.timing.seedsPerSecond).toFixed(2)),
      runs: one.tally.runs,
      violations: one.tally.violations,
    };
  },
  charts: sweepCharts,
  summarize(result) {
    const one = result.oneWorker as Timing;
    const two = result.twoWorkers as Timing;
    return [
      `mixed ${String(result.protocol)} sweep, ${one.seeds} seeds, ${String(result.cores)} cores, load average ${String(result.loadAverage)}:`,
      `  1 worker (this thread)  ${String(one.seedsPerSecond).padStart(6)} seeds/s  (${one.ms} ms, ${one.cpuMs} ms CPU)`,
      `  2 worker threads        ${String(two.seedsPerSecond).padStart(6)} seeds/s  (${two.ms} ms with thread start, ${two.cpuMs} ms CPU)`,
      `  2 workers / 1 worker    ${String(result.speedup)}x  (same tally: ${String(result.runs)} runs, ${String(result.violations)} violations)`,
    ].join('\n');
  },
};
