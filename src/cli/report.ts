import type { RunReport } from '../scenarios/index.js';
import { Prng } from '../sim/index.js';
import { drawClockOffsets } from '../sim/faults.js';
import type { FunctionMetrics } from '../trace/accounting.js';
import { provenance } from '../trace/provenance.js';
import { latenciesByFunction, percent, spreadOf } from './bench/swarmFigures.js';
import { decimal } from './decimal.js';
import { isReplayable, replayCommand, replayLine, simulatorCommand } from './runArgs.js';
import { protocolWords } from './scheduleOption.js';

/** The JSON object `mnm run --json` prints (fields documented in docs/cli.md). */
export function runJson(report: RunReport): Record<string, unknown> {
  return {
    protocol: report.protocol,
    seed: report.seed,
    ok: report.ok,
    violations: report.violations,
    blocked: report.blocked,
    withinTolerance: report.withinTolerance,
    faults: report.faults,
    end: report.end,
    virtualTime: report.virtualTime,
    metrics: report.metrics,
    ...(report.linearizable !== undefined ? { linearizable: report.linearizable } : {}),
    // A run ended for sizing (bft: `stream-full`, `snapshot-full`), apart from safety and liveness.
    ...(sizingOf(report) ? { sizing: sizingOf(report) } : {}),
    traceHash: report.traceHash,
    details: report.details,
    params: report.params,
    // A real-backend run does not replay: no replay command, but the same options on the simulator, named as such.
    replay: isReplayable(report.params) ? replayCommand(report.params) : null,
    ...(isReplayable(report.params) ? {} : { sameOptionsOnSimulator: simulatorCommand(report.params) }),
    ...provenance(),
  };
}

function costLine(f: string, metrics: FunctionMetrics): string {
  const latency =
    metrics.delaysMedian !== null
      ? `median ${decimal(metrics.delaysMedian)} delays (${metrics.roundTripsMedian} round trip${metrics.roundTripsMedian === 1 ? '' : 's'}), max ${decimal(metrics.delaysMax ?? metrics.latencyMax)}`
      : `median ${decimal(metrics.latencyMedian)} µs, p99 ${decimal(metrics.latencyP99)} µs`;
  return `  ${f.padEnd(8)} ${String(metrics.count).padStart(5)} ok   ${latency}; ${decimal(metrics.verbsMean)} verbs, ${decimal(metrics.messagesMean)} messages, ${decimal(metrics.bytesMean)} bytes each`;
}

interface AdversaryDetail {
  readonly process: number;
  readonly adversary: string;
  readonly effect?: boolean;
  readonly reasons?: readonly string[];
}

/**
 * The Byzantine processes of a broadcast run and their strategies (with the
 * effect each had, when the scenario reports it), or undefined for a
 * scenario without adversaries. `details.adversaries` carries the effects;
 * `details.byzantine` only the placements.
 */
function byzantineLine(details: Record<string, unknown>): string | undefined {
  const placements = (Array.isArray(details.adversaries) ? details.adversaries : Array.isArray(details.byzantine) ? details.byzantine : undefined) as readonly AdversaryDetail[] | undefined;
  if (placements === undefined) return undefined;
  if (placements.length === 0) return 'none (every process is correct)';
  return placements
    .map((placement) => {
      const effect = placement.effect === undefined ? '' : placement.effect ? ` (effect: ${(placement.reasons ?? []).join('; ')})` : ' (no effect)';
      return `p${placement.process} ${placement.adversary}${effect}`;
    })
    .join('; ');
}

/**
 * Each process's clock offset, as the simulator drew it (the same draw the
 * real backends make), when the run has clock bounds: which process ran
 * ahead or behind, and how fast, explains a clock-dependent failure.
 */
