import type { TraceEvent, TraceHeader, VerbKind } from '../trace/format.js';
import { linearizationView, type CheckResult, type LinearizationView } from './checkResult.js';

/**
 * What the viewer draws, computed from a trace without any DOM: lanes, verb
 * arrows, messages, marks on lanes, application operations as bars, the
 * checker's linearization (or what it could not place) and a run's
 * violations linked to the events involved. The browser code only lays this
 * out on a canvas, so everything here is testable under Node.
 */

/** One horizontal lane: a process or a memory. */
export interface Lane {
  readonly kind: 'process' | 'memory';
  readonly index: number;
  readonly name: string;
}

export type VerbStatus = 'ok' | 'refused' | 'lost' | 'unfinished';

/** A one-sided verb: issue at its process → execution at its memory → completion back at the process. */
export interface VerbArrow {
  readonly id: number;
  readonly p: number;
  readonly m: number;
  readonly verb: VerbKind;
  readonly region: string;
  readonly offset: number;
  readonly len: number;
  readonly op?: number;
  readonly issueT: number;
  arriveT?: number;
  completeT?: number;
  lostT?: number;
  lostReason?: string;
  status: VerbStatus;
  /** The error of a refused verb (`permission-denied`). */
  error?: string;
  /** Words of a read that still showed an older write (docs/trace.md `torn`); 0 when not torn. */
  torn: number;
  /** What the memory returned (read data, cas/faa previous word). */
  result?: string;
  /** Index in the trace's events of the issue. */
  readonly eventIndex: number;
}

/** A two-sided message, delivered, dropped or still in flight when the trace ended. */
export interface MessageArrow {
  readonly id: number;
  readonly from: number;
  readonly to: number;
  readonly len: number;
  readonly op?: number;
  readonly sendT: number;
  deliverT?: number;
  dropT?: number;
  dropReason?: string;
  readonly eventIndex: number;
}

export type MarkKind = 'grant' | 'revoke' | 'crash' | 'pause' | 'partition' | 'heal' | 'lossy' | 'reliable' | 'fault' | 'note' | 'hold' | 'release' | 'end';

/** Something that happened at one time on one lane (or on the whole run: `lane` -1). */
export interface LaneMark {
  readonly kind: MarkKind;
  /** Index into `ViewModel.lanes`, or -1 for the run as a whole (a network fault, a hold of no host, the end). */
  readonly lane: number;
  readonly t: number;
  /** The end of a span (a pause, a partition, a lossy period). */
  readonly until?: number;
  readonly label: string;
  readonly eventIndex: number;
}

export type OperationOutcome = 'ok' | 'fail' | 'info' | 'pending';

/** An application operation as a bar from its invocation to its return, on its client's lane. */
export interface OperationBar {
  readonly op: number;
  readonly p: number;
  readonly f: string;
  readonly key?: string;
  readonly invokeValue: unknown;
  returnValue?: unknown;
  outcome: OperationOutcome;
  readonly startT: number;
  endT: number;
  /** The bar's row under its process lane (operations of one process that overlap take further rows). */
  row: number;
  /** Position in the checker's linearization (0 first), when it found one or as part of the longest prefix. */
  order?: number;
  /** The checker could not place it (a non-linearizable history's witness). */
  unplaced: boolean;
  /** Indexes into `ViewModel.violations` of the violations naming this operation. */
  readonly violations: number[];
  readonly invokeIndex: number;
  returnIndex?: number;
}

/** A property a run broke, with what it involves found in the trace. */
export interface ViolationLink {
  readonly property: string;
  readonly detail: string;
  readonly operations: readonly number[];
  readonly processes: readonly number[];
  /** Indexes into the trace's events of the operations' invocations and returns. */
  readonly events: readonly number[];
  /** The time span of those events (undefined when the trace has none of them). */
  readonly startT?: number;
  readonly endT?: number;
}

/** A run's report as `mnm run --json` prints it (only what the viewer reads). */
export interface RunReportInput {
  readonly violations?: readonly { readonly property: string; readonly detail: string; readonly involved?: { readonly processes?: readonly number[]; readonly operations?: readonly number[] } }[];
}

export interface ViewModel {
  readonly header: TraceHeader;
  readonly lanes: readonly Lane[];
  readonly verbs: readonly VerbArrow[];
  readonly messages: readonly MessageArrow[];
  readonly marks: readonly LaneMark[];
  readonly operations: readonly OperationBar[];
  /** Rows of operation bars under each process lane (at least 1 when the process has operations, else 0). */
  readonly operationRows: readonly number[];
  readonly linearization?: LinearizationView;
  readonly violations: readonly ViolationLink[];
  readonly startT: number;
  readonly endT: number;
  /** Distinct event times, ascending: the stops of stepping through the trace. */
  readonly times: readonly number[];
  readonly eventCount: number;
}

