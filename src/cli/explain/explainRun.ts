import type { RunReport } from '../../scenarios/index.js';
import type { Violation } from '../../scenarios/scenario.js';
import type { TraceEvent } from '../../trace/format.js';
import { eventLine } from './eventLine.js';
import { decisionKinds, traceEvents, traceFacts, type TraceFacts } from './traceFacts.js';

/** Lines per violation at most: an explanation is read, not searched (the trace is for that). */
export const explanationLinesMax = 60;

/** Low-level events (verbs, messages) shown before each decision-like note of an involved process. */
const contextEventsPerAnchor = 6;

/** Notes that conclude something (a decision, a delivery, a conflict): the anchors of a process-level explanation. */
const anchorKinds: ReadonlySet<string> = new Set([...decisionKinds, 'deliver', 'cb-deliver', 'conflict', 'rejected', 'equivocation-proof', 'adversary-effect']);

/** Test-body markers say nothing about a failure. */
const silentKinds: ReadonlySet<string> = new Set(['round', 'go', 'got', 'signatures']);

/** One violation explained: the processes and operations it involves, and the trace events leading to it, in words. */
export interface ViolationExplanation {
  readonly property: string;
  readonly detail: string;
  readonly processes: readonly number[];
  readonly operations: readonly number[];
  readonly events: readonly { readonly t: number; readonly line: string }[];
  /** Events selected but not shown (beyond `explanationLinesMax`), the earliest first. */
  readonly leftOut: number;
}

/**
 * The processes and operations a violation involves: as its checker said
 * (`involved`), else every process its detail names (`p2`, `p0,p1`), else all.
 */
export function involvementOf(violation: Violation, processCount: number): { processes: number[]; operations: number[] } {
  const operations = [...new Set(violation.involved?.operations ?? [])];
  let processes = violation.involved?.processes ? [...violation.involved.processes] : [...violation.detail.matchAll(/\bp(\d+)\b/g)].map((match) => Number(match[1]));
  processes = [...new Set(processes)].filter((process) => process < processCount).sort((a, b) => a - b);
  if (processes.length === 0) processes = Array.from({ length: processCount }, (_, process) => process);
  return { processes, operations };
}

/** The process an event is about (its issuer, sender's receiver, noter), if any. */
function processOf(event: TraceEvent, facts: TraceFacts): number | undefined {
  switch (event.type) {
    case 'verb.issue':
    case 'verb.complete':
    case 'op.invoke':
    case 'op.ok':
    case 'op.fail':
    case 'op.info':
    case 'note':
      return event.p;
    case 'msg.send':
      return event.from;
    case 'msg.deliver':
      return event.to;
    case 'verb.arrive':
      return facts.verbIssues.get(event.id)?.p;
    default:
      return undefined;
  }
}

/** Verbs and messages: shown as context, never as the story itself. A verb is shown once, at its issue. */
function isContext(event: TraceEvent): boolean {
  return event.type === 'verb.issue' || event.type === 'msg.send' || event.type === 'msg.deliver' || event.type === 'perm.change';
}

function isOperationEvent(event: TraceEvent): event is Extract<TraceEvent, { type: 'op.invoke' | 'op.ok' | 'op.fail' | 'op.info' }> {
  return event.type === 'op.invoke' || event.type === 'op.ok' || event.type === 'op.fail' || event.type === 'op.info';
}

/**
 * The indices of the trace events that explain one violation:
 *  - every fault, scripted hold and the run's end;
 *  - with involved operations: every operation event within the span from
 *    the first one's invocation to the last one's return (the concurrent
 *    operations matter too), and the verbs and messages charged to them;
 *  - the involved processes' notes and operations, and before each of their
 *    concluding notes (decide, learn, deliver…) the last few verbs and
 *    messages of that process (what it read or heard just before).
 */
