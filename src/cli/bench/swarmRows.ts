import { atLeast, atMost, round, type TargetVerdict } from './latencyFigures.js';
import { percentiles } from '../plots/percentiles.js';
import { spreadOf } from './swarmFigures.js';

/**
 * The pure half of `mnm bench swarm` (swarm.ts runs, this computes): from
 * the runs' measurements and the floors, the rows with their ratios, the
 * cost of contention and skew, and the issue's targets. Tested apart from
 * any timing (swarmRows.test.ts).
 */
export type BenchBackend = 'sim' | 'shm' | 'tcp';
export type BenchCase = 'uncontended' | 'contention' | 'skew' | 'memory-crashed';
export type BenchAlgorithm = 'raw' | 'dm-abd' | 'dm-abd-out-of-place' | 'safe-guess' | 'swarm-kv';

export const benchBackends: readonly BenchBackend[] = ['sim', 'shm', 'tcp'];
export const benchAlgorithms: readonly BenchAlgorithm[] = ['raw', 'dm-abd', 'dm-abd-out-of-place', 'safe-guess', 'swarm-kv'];

/** One operation kind of one run: latencies (µs, warm-up dropped) and the scenario's round-trip figures. */
export interface OperationMeasurement {
  readonly latencies: readonly number[];
  readonly rttP50: number | null;
  readonly rttP99: number | null;
  readonly fastPathShare: number | null;
}

/** One run of one algorithm in one case on one backend. */
export interface Measurement {
  readonly backend: BenchBackend;
  readonly algorithm: BenchAlgorithm;
  readonly case: BenchCase;
  /** The scenario's workload for the case (`solo`, `uniform`, `contention`). */
  readonly workload: string;
  /** The run kept its properties and finished (not blocked). */
  readonly ok: boolean;
  readonly byOp: Readonly<Record<string, OperationMeasurement>>;
  /** The `mnm run` command of the same run (on shm/tcp: its options on the simulator, plus --backend). */
  readonly command: string;
}

/** One verb round trip on a backend (µs, p50): the physical floor. */
export interface VerbFloor {
  readonly read: number;
  readonly write: number;
  /** How it was measured. */
  readonly source: string;
}

/** `a / b`, two decimals; null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return round(a / b);
}

/** The raw operation a protocol's operation is set against: a get is a read, a put a write. */
export function rawOperation(op: string): 'read' | 'write' {
  return op === 'write' || op === 'put' ? 'write' : 'read';
}

/**
 * The raw run a row is set against, in the row's workload: raw under
 * contention for a contention row, else raw uncontended — raw uses no
 * clocks (its skew run is its uncontended run) and has no memory to spare
 * (a crashed-memory row is set against raw whole).
 */
export function baselineCase(benchCase: BenchCase): BenchCase {
  return benchCase === 'contention' ? 'contention' : 'uncontended';
}

export interface BenchRow {
  readonly backend: BenchBackend;
  readonly algorithm: BenchAlgorithm;
  readonly op: string;
  readonly case: BenchCase;
  readonly workload: string;
  readonly ops: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** The latencies (µs) at each percent 0..100 (index = percent): the CDF the charts draw. */
  readonly percentilesUs: readonly number[];
  readonly rttP50: number | null;
  readonly rttP99: number | null;
  readonly fastPathShare: number | null;
  /** p50 and p99 over raw's (same backend, workload and op kind, `baselineCase`). */
  readonly p50VsRaw: number | null;
  readonly p99VsRaw: number | null;
  /** p50 over one verb round trip on the backend. */
  readonly p50VsFloor: number | null;
  readonly ok: boolean;
  readonly command: string;
}

