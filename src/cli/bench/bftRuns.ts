import type { HistoryEvent } from '../../fabric/fabric.js';
import { runScenario, type RunOptions, type RunReport } from '../../scenarios/index.js';
import { realDelayMicroseconds } from '../../scenarios/realRunner.js';
import { verbFloorRun } from './verbFloorRun.js';
import { replayCommand } from '../runArgs.js';
import { latencyFigures, round, type LatencyFigures } from './latencyFigures.js';

/**
 * The runs `mnm bench bft` measures: scenario runs (bft, pbft, mu, raw) on
 * the simulator or a real backend, reduced to call latencies in µs, and the
 * shm write verb (the backends bench's body). Pure reductions are exported
 * for tests.
 */

export type BenchBackend = 'sim' | 'shm' | 'tcp';

/** A run's options less what the backend decides (latency model, faults). */
export type BenchRunOptions = Omit<RunOptions, 'latency' | 'faults'>;

/** Invoke → ok of every completed call, in the run's time units. */
export function callLatencies(history: readonly HistoryEvent[]): number[] {
  const invoked = new Map<number, number>();
  const latencies: number[] = [];
  for (const event of history) {
    if (event.type === 'invoke') invoked.set(event.op, event.time);
    else if (event.type === 'ok' && invoked.has(event.op)) latencies.push(event.time - (invoked.get(event.op) as number));
  }
  return latencies;
}

/** Microseconds per time unit: the simulator's `rdma` model counts µs; a real backend's unit (latency `unit`) is realDelayMicroseconds. */
export function microsecondsPerUnit(backend: BenchBackend): number {
  return backend === 'sim' ? 1 : realDelayMicroseconds[backend];
}

export interface CallRun {
  readonly ok: boolean;
  readonly calls: number;
  /** Call latency (invoke → ok), µs; null when no call completed. */
  readonly latency: LatencyFigures | null;
  /** Completed calls per second of the run's (virtual or real) time, from the first invoke to the last ok. */
  readonly callsPerSecond: number | null;
  readonly replay: string;
  /** Why the run could not run (an exception), or the first property it violated (a real backend under load: calls that gave up). */
  readonly error?: string;
}

/** Reduces a run to its call latencies (µs) and rate. */
export function callRun(report: RunReport, backend: BenchBackend): CallRun {
  const unit = microsecondsPerUnit(backend);
  const samples = callLatencies(report.history).map((value) => value * unit);
  const times = report.history.map((event) => event.time);
  const spanSeconds = times.length > 0 ? ((Math.max(...times) - Math.min(...times)) * unit) / 1e6 : 0;
  return {
    ok: report.ok,
    calls: samples.length,
    latency: samples.length > 0 ? latencyFigures(samples, Math.max(spanSeconds, 1e-9)) : null,
    callsPerSecond: samples.length > 0 && spanSeconds > 0 ? Math.round(samples.length / spanSeconds) : null,
    replay: replayOf(report),
    ...(report.violations.length > 0 ? { error: `${report.violations[0].property}: ${report.violations[0].detail}` } : {}),
  };
}

function replayOf(report: RunReport): string {
  return replayCommand(report.params);
}

/** Runs a scenario on `backend` (sim: `rdma`, signature costs charged; real: latency `unit`), never throwing: a failed real run is reported, not fatal. */
export async function scenarioRun(backend: BenchBackend, options: BenchRunOptions): Promise<{ report: RunReport | null; error?: string }> {
  const full: RunOptions = backend === 'sim' ? { ...options, latency: 'rdma', faults: 'none' } : { ...options, latency: 'unit', faults: 'none', backend };
  try {
    return { report: await runScenario(full, 'off') };
  } catch (error) {
    return { report: null, error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

/** A scenario's calls on `backend`, or what went wrong. */
export async function calls(backend: BenchBackend, options: BenchRunOptions): Promise<CallRun & { report: RunReport | null }> {
  const { report, error } = await scenarioRun(backend, options);
  if (!report) return { ok: false, calls: 0, latency: null, callsPerSecond: null, replay: '', error, report: null };
  return { ...callRun(report, backend), report };
}

/** p50 of 64-byte write verbs on shm (verbBenchBody of the backends bench): the floor of a decision there. */
export async function shmWriteVerb(count: number): Promise<LatencyFigures> {
  return (await verbFloorRun('shm', count, 'bft')).write;
}

/** `a / b` to two decimals, or null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  return round(a / b);
}
