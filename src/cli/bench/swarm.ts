import { findScenario, runScenario, type RunOptions, type RunReport } from '../../scenarios/index.js';
import { verbFloorRun } from './verbFloorRun.js';
import { replayCommand, simulatorCommand } from '../runArgs.js';
import { refusal, workloadFor } from '../tables/swarm.js';
import { round, type LatencyFigures, type TargetVerdict } from './latencyFigures.js';
import type { BenchSuite } from './suite.js';
import { latenciesByFunction, percent, spreadOf } from './swarmFigures.js';
import { baselineCase, benchAlgorithms, benchBackends, benchRows, caseCosts, swarmTargets, writeRatio, type BenchAlgorithm, type BenchBackend, type BenchCase, type BenchRow, type CaseCost, type Measurement, type OperationMeasurement, type VerbFloor } from './swarmRows.js';
import { swarmCharts } from './charts/swarmCharts.js';

/**
 * `mnm bench swarm`: SWARM's registers (spec swarm.md) on the simulator's
 * `rdma` latency model, on shm and on tcp, in one run, every figure as a
 * ratio to baselines measured in the same run:
 *
 * - the unreplicated store (`raw`, one memory, one verb per operation),
 *   same backend, same case, same operation kind (a get is a read, a put a
 *   write);
 * - the physical floor, one verb round trip on the backend: on shm and tcp
 *   the p50 of a 64-byte READ / WRITE awaited one at a time (the backends
 *   bench's `verbBenchBody`); on the simulator the p50 of `raw` with one
 *   client, which is exactly one verb.
 *
 * Each algorithm registered among raw, dm-abd, dm-abd-out-of-place,
 * safe-guess and swarm-kv runs its scenario (the same code `mnm run` runs)
 * with 4 clients on 3 memories (raw: 1), seed 1, in four cases:
 * `uncontended` (workload uniform), `contention` (workload contention: no
 * think time), `skew` (uniform, clocks offset within ±5 verb round trips and
 * drifting 10,000 ppm) and `memory-crashed` (uniform, m2 crashed from the
 * start; not raw, which has one memory). Latency per operation is from the
 * run's history (invocation to completion; on shm/tcp each client's first
 * 20 % are warm-up, not counted), round trips and the fast-path share from
 * the protocols' own `op-cost` counts. Algorithms not registered yet are
 * skipped with a note, and the targets that need them say "not measured".
 */
const clients = 4;
const seed = 1;
/** Clock skew of the `skew` case, in verb round trips of the backend. */
const skewRoundTrips = 5;
const driftPpm = 10_000;
/** On shm/tcp, each client's first operations run cold code (JIT): not counted. */
const warmupFraction = 0.2;

interface BenchCounts {
  /** Operations per client on the simulator and on the real backends. */
  readonly simOps: number;
  readonly realOps: number;
  /** Verbs timed for the floor on shm/tcp. */
  readonly verbs: number;
}

const quickCounts: BenchCounts = { simOps: 100, realOps: 80, verbs: 2000 };
const fullCounts: BenchCounts = { simOps: 400, realOps: 400, verbs: 20_000 };

/**
 * The cases run for a replicated algorithm on a backend: all four.
 * `--quick` keeps the simulator's four, on tcp the uncontended and
 * contention cases and the crashed memory (a target's), on shm the
 * uncontended case only: clock skew is the protocols' own business, which
 * the simulator shows, and one backend shows contention on real threads.
 */
export function casesOf(backend: BenchBackend, quick: boolean): BenchCase[] {
  const all: BenchCase[] = ['uncontended', 'contention', 'skew', 'memory-crashed'];
  if (!quick || backend === 'sim') return all;
  return backend === 'tcp' ? ['uncontended', 'contention', 'memory-crashed'] : ['uncontended'];
}

/** One run to make: an algorithm, a case, the scenario's workload for it. */
export interface BenchPlan {
  readonly algorithm: BenchAlgorithm;
  readonly case: BenchCase;
  readonly workload: string;
}