/** Rows with their ratios, one per (measurement, op) with at least one latency. */
export function benchRows(measurements: readonly Measurement[], floors: Readonly<Partial<Record<BenchBackend, VerbFloor>>>): BenchRow[] {
  const p50Of = (measurement: Measurement | undefined, op: string) => {
    const latencies = measurement?.byOp[op]?.latencies;
    return latencies && latencies.length > 0 ? spreadOf(latencies) : undefined;
  };
  const rows: BenchRow[] = [];
  for (const measurement of measurements) {
    const raw = measurements.find((candidate) => candidate.backend === measurement.backend && candidate.algorithm === 'raw' && candidate.case === baselineCase(measurement.case) && candidate.workload === measurement.workload);
    for (const op of Object.keys(measurement.byOp).sort()) {
      const spread = p50Of(measurement, op);
      if (!spread) continue;
      const figures = measurement.byOp[op];
      const baseline = raw?.ok ? p50Of(raw, rawOperation(op)) : undefined;
      const floor = floors[measurement.backend];
      rows.push({
        backend: measurement.backend,
        algorithm: measurement.algorithm,
        op,
        case: measurement.case,
        workload: measurement.workload,
        ops: spread.count,
        p50Us: round(spread.p50),
        p99Us: round(spread.p99),
        percentilesUs: percentiles(measurement.byOp[op].latencies),
        rttP50: figures.rttP50,
        rttP99: figures.rttP99,
        fastPathShare: figures.fastPathShare,
        p50VsRaw: ratio(spread.p50, baseline?.p50),
        p99VsRaw: ratio(spread.p99, baseline?.p99),
        p50VsFloor: ratio(spread.p50, floor ? floor[rawOperation(op)] : undefined),
        ok: measurement.ok,
        command: measurement.command,
      });
    }
  }
  return rows;
}

/** The cost of contention and skew: per backend, algorithm and op, each case's p50 and p99 over the uncontended ones, and the fast-path shares. */
export interface CaseCost {
  readonly backend: BenchBackend;
  readonly algorithm: BenchAlgorithm;
  readonly op: string;
  readonly contentionP50: number | null;
  readonly contentionP99: number | null;
  readonly skewP50: number | null;
  readonly skewP99: number | null;
  readonly fastPath: Readonly<Partial<Record<BenchCase, number | null>>>;
}

export function caseCosts(rows: readonly BenchRow[]): CaseCost[] {
  const costs: CaseCost[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.backend}/${row.algorithm}/${row.op}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const of = (benchCase: BenchCase) => rows.find((candidate) => candidate.backend === row.backend && candidate.algorithm === row.algorithm && candidate.op === row.op && candidate.case === benchCase);
    const base = of('uncontended');
    const fastPath: Partial<Record<BenchCase, number | null>> = {};
    for (const benchCase of ['uncontended', 'contention', 'skew', 'memory-crashed'] as const) {
      const found = of(benchCase);
      if (found) fastPath[benchCase] = found.fastPathShare;
    }
    costs.push({
      backend: row.backend,
      algorithm: row.algorithm,
      op: row.op,
      contentionP50: ratio(of('contention')?.p50Us, base?.p50Us),
      contentionP99: ratio(of('contention')?.p99Us, base?.p99Us),
      skewP50: ratio(of('skew')?.p50Us, base?.p50Us),
      skewP99: ratio(of('skew')?.p99Us, base?.p99Us),
      fastPath,
    });
  }
  return costs;
}

/** A target that could not be measured (its algorithm absent, or its run failed): NOT met, saying why. */
export function unmeasured(name: string, why: string): TargetVerdict {
  return { name, met: false, line: `${name}: not measured (${why}) NOT met` };
}

/** `low <= reached <= high` ("≈"), in `unit`. */
export function within(name: string, reached: number, low: number, high: number, unit = 'x'): TargetVerdict {
  const met = reached >= low && reached <= high;
  return { name, met, line: `${name}: ${reached} ${unit} (target ${low}-${high} ${unit}) ${met ? 'met' : 'NOT met'}` };
}

/** Why a target's row is missing: the algorithm is absent, its run failed, or it has no such operation. */
function missing(rows: readonly BenchRow[], absent: ReadonlySet<string>, backend: BenchBackend, algorithm: BenchAlgorithm, op: string, benchCase: BenchCase): string {
  if (absent.has(algorithm)) return `${algorithm} is not registered yet`;
  const any = rows.find((row) => row.backend === backend && row.algorithm === algorithm && row.case === benchCase);
  if (!any) return `no ${algorithm} run in case ${benchCase} on ${backend}`;
  if (!any.ok) return `the ${algorithm} run failed its checks`;
  return `no ${op} operations`;
}

