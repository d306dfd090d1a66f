import { findScenario, type RunReport } from '../scenarios/index.js';
import type { TraceEvent, TraceHeader } from '../trace/format.js';
import { provenance } from '../trace/provenance.js';

/**
 * The trace of a run on a real backend (`--backend shm|tcp`): what the
 * operation journals recorded — every application operation's call and
 * return, at wall-clock times in the run's time unit — under a header that
 * says `"replayable": false`. Real runs have no verbs or messages to show
 * (the backends do not log them) and no seed re-creates their interleaving,
 * so `mnm replay` refuses the file; `mnm check FILE` reads it like any trace.
 */
export function journalTraceText(report: RunReport): string {
  const params = report.params;
  const { mnmVersion, traceVersion } = provenance();
  const scenario = findScenario(params.protocol);
  const unit = report.details.timeUnitMicroseconds;
  const header: TraceHeader = {
    type: 'header',
    version: traceVersion,
    mnmVersion,
    replayable: false,
    scenario: report.protocol,
    seed: report.seed,
    backend: params.backend ?? 'sim',
    params: { ...params },
    processes: params.n,
    memories: params.memories,
    latency: params.latency,
    ...(typeof unit === 'number' ? { timeUnitMicroseconds: unit } : {}),
    regions: scenario ? scenario.regions(params) : [],
  };
  // Both op.* variants have the same fields; one object literal serves all four types.
  const events = report.history.map(
    (event) => ({ t: event.time, type: `op.${event.type}`, p: event.process, op: event.op, f: event.f, ...(event.key === undefined ? {} : { key: event.key }), value: event.value }) as TraceEvent,
  );
  const end: TraceEvent = { t: report.virtualTime, type: 'end', reason: report.end, events: events.length };
  return [header, ...events, end].map((line) => JSON.stringify(line) + '\n').join('');
}