/**
 * The runs on one backend (pure): for each replicated algorithm each case
 * in the workload the table uses (`contention`; otherwise `solo` where the
 * scenario has it — no two operations overlap — else `uniform`), and first
 * raw in every (case, workload) those rows are set against (`baselineCase`),
 * plus raw uncontended and under contention in its own workloads. A case
 * without a fitting workload is returned in `unfit`.
 */
export function benchPlans(backend: BenchBackend, quick: boolean, workloadsOf: (algorithm: BenchAlgorithm) => readonly string[] | undefined, algorithms: readonly BenchAlgorithm[]): { plans: BenchPlan[]; unfit: BenchPlan[] } {
  const replicated: BenchPlan[] = [];
  const unfit: BenchPlan[] = [];
  for (const algorithm of algorithms.filter((candidate) => candidate !== 'raw')) {
    for (const benchCase of casesOf(backend, quick)) {
      const workload = workloadFor(benchCase === 'contention' ? 'contention' : 'uncontended', workloadsOf(algorithm));
      if (workload === undefined) unfit.push({ algorithm, case: benchCase, workload: '-' });
      else replicated.push({ algorithm, case: benchCase, workload });
    }
  }
  const raw: BenchPlan[] = [];
  if (algorithms.includes('raw')) {
    const wanted = [
      { case: 'uncontended' as const, workload: workloadFor('uncontended', workloadsOf('raw')) },
      ...(casesOf(backend, quick).includes('contention') ? [{ case: 'contention' as const, workload: workloadFor('contention', workloadsOf('raw')) }] : []),
      ...replicated.map((plan) => ({ case: baselineCase(plan.case), workload: plan.workload })),
    ];
    for (const plan of wanted) {
      if (plan.workload === undefined || !workloadsOf('raw')?.includes(plan.workload)) continue;
      if (!raw.some((existing) => existing.case === plan.case && existing.workload === plan.workload)) raw.push({ algorithm: 'raw', case: plan.case, workload: plan.workload });
    }
  }
  return { plans: [...raw, ...replicated], unfit };
}

function runOptions(backend: BenchBackend, { algorithm, case: benchCase, workload }: BenchPlan, ops: number, skewUnits: number): RunOptions {
  return {
    protocol: algorithm,
    seed,
    n: clients,
    memories: algorithm === 'raw' ? 1 : 3,
    latency: backend === 'sim' ? 'rdma' : 'unit',
    faults: 'none',
    ops,
    workload,
    ...(benchCase === 'skew' ? { skew: round(skewUnits * 1000) / 1000, drift: driftPpm } : {}),
    ...(benchCase === 'memory-crashed' ? { crash: 'm2@0' } : {}),
    ...(backend !== 'sim' ? { backend } : {}),
  };
}

function measurementOf(backend: BenchBackend, { algorithm, case: benchCase, workload }: BenchPlan, report: RunReport): Measurement {
  const unit = backend === 'sim' ? 1 : Number(report.details.timeUnitMicroseconds);
  const roundTrips = (report.details.roundTrips ?? {}) as Record<string, { p50: number; p99: number; oneRoundTrip: number }>;
  const byOp: Record<string, OperationMeasurement> = {};
  for (const [f, latencies] of latenciesByFunction(report.history, unit, backend === 'sim' ? 0 : warmupFraction)) {
    const counted = roundTrips[f];
    byOp[f] = { latencies, rttP50: counted?.p50 ?? null, rttP99: counted?.p99 ?? null, fastPathShare: counted?.oneRoundTrip ?? null };
  }
  const command = backend === 'sim' ? replayCommand(report.params) : `${simulatorCommand(report.params)} --backend ${backend}`;
  return { backend, algorithm, case: benchCase, workload, ok: report.ok && !report.blocked, byOp, command };
}

/** One verb round trip on shm or tcp: p50 of 64-byte READs and WRITEs awaited one at a time (the backends bench's body). */
async function realVerbFloor(backend: 'shm' | 'tcp', count: number): Promise<VerbFloor> {
  const figures = await verbFloorRun(backend, count, 'swarm');
  return { read: figures.read.p50, write: figures.write.p50, source: `p50 of ${count} 64-byte READs / WRITEs, one at a time` };
}

