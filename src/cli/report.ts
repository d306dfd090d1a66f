import type { RunReport } from '../scenarios/index.js';
import type { FunctionMetrics } from '../trace/accounting.js';
import { provenance } from '../trace/provenance.js';
import { isReplayable, replayCommand, replayLine, simulatorCommand } from './runArgs.js';

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
      ? `median ${metrics.delaysMedian} delays (${metrics.roundTripsMedian} round trip${metrics.roundTripsMedian === 1 ? '' : 's'}), max ${metrics.delaysMax}`
      : `median ${metrics.latencyMedian} µs, p99 ${metrics.latencyP99} µs`;
  return `  ${f.padEnd(8)} ${String(metrics.count).padStart(5)} ok   ${latency}; ${metrics.verbsMean} verbs, ${metrics.messagesMean} messages, ${metrics.bytesMean} bytes each`;
}

/** The human summary of a run. */
export function runSummary(report: RunReport, traceFile?: string): string {
  const p = report.params;
  const backend = p.backend ?? 'sim';
  const lines = [`mnm run ${report.protocol}  seed ${report.seed}  backend=${backend} n=${p.n} memories=${p.memories}${backend === 'sim' ? ` latency=${p.latency}` : ''} faults=${p.faults}${p.skew !== undefined ? ` skew=${p.skew}` : ''}${p.drift !== undefined ? ` drift=${p.drift}ppm` : ''}${p.mutant ? ` mutant=${p.mutant}` : ''}${p.workload ? ` workload=${p.workload}` : ''}`];
  lines.push(`faults:    ${report.faults.length > 0 ? report.faults.join('; ') : 'none'}${report.withinTolerance ? '' : '  (beyond what the protocol tolerates)'}`);
  lines.push(`end:       ${report.end} at ${backend === 'sim' ? 'virtual time' : 'time (in delay units, see docs/backends.md)'} ${round(report.virtualTime)}`);
  const metrics = report.metrics;
  if (metrics) {
    lines.push(`operations (${metrics.operations} completed):`);
    for (const [f, cost] of Object.entries(metrics.byFunction)) lines.push(costLine(f, cost));
    lines.push(`work:      ${metrics.verbs} verbs, ${metrics.messages} messages, ${metrics.bytes} bytes, ${metrics.permissionChanges} permission changes, ${metrics.tornReads} torn reads detected`);
  }
  if (report.violations.length === 0) lines.push('properties: all hold');
  else for (const violation of report.violations) lines.push(`VIOLATED  ${violation.property}: ${violation.detail}`);
  if (report.blocked) lines.push('blocked:   some processes could not finish — expected, the faults exceed the tolerance');
  const decision = report.details.decision as { process: number; ballot: number; delays: number | null; latency: number } | null | undefined;
  if (decision) lines.push(`decision:  by p${decision.process} with ballot ${decision.ballot}, ${decision.delays !== null ? `${decision.delays} delays` : `latency ${decision.latency}`} from the start of its attempt`);
  if (report.traceHash) lines.push(`trace:     ${report.traceHash}${traceFile ? `  (written to ${traceFile})` : ''}`);
  lines.push(`${report.ok ? 'PASSED' : 'FAILED'}   ${replayLine(report.params)}`);
  return lines.join('\n') + '\n';
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