export function processLane(p: number): number {
  return p;
}

export function memoryLane(header: Pick<TraceHeader, 'processes'>, m: number): number {
  return header.processes + m;
}

/** The lane a fault's or hold's target names (`p2`, `m1`, `msg p1->p0`, `p0 write m1`), or -1. */
export function laneOfTarget(header: Pick<TraceHeader, 'processes' | 'memories'>, target: string): number {
  const match = /^(?:msg )?([pm])(\d+)\b/.exec(target);
  if (!match) return -1;
  const index = Number(match[2]);
  if (match[1] === 'p') return index < header.processes ? processLane(index) : -1;
  return index < header.memories ? memoryLane(header, index) : -1;
}

const faultMarks: Readonly<Record<string, MarkKind>> = { crash: 'crash', pause: 'pause', partition: 'partition', heal: 'heal', lossy: 'lossy', reliable: 'reliable' };

/** Builds the view model of one trace, with an optional `mnm check --json` result and `mnm run --json` report. */
export function buildViewModel(header: TraceHeader, events: readonly TraceEvent[], extras: { check?: CheckResult; report?: RunReportInput } = {}): ViewModel {
  const lanes: Lane[] = [];
  for (let p = 0; p < header.processes; p++) lanes.push({ kind: 'process', index: p, name: `p${p}` });
  for (let m = 0; m < header.memories; m++) lanes.push({ kind: 'memory', index: m, name: `m${m}` });

  const verbs: VerbArrow[] = [];
  const verbById = new Map<number, VerbArrow>();
  const messages: MessageArrow[] = [];
  const messageById = new Map<number, MessageArrow>();
  const marks: LaneMark[] = [];
  const operations: OperationBar[] = [];
  const operationById = new Map<number, OperationBar>();
  const times: number[] = [];
  let startT = Infinity;
  let endT = -Infinity;

  for (let index = 0; index < events.length; index++) {
    const event = events[index];
    if (event.t < startT) startT = event.t;
    if (event.t > endT) endT = event.t;
    if (times.length === 0 || times[times.length - 1] !== event.t) times.push(event.t);
    switch (event.type) {
      case 'verb.issue': {
        const verb: VerbArrow = { id: event.id, p: event.p, m: event.m, verb: event.verb, region: event.region, offset: event.offset, len: event.len, op: event.op, issueT: event.t, status: 'unfinished', torn: 0, eventIndex: index };
        verbs.push(verb);
        verbById.set(event.id, verb);
        break;
      }
      case 'verb.arrive': {
        const verb = verbById.get(event.id);
        if (!verb) break;
        verb.arriveT = event.t;
        if (!event.ok) {
          verb.status = 'refused';
          verb.error = event.error;
        }
        verb.torn = event.torn ?? 0;
        verb.result = event.data ?? event.value;
        break;
      }
      case 'verb.lost': {
        const verb = verbById.get(event.id);
        if (!verb) break;
        verb.lostT = event.t;
        verb.lostReason = event.reason;
        verb.status = 'lost';
        break;
      }
      case 'verb.complete': {
        const verb = verbById.get(event.id);
        if (!verb) break;
        verb.completeT = event.t;
        if (!event.ok) {
          verb.status = 'refused';
          verb.error = verb.error ?? event.error;
        } else if (verb.status === 'unfinished') verb.status = 'ok';
        break;
      }
      case 'msg.send': {
        const message: MessageArrow = { id: event.id, from: event.from, to: event.to, len: event.len, op: event.op, sendT: event.t, eventIndex: index };
        messages.push(message);
        messageById.set(event.id, message);
        break;
      }
      case 'msg.deliver': {
        const message = messageById.get(event.id);
        if (message) message.deliverT = event.t;
        break;
      }
      case 'msg.drop': {
        const message = messageById.get(event.id);
        if (message) {
          message.dropT = event.t;
          message.dropReason = event.reason;
        }
        break;
      }
      case 'perm.change':
        marks.push({ kind: 'grant', lane: memoryLane(header, event.m), t: event.t, label: `${event.region}: p${event.p} granted (access ${event.access}${event.proposal ? `, proposal ${event.proposal}` : ''})`, eventIndex: index });
        for (const revoked of event.revoked ?? []) {
          if (revoked < header.processes) marks.push({ kind: 'revoke', lane: processLane(revoked), t: event.t, label: `p${revoked} lost write access to ${event.region} on m${event.m} (granted to p${event.p})`, eventIndex: index });
        }
        break;
      case 'fault': {
        const kind = faultMarks[event.fault] ?? 'fault';
        const label = `${event.fault} ${event.target}${event.until !== undefined ? ` until ${event.until}` : ''}${event.detail ? ` (${event.detail})` : ''}`;
        // A partition's cut-off side may name several hosts (`p1,p2`): the mark goes on each of their lanes.
        for (const lane of new Set(event.target.split(',').map((target) => laneOfTarget(header, target.trim())))) marks.push({ kind, lane, t: event.t, until: event.until, label, eventIndex: index });
        break;
      }
      case 'note':
        marks.push({ kind: 'note', lane: processLane(event.p), t: event.t, label: `${event.kind}${event.detail === undefined ? '' : ` ${JSON.stringify(event.detail)}`}`, eventIndex: index });
        break;
      case 'hold':
        marks.push({ kind: 'hold', lane: laneOfTarget(header, event.event), t: event.t, label: `hold ${event.event}${event.until ? ` until ${event.until}` : ''}${event.behind !== undefined ? ` behind ${event.behind}` : ''}`, eventIndex: index });
        break;
      case 'release':
        marks.push({ kind: 'release', lane: laneOfTarget(header, event.event), t: event.t, label: `release ${event.event}`, eventIndex: index });
        break;
      case 'end':
        marks.push({ kind: 'end', lane: -1, t: event.t, label: `end: ${event.reason}`, eventIndex: index });
        break;
      case 'op.invoke': {
        const bar: OperationBar = { op: event.op, p: event.p, f: event.f, key: event.key, invokeValue: event.value, outcome: 'pending', startT: event.t, endT: event.t, row: 0, unplaced: false, violations: [], invokeIndex: index };
        operations.push(bar);
        operationById.set(event.op, bar);
        break;
      }
      case 'op.ok':
      case 'op.fail':
      case 'op.info': {
        const bar = operationById.get(event.op);
        if (!bar) break;
        bar.outcome = event.type.slice(3) as OperationOutcome;
        bar.returnValue = event.value;
        bar.endT = event.t;
        bar.returnIndex = index;
        break;
      }
      default:
        break; // readers ignore event types they do not know (docs/trace.md)
    }
  }
  if (!Number.isFinite(startT)) {
    startT = 0;
    endT = 0;
  }
  // A verb or operation that never finished runs to the end of the trace.
  for (const bar of operations) if (bar.outcome === 'pending') bar.endT = endT;

  const operationRows = assignOperationRows(header.processes, operations);

  let linearization: LinearizationView | undefined;
  if (extras.check) {
    linearization = linearizationView(extras.check, operationById);
    linearization.order?.forEach((op, position) => {
      const bar = operationById.get(op);
      if (bar) bar.order = position;
    });
    for (const op of linearization.unplaced) {
      const bar = operationById.get(op);
      if (bar) bar.unplaced = true;
    }
  }

  const violations = linkViolations(extras.report, operationById);
  violations.forEach((violation, position) => {
    for (const op of violation.operations) operationById.get(op)?.violations.push(position);
  });

  return { header, lanes, verbs, messages, marks, operations, operationRows, linearization, violations, startT, endT, times, eventCount: events.length };
}