function clocksLine(report: RunReport): string | undefined {
  const { skew, drift, seed, n } = report.params;
  if (!skew && !drift) return undefined;
  const offsets = drawClockOffsets(new Prng(seed, 'clocks'), n, skew ?? 0, drift ?? 0);
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${decimal(value)}`;
  return offsets.map((offset, process) => `p${process} offset ${signed(offset.skew)}${drift ? ` drift ${signed(offset.drift * 1e6)}ppm` : ''}`).join('; ');
}

interface Percentiles {
  readonly p50: number | null;
  readonly p99?: number | null;
  readonly max?: number | null;
}

/**
 * A replicated log's commit and fail-over figures (Mu's `metrics.commit`,
 * `throughput`, `failover`), in their unit: one-way delays under the `unit`
 * model, µs otherwise (virtual on the simulator, wall-clock on shm/tcp).
 */
function muMetricLines(report: RunReport): string[] {
  const metrics = report.metrics as unknown as Record<string, unknown> | null;
  if (!metrics || !('commit' in metrics)) return [];
  const real = !isReplayable(report.params);
  const unit = !real && report.params.latency === 'unit' ? 'delays' : real ? 'µs (wall clock)' : 'µs';
  const per = !real && report.params.latency === 'unit' ? 'per 1000 delays' : 'per ms';
  const commit = metrics.commit as (Percentiles & { count: number }) | null;
  const lines = [`commit:    ${commit ? `p50 ${decimal(commit.p50 as number)} ${unit}, p99 ${decimal(commit.p99 as number)} ${unit} over ${commit.count} entries` : 'no entry decided'}${typeof metrics.throughput === 'number' ? `; throughput ${decimal(metrics.throughput)} entries ${per}` : ''}`];
  const failover = metrics.failover as (Percentiles & { trials: number; detection: number | null; permissionSwitch: number | null; catchUp: number | null }) | null;
  const figure = (value: number | null | undefined) => (value === null || value === undefined ? '-' : decimal(value));
  lines.push(
    failover
      ? `failover:  ${failover.trials} leader change${failover.trials === 1 ? '' : 's'}: p50 ${figure(failover.p50)}, max ${figure(failover.max)} ${unit} (detection ${figure(failover.detection)}, permission switch ${figure(failover.permissionSwitch)}, catch-up ${figure(failover.catchUp)})`
      : 'failover:  none (the leader never changed)',
  );
  const leaderFaults = report.details.leaderFaults as Record<string, string | null> | undefined;
  if (leaderFaults) for (const [flag, fault] of Object.entries(leaderFaults)) lines.push(`leader:    --${flag === 'crashLeaderAt' ? 'crash-leader-at' : 'pause-leader-at'} → ${fault ?? 'nobody led then (no fault)'}`);
  return lines;
}

/**
 * The SWARM family's round trips per operation (`details.roundTrips`:
 * p50/p99 and the share on the fast path, ≤ 1 round trip) and, on a real
 * backend (no trace, so no per-function metrics), each function's latency
 * from the history, in µs of wall clock.
 */
function roundTripLines(report: RunReport): string[] {
  const roundTrips = report.details.roundTrips as Record<string, { count: number; p50: number; p99: number; oneRoundTrip: number }> | undefined;
  if (!roundTrips || typeof roundTrips !== 'object') return [];
  const real = !isReplayable(report.params) && typeof report.details.timeUnitMicroseconds === 'number';
  const lines = [real ? 'round trips per operation (then wall-clock latency):' : 'round trips per operation:'];
  for (const [f, figures] of Object.entries(roundTrips)) lines.push(`  ${f.padEnd(8)} ${String(figures.count).padStart(5)} ops  p50 ${decimal(figures.p50)}, p99 ${decimal(figures.p99)}; fast path (1 round trip) ${percent(figures.oneRoundTrip)}`);
  if (real) {
    const unit = report.details.timeUnitMicroseconds as number;
    for (const [f, latencies] of [...latenciesByFunction(report.history, unit)].sort(([a], [b]) => a.localeCompare(b))) {
      const spread = spreadOf(latencies);
      lines.push(`  ${f.padEnd(8)} latency p50 ${decimal(spread.p50)} µs, p99 ${decimal(spread.p99)} µs (wall clock)`);
    }
  }
  return lines;
}

/** The human summary of a run. */
export function runSummary(report: RunReport, traceFile?: string): string {
  const p = report.params;
  const backend = p.backend ?? 'sim';
  const lines = [`mnm run ${protocolWords(report.protocol).join(' ')}  seed ${report.seed}  backend=${backend} n=${p.n} memories=${p.memories}${backend === 'sim' ? ` latency=${p.latency}` : ''} faults=${p.faults}${p.skew !== undefined ? ` skew=${decimal(p.skew)}` : ''}${p.drift !== undefined ? ` drift=${decimal(p.drift)}ppm` : ''}${p.mutant ? ` mutant=${p.mutant}` : ''}${p.workload ? ` workload=${p.workload}` : ''}${p.log ? ` log=${p.log}` : ''}${p.slots !== undefined ? ` slots=${p.slots}` : ''}`];
  lines.push(`faults:    ${report.faults.length > 0 ? report.faults.join('; ') : 'none'}${report.withinTolerance ? '' : '  (beyond what the protocol tolerates)'}`);
  const clocks = clocksLine(report);
  if (clocks !== undefined) lines.push(`clocks:    ${clocks}`);
  const byzantine = byzantineLine(report.details);
  if (byzantine !== undefined) lines.push(`byzantine: ${byzantine}`);
  lines.push(`end:       ${report.end} at ${backend === 'sim' ? 'virtual time' : 'time (in delay units, see docs/backends.md)'} ${decimal(report.virtualTime)}`);
  const metrics = report.metrics;
  // A real backend (no trace) or an untraced run has no accounting; a scenario's own figures may still be there.
  if (metrics && metrics.byFunction !== undefined) {
    lines.push(`operations (${metrics.operations} completed):`);
    for (const [f, cost] of Object.entries(metrics.byFunction)) lines.push(costLine(f, cost));
    lines.push(`work:      ${metrics.verbs} verbs, ${metrics.messages} messages, ${metrics.bytes} bytes, ${metrics.permissionChanges} permission changes, ${metrics.tornReads} torn reads detected`);
  }
  lines.push(...muMetricLines(report));
  lines.push(...roundTripLines(report));
  if (report.linearizable !== undefined) {
    const why = typeof report.details.linearizability === 'string' && report.details.linearizability.startsWith('not judged') ? report.details.linearizability : 'the checker could not decide';
    lines.push(`linearizable: ${report.linearizable === null ? `undecided (${why}; exit 3)` : report.linearizable ? 'yes' : 'no'}`);
  }
  if (report.violations.length === 0) lines.push('properties: all hold');
  else for (const violation of report.violations) lines.push(`VIOLATED  ${violation.property}: ${violation.detail}`);
  if (report.blocked) lines.push('blocked:   some processes could not finish — expected, the faults exceed the tolerance');
  const sizing = sizingOf(report);
  if (sizing) lines.push(`sizing:    ${sizing}: a correct replica ended the run for sizing, apart from safety and liveness (exit 3)`);
  const decision = report.details.decision as { process: number; ballot: number; delays: number | null; latency: number } | null | undefined;
  if (decision) lines.push(`decision:  by p${decision.process} with ballot ${decision.ballot}, ${decision.delays !== null ? `${decimal(decision.delays)} delays` : `latency ${decimal(decision.latency)}`} from the start of its attempt`);
  if (report.traceHash) lines.push(`trace:     ${report.traceHash}${traceFile ? `  (written to ${traceFile})` : ''}`);
  lines.push(`${report.ok ? 'PASSED' : 'FAILED'}   ${replayLine(report.params)}`);
  return lines.join('\n') + '\n';
}

/** The sizing verdict a scenario put in its details (`details.sizing`: bft's `stream-full` or `snapshot-full`), if any. */
export function sizingOf(report: Pick<RunReport, 'details'>): string | undefined {
  const sizing = (report.details as Record<string, unknown> | undefined)?.sizing;
  return typeof sizing === 'string' ? sizing : undefined;
}