/** One verb round trip on the simulator's `rdma` model: `raw` with one client (each operation is exactly one verb). */
async function simVerbFloor(ops: number): Promise<VerbFloor> {
  const report = await runScenario({ protocol: 'raw', seed, n: 1, memories: 1, latency: 'rdma', faults: 'none', ops, workload: 'uniform' }, 'off');
  if (!report.ok) throw new Error('bench swarm: the raw floor run on the simulator failed its checks');
  const latencies = latenciesByFunction(report.history, 1, 0);
  const p50 = (f: string) => round(spreadOf(latencies.get(f) ?? [0]).p50);
  return { read: p50('read'), write: p50('write'), source: `raw with 1 client, ${ops} operations (one verb each), latency rdma` };
}

export const swarmBench: BenchSuite = {
  name: 'swarm',
  summary: 'SWARM registers on sim (rdma), shm and tcp: Safe-Guess and SWARM-KV vs DM-ABD and the unreplicated store, per case, as ratios to raw and to one verb',
  async run(options, io) {
    const progress = (text: string) => (options.quiet ? undefined : io.stderr(`  ${text}\n`));
    const counts = options.quick ? quickCounts : fullCounts;
    const registered = benchAlgorithms.filter((algorithm) => findScenario(algorithm) !== undefined);
    const absent = benchAlgorithms.filter((algorithm) => !registered.includes(algorithm));
    for (const algorithm of absent) io.stderr(`bench swarm: ${algorithm}: not registered yet, skipped\n`);
    const floors: Partial<Record<BenchBackend, VerbFloor>> = {};
    const skipped: { backend: BenchBackend; algorithm: BenchAlgorithm; case: BenchCase; why: string }[] = [];
    const measurements: Measurement[] = [];
    for (const backend of benchBackends) {
      progress(`${backend}: one verb round trip (the floor)`);
      const floor = backend === 'sim' ? await simVerbFloor(counts.simOps) : await realVerbFloor(backend, counts.verbs);
      floors[backend] = floor;
      // Skew in the run's time unit: µs on the simulator, the real backends' delay unit on shm/tcp.
      const unitMicroseconds = backend === 'sim' ? 1 : backend === 'shm' ? 250 : 500;
      const skewUnits = (skewRoundTrips * Math.max(floor.read, floor.write)) / unitMicroseconds;
      const { plans, unfit } = benchPlans(backend, options.quick, (algorithm) => findScenario(algorithm)?.workloads, registered);
      for (const plan of unfit) {
        skipped.push({ backend, algorithm: plan.algorithm, case: plan.case, why: "the scenario has no 'solo', 'uniform' or 'contention' workload for it" });
        io.stderr(`bench swarm: ${backend} ${plan.algorithm} ${plan.case}: skipped (no fitting workload)\n`);
      }
      for (const plan of plans) {
        const runWith = runOptions(backend, plan, backend === 'sim' ? counts.simOps : counts.realOps, skewUnits);
        // A scenario that cannot run this case (other sizes, ...) is skipped with its own one-line reason, not guessed at.
        const refused = refusal(runWith);
        if (refused !== undefined) {
          skipped.push({ backend, algorithm: plan.algorithm, case: plan.case, why: refused });
          io.stderr(`bench swarm: ${backend} ${plan.algorithm} ${plan.case}: skipped (${refused})\n`);
          continue;
        }
        progress(`${backend}: ${plan.algorithm} ${plan.case} (${plan.workload})`);
        const report = await runScenario(runWith, 'off');
        if (report.params.backend !== undefined && report.details.timeUnitMicroseconds !== unitMicroseconds) throw new Error(`bench swarm: ${backend}'s time unit is ${String(report.details.timeUnitMicroseconds)} µs, not ${unitMicroseconds}`);
        measurements.push(measurementOf(backend, plan, report));
      }
    }
    const rows = benchRows(measurements, floors);
    const costs = caseCosts(rows);
    const targets = swarmTargets(rows, new Set(absent), benchBackends);
    const dmAbdOverSafeGuessWrite: Record<string, number | null> = {};
    for (const backend of benchBackends) dmAbdOverSafeGuessWrite[backend] = writeRatio(rows, backend)?.value ?? null;
    return {
      clients,
      memories: 3,
      seed,
      counts,
      warmupFraction,
      skew: { roundTrips: skewRoundTrips, driftPpm },
      floors,
      absent,
      skipped,
      failedRuns: measurements.filter((measurement) => !measurement.ok).map((measurement) => measurement.command),
      rows,
      caseCosts: costs,
      ratios: { dmAbdOverSafeGuessWriteP50: dmAbdOverSafeGuessWrite },
      targets,
    };
  },
  charts: swarmCharts,
  summarize(result) {
    const rows = result.rows as BenchRow[];
    const floors = result.floors as Record<BenchBackend, VerbFloor>;
    const costs = result.caseCosts as CaseCost[];
    const targets = result.targets as TargetVerdict[];
    const absent = result.absent as string[];
    const failed = result.failedRuns as string[];
    const x = (value: number | null) => (value === null ? '-' : `${value}x`);
    const share = (value: number | null | undefined) => (value === null || value === undefined ? '-' : percent(value));
    const rowLine = (row: BenchRow) =>
      `    ${row.algorithm.padEnd(19)} ${row.op.padEnd(5)} ${`${row.case} (${row.workload})`.padEnd(27)} p50 ${String(row.p50Us).padStart(8)} µs = ${x(row.p50VsRaw).padStart(6)} raw, ${x(row.p50VsFloor).padStart(6)} verb;  p99 ${String(row.p99Us).padStart(9)} µs = ${x(row.p99VsRaw).padStart(6)} raw;  rtt ${row.rttP50 ?? '-'}/${row.rttP99 ?? '-'}, 1-RTT ${share(row.fastPathShare).padStart(6)}${row.ok ? '' : '  RUN FAILED'}`;
    const costLine = (cost: CaseCost) =>
      `    ${cost.algorithm.padEnd(19)} ${cost.op.padEnd(5)} contention p50 ${x(cost.contentionP50).padStart(6)} p99 ${x(cost.contentionP99).padStart(6)};  skew p50 ${x(cost.skewP50).padStart(6)} p99 ${x(cost.skewP99).padStart(6)};  1-RTT ${Object.entries(cost.fastPath).map(([benchCase, value]) => `${benchCase} ${share(value)}`).join(', ')}`;
    const counts = result.counts as BenchCounts;
    return [
      `SWARM registers, ${clients} clients on 3 memories (raw: 1), seed ${seed}; ${counts.simOps} operations per client on sim, ${counts.realOps} on shm/tcp (first ${warmupFraction * 100}% per client not counted there).`,
      'Each latency as a multiple of raw (the unreplicated store: same backend and workload, under contention for a contention row, else uncontended; a get/put set against a read/write) and of one verb round trip on the backend:',
      ...benchBackends.flatMap((backend) => [
        `  ${backend}${backend === 'sim' ? ' (latency model rdma, virtual µs)' : ' (wall clock)'}: one verb = read ${floors[backend].read} µs, write ${floors[backend].write} µs (${floors[backend].source})`,
        ...rows.filter((row) => row.backend === backend).map(rowLine),
      ]),
      `the cost of contention and skew (±${skewRoundTrips} verb round trips, ${driftPpm} ppm): each case's latency over the uncontended one, and the share of operations in one round trip:`,
      ...benchBackends.flatMap((backend) => [`  ${backend}:`, ...costs.filter((cost) => cost.backend === backend).map(costLine)]),
      `DM-ABD write p50 / Safe-Guess write p50, uncontended: ${benchBackends.map((backend) => `${backend} ${x((result.ratios as { dmAbdOverSafeGuessWriteP50: Record<string, number | null> }).dmAbdOverSafeGuessWriteP50[backend])}`).join(', ')}`,
      ...(absent.length > 0 ? [`skipped (not registered yet): ${absent.join(', ')}`] : []),
      ...((result.skipped as { backend: string; algorithm: string; case: string; why: string }[]).map((entry) => `skipped: ${entry.backend} ${entry.algorithm} ${entry.case} (${entry.why})`)),
      ...(failed.length > 0 ? [`RUNS THAT FAILED THEIR CHECKS (their figures are not baselines): ${failed.join('; ')}`] : []),
      'targets:',
      ...targets.map((verdict) => `  ${verdict.line}`),
    ].join('\n');
  },
};