/** Gives each operation the first row of its process free at its start; returns the rows used per process. */
function assignOperationRows(processes: number, operations: OperationBar[]): number[] {
  const rowEnds: number[][] = Array.from({ length: processes }, () => []);
  for (const bar of operations) {
    const ends = rowEnds[bar.p];
    if (!ends) continue;
    let row = ends.findIndex((end) => end < bar.startT);
    if (row < 0) {
      row = ends.length;
      ends.push(bar.endT);
    } else ends[row] = bar.endT;
    bar.row = row;
  }
  return rowEnds.map((ends) => ends.length);
}

function linkViolations(report: RunReportInput | undefined, operationById: ReadonlyMap<number, OperationBar>): ViolationLink[] {
  return (report?.violations ?? []).map((violation) => {
    const operations = [...(violation.involved?.operations ?? [])];
    const processes = new Set<number>(violation.involved?.processes ?? []);
    if (processes.size === 0) for (const match of violation.detail.matchAll(/\bp(\d+)\b/g)) processes.add(Number(match[1]));
    const eventIndexes: number[] = [];
    let startT: number | undefined;
    let endT: number | undefined;
    for (const op of operations) {
      const bar = operationById.get(op);
      if (!bar) continue;
      eventIndexes.push(bar.invokeIndex);
      if (bar.returnIndex !== undefined) eventIndexes.push(bar.returnIndex);
      startT = startT === undefined ? bar.startT : Math.min(startT, bar.startT);
      endT = endT === undefined ? bar.endT : Math.max(endT, bar.endT);
    }
    return { property: violation.property, detail: violation.detail, operations, processes: [...processes].sort((a, b) => a - b), events: eventIndexes.sort((a, b) => a - b), startT, endT };
  });
}