function selectedEvents(events: readonly TraceEvent[], facts: TraceFacts, processes: ReadonlySet<number>, operations: ReadonlySet<number>): number[] {
  const chosen = new Set<number>();
  let spanStart = Infinity;
  let spanEnd = -Infinity;
  for (const event of events) {
    if (isOperationEvent(event) && operations.has(event.op)) {
      spanStart = Math.min(spanStart, event.t);
      spanEnd = Math.max(spanEnd, event.t);
    }
  }
  const recentContext = new Map<number, number[]>();
  events.forEach((event, index) => {
    if (event.type === 'fault' || event.type === 'hold' || event.type === 'release' || event.type === 'end') {
      chosen.add(index);
      return;
    }
    // Arrivals, completions, losses and drops are told by the line of their verb or message.
    if (event.type === 'verb.arrive' || event.type === 'verb.complete' || event.type === 'verb.lost' || event.type === 'msg.drop') return;
    const process = processOf(event, facts);
    if (operations.size > 0) {
      if (isOperationEvent(event) && event.t >= spanStart && event.t <= spanEnd) chosen.add(index);
      const charged = event.type === 'verb.issue' || event.type === 'msg.send' ? event.op : undefined;
      if (charged !== undefined && operations.has(charged)) chosen.add(index);
    }
    if (process === undefined || !processes.has(process)) return;
    if (isContext(event)) {
      // Deliveries are context only when their send is not shown already.
      const recent = recentContext.get(process) ?? [];
      recent.push(index);
      if (recent.length > contextEventsPerAnchor) recent.shift();
      recentContext.set(process, recent);
      return;
    }
    if (event.type === 'note' && silentKinds.has(event.kind)) return;
    if (operations.size === 0 || event.type === 'note') chosen.add(index);
    if (event.type === 'note' && anchorKinds.has(event.kind)) {
      for (const context of recentContext.get(process) ?? []) chosen.add(context);
      recentContext.set(process, []);
    }
  });
  return [...chosen].sort((a, b) => a - b);
}

/** Explains each violation of a run from its full trace (`runScenario(…, 'full')`). */
export function explainViolations(report: RunReport): ViolationExplanation[] {
  if (report.trace === undefined) return [];
  const events = traceEvents(report.trace);
  const facts = traceFacts(events);
  return report.violations.map((violation) => {
    const { processes, operations } = involvementOf(violation, report.params.n);
    const indices = selectedEvents(events, facts, new Set(processes), new Set(operations));
    const shown = indices.slice(-explanationLinesMax);
    return {
      property: violation.property,
      detail: violation.detail,
      processes,
      operations,
      events: shown.map((index) => ({ t: events[index].t, line: eventLine(events[index], facts) })),
      leftOut: indices.length - shown.length,
    };
  });
}

/** The text `mnm run --explain` prints after the summary. */
export function explanationText(report: RunReport): string {
  if (report.violations.length === 0) return 'explain:   nothing to explain, every property holds\n';
  if (report.trace === undefined) return `explain:   no trace of this run to explain from (backend ${report.params.backend ?? 'sim'} records none); replay it on the simulator\n`;
  const lines: string[] = [];
  const seen = new Map<string, string>();
  for (const explanation of explainViolations(report)) {
    lines.push('', `explain ${explanation.property}: ${explanation.detail}`);
    lines.push(`  involved: ${explanation.processes.map((process) => `p${process}`).join(', ')}${explanation.operations.length > 0 ? `; operations ${explanation.operations.map((op) => `op ${op}`).join(', ')}` : ''}`);
    const body = explanation.events.map((event) => `  ${event.line}`).join('\n');
    const same = seen.get(body);
    if (same !== undefined) {
      lines.push(`  (the same events as for ${same} above)`);
      continue;
    }
    seen.set(body, explanation.property);
    if (explanation.leftOut > 0) lines.push(`  … ${explanation.leftOut} earlier event(s) left out (the trace has them all: --trace FILE)`);
    lines.push(body);
  }
  return lines.join('\n') + '\n';
}