/**
 * DM-ABD's uncontended write p50 over Safe-Guess's on a backend: directly
 * when both ran the same workload; else (Safe-Guess in `solo`, DM-ABD in
 * `uniform`) each as a multiple of raw in its own workload, so that the
 * workloads' own cost cancels (`normalized`). Null when either is missing.
 */
export function writeRatio(rows: readonly BenchRow[], backend: BenchBackend): { value: number; normalized: boolean } | null {
  const find = (algorithm: BenchAlgorithm) => rows.find((row) => row.backend === backend && row.algorithm === algorithm && row.op === 'write' && row.case === 'uncontended' && row.ok);
  const dmAbd = find('dm-abd');
  const safeGuess = find('safe-guess');
  if (!dmAbd || !safeGuess) return null;
  const value = dmAbd.workload === safeGuess.workload ? ratio(dmAbd.p50Us, safeGuess.p50Us) : ratio(dmAbd.p50VsRaw, safeGuess.p50VsRaw);
  return value === null ? null : { value, normalized: dmAbd.workload !== safeGuess.workload };
}

/**
 * The issue's targets, judged on one run's rows: per backend, DM-ABD's
 * write p50 over Safe-Guess's ≈ 2 (1.5-2.5) without contention, and ≥ 99 %
 * of Safe-Guess's operations in one round trip without contention; on tcp
 * with one memory crashed, SWARM-KV's get and put p50 within 1.5x of the
 * unreplicated store's read and write.
 */
export function swarmTargets(rows: readonly BenchRow[], absent: ReadonlySet<string>, backends: readonly BenchBackend[]): TargetVerdict[] {
  const find = (backend: BenchBackend, algorithm: BenchAlgorithm, op: string, benchCase: BenchCase) => rows.find((row) => row.backend === backend && row.algorithm === algorithm && row.op === op && row.case === benchCase && row.ok);
  const verdicts: TargetVerdict[] = [];
  for (const backend of backends) {
    const dmAbd = find(backend, 'dm-abd', 'write', 'uncontended');
    const safeGuess = find(backend, 'safe-guess', 'write', 'uncontended');
    const written = writeRatio(rows, backend);
    const name = `${backend}: DM-ABD write p50 / Safe-Guess write p50, uncontended (≈ 2${written?.normalized ? `; each over raw in its workload, ${dmAbd?.workload} / ${safeGuess?.workload}` : ''})`;
    verdicts.push(written === null ? unmeasured(name, !dmAbd ? missing(rows, absent, backend, 'dm-abd', 'write', 'uncontended') : missing(rows, absent, backend, 'safe-guess', 'write', 'uncontended')) : within(name, written.value, 1.5, 2.5));
    const shareName = `${backend}: Safe-Guess operations in one round trip, uncontended`;
    const sgRows = ['read', 'write'].map((op) => find(backend, 'safe-guess', op, 'uncontended'));
    if (sgRows.some((row) => row === undefined || row.fastPathShare === null)) verdicts.push(unmeasured(shareName, missing(rows, absent, backend, 'safe-guess', 'read', 'uncontended')));
    else {
      const total = sgRows.reduce((sum, row) => sum + (row as BenchRow).ops, 0);
      const fast = sgRows.reduce((sum, row) => sum + (row as BenchRow).ops * ((row as BenchRow).fastPathShare as number), 0);
      verdicts.push(atLeast(shareName, round((100 * fast) / total), 99));
    }
  }
  if (backends.includes('tcp')) {
    for (const op of ['get', 'put']) {
      const name = `tcp, memory m2 crashed: SWARM-KV ${op} p50 / raw ${rawOperation(op)} p50`;
      const kv = find('tcp', 'swarm-kv', op, 'memory-crashed');
      verdicts.push(kv?.p50VsRaw === null || kv === undefined ? unmeasured(name, kv ? 'no raw baseline' : missing(rows, absent, 'tcp', 'swarm-kv', op, 'memory-crashed')) : atMost(name, kv.p50VsRaw, 1.5, 'x'));
    }
  }
  return verdicts;
}