/** Counts of what a trace holds, by the kinds the viewer draws (what a fully zoomed-out, unfiltered view shows). */
export interface DrawnCounts {
  lanes: number;
  verbs: Record<string, number>;
  refused: number;
  lost: number;
  torn: number;
  messages: number;
  dropped: number;
  operations: number;
  marks: Record<string, number>;
}

export function emptyCounts(): DrawnCounts {
  return { lanes: 0, verbs: {}, refused: 0, lost: 0, torn: 0, messages: 0, dropped: 0, operations: 0, marks: {} };
}

/** The counts of everything in the model (used by the viewer's test API to compare with what a frame drew). */
export function modelCounts(model: ViewModel): DrawnCounts {
  const counts = emptyCounts();
  counts.lanes = model.lanes.length;
  for (const verb of model.verbs) countVerb(counts, verb);
  for (const message of model.messages) countMessage(counts, message);
  counts.operations = model.operations.length;
  for (const mark of model.marks) countMark(counts, mark);
  return counts;
}

export function countVerb(counts: DrawnCounts, verb: VerbArrow): void {
  counts.verbs[verb.verb] = (counts.verbs[verb.verb] ?? 0) + 1;
  if (verb.status === 'refused') counts.refused++;
  if (verb.status === 'lost') counts.lost++;
  if (verb.torn > 0) counts.torn++;
}

export function countMessage(counts: DrawnCounts, message: MessageArrow): void {
  counts.messages++;
  if (message.dropT !== undefined) counts.dropped++;
}

export function countMark(counts: DrawnCounts, mark: LaneMark): void {
  counts.marks[mark.kind] = (counts.marks[mark.kind] ?? 0) + 1;
}

/** When a verb's arrow ends: its completion, else its loss, else its arrival, else its issue. */
export function verbEnd(verb: VerbArrow): number {
  return verb.completeT ?? verb.lostT ?? verb.arriveT ?? verb.issueT;
}

export function messageEnd(message: MessageArrow): number {
  return message.deliverT ?? message.dropT ?? message.sendT;
}

/** A one-line description of a verb for the tooltip. */
export function describeVerb(verb: VerbArrow): string {
  const where = `${verb.region}[${verb.offset}..+${verb.len}]`;
  const outcome =
    verb.status === 'refused' ? `REFUSED${verb.error ? ` (${verb.error})` : ''}` : verb.status === 'lost' ? `lost${verb.lostReason ? ` (${verb.lostReason})` : ''}` : verb.status === 'unfinished' ? 'unfinished when the trace ended' : 'ok';
  const times = `issued t=${verb.issueT}${verb.arriveT !== undefined ? `, executed t=${verb.arriveT}` : ''}${verb.completeT !== undefined ? `, completed t=${verb.completeT}` : ''}${verb.lostT !== undefined ? `, lost t=${verb.lostT}` : ''}`;
  return `${verb.verb} #${verb.id} p${verb.p} → m${verb.m} ${where}: ${outcome}${verb.torn > 0 ? `, TORN (${verb.torn} words)` : ''}; ${times}${verb.op !== undefined ? `; for op ${verb.op}` : ''}`;
}

export function describeMessage(message: MessageArrow): string {
  const fate = message.deliverT !== undefined ? `delivered t=${message.deliverT}` : message.dropT !== undefined ? `DROPPED t=${message.dropT} (${message.dropReason})` : 'in flight when the trace ended';
  return `message #${message.id} p${message.from} → p${message.to}, ${message.len} bytes: sent t=${message.sendT}, ${fate}${message.op !== undefined ? `; for op ${message.op}` : ''}`;
}

export function describeOperation(bar: OperationBar): string {
  const call = `${bar.f}${bar.key !== undefined ? ` ${JSON.stringify(bar.key)}` : ''}${bar.invokeValue === null || bar.invokeValue === undefined ? '' : `(${JSON.stringify(bar.invokeValue)})`}`;
  const result = bar.outcome === 'pending' ? 'no return' : `${bar.outcome} ${JSON.stringify(bar.returnValue)}`;
  const checker = bar.unplaced ? '; could NOT be placed by the checker' : bar.order !== undefined ? `; linearized #${bar.order + 1}` : '';
  return `op ${bar.op} p${bar.p} ${call} → ${result}; t=${bar.startT}..${bar.endT}${checker}${bar.violations.length > 0 ? `; in ${bar.violations.length} violation(s)` : ''}`;
}
