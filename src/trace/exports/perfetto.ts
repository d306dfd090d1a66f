import type { TraceEvent, TraceHeader } from '../format.js';

/**
 * A trace (docs/trace.md) as Chrome Trace Event Format JSON, which Perfetto
 * (ui.perfetto.dev) and chrome://tracing open.
 *
 * Tracks: one Perfetto "process" per mnm process (`p0`, pid 1 + p) and per
 * memory (`m0`, pid 1 + n + m), then `run` (the next pid) for faults that
 * name no single host and the end. Inside a process: thread `events`
 * (notes, messages, faults, holds), threads `verbs`, `verbs 2`, … and
 * `operations`, `operations 2`, … (tids: `eventsTid`). A process has many
 * verbs in flight at once and a slice track must nest, so overlapping slices
 * go to further lanes (the first lane whose last slice has ended).
 *
 * Slices: a complete event (`ph: "X"`) per verb, from its issue to its
 * completion (a verb that never completes ends at the trace's last time,
 * `args.outcome` saying why), named by its kind; one per application
 * operation, from `op.invoke` to its return. A verb's execution at its memory
 * is an instant on the memory's track, joined to the verb's slice by flow
 * arrows there and back; a message is an instant at each end joined by a flow arrow; faults,
 * notes, permission changes, holds and releases are instants.
 *
 * Time: `ts` and `dur` are microseconds. A simulator trace's times are
 * virtual microseconds already (1 time unit = 1 µs, so under `unit` latency
 * one delay shows as 1 µs); a real backend's journal is scaled by its
 * header's `timeUnitMicroseconds`.
 */

export interface ChromeTraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'i' | 'M' | 's' | 'f';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly s?: 'g' | 'p' | 't';
  /** A flow's id: a number (Perfetto reads a string id as hexadecimal); the pair (cat, name) keeps verb and message ids apart. */
  readonly id?: number;
  readonly bp?: 'e';
  readonly args?: Readonly<Record<string, unknown>>;
}

export interface ChromeTrace {
  readonly traceEvents: ChromeTraceEvent[];
  readonly displayTimeUnit: 'ns' | 'ms';
  readonly otherData: Readonly<Record<string, unknown>>;
}

/**
 * Thread ids are unique across the whole trace and never 0 (Perfetto keys
 * threads by tid and keeps tid 0 for the idle thread): track pid's threads
 * are pid × 100,000 (`events`), + 1 + lane (`verbs`), + 50,000 + lane
 * (`operations`). No process has 49,999 verbs in flight at once.
 */
const threadStride = 100_000;

export function eventsTid(pid: number): number {
  return pid * threadStride;
}

export function verbTid(pid: number, lane: number): number {
  return pid * threadStride + 1 + lane;
}

export function operationTid(pid: number, lane: number): number {
  return pid * threadStride + threadStride / 2 + lane;
}

export function processPid(p: number): number {
  return 1 + p;
}

export function memoryPid(header: Pick<TraceHeader, 'processes'>, m: number): number {
  return 1 + header.processes + m;
}

/** The pid of the run's own track (faults that name no single process or memory, the end), after the memories; never 0, which Perfetto keeps for the idle process. */
export function runPid(header: Pick<TraceHeader, 'processes' | 'memories'>): number {
  return 1 + header.processes + header.memories;
}

interface Interval {
  readonly start: number;
  readonly end: number;
}

/** Assigns each interval (in start order) the first lane whose previous interval has ended; returns lane numbers from 0. */
export function assignLanes(intervals: readonly Interval[]): number[] {
  const laneEnds: number[] = [];
  return intervals.map((interval) => {
    let lane = laneEnds.findIndex((end) => end <= interval.start);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(interval.end);
    } else laneEnds[lane] = interval.end;
    return lane;
  });
}

type Issue = Extract<TraceEvent, { type: 'verb.issue' }>;
type Invoke = Extract<TraceEvent, { type: 'op.invoke' }>;

interface VerbRecord {
  readonly issue: Issue;
  arrive?: Extract<TraceEvent, { type: 'verb.arrive' }>;
  lost?: Extract<TraceEvent, { type: 'verb.lost' }>;
  complete?: Extract<TraceEvent, { type: 'verb.complete' }>;
}

interface OperationRecord {
  readonly invoke: Invoke;
  ret?: Extract<TraceEvent, { type: 'op.ok' | 'op.fail' | 'op.info' }>;
}

/** Converts a parsed trace to a Chrome trace (see the module comment for the tracks and the time scale). */
export function toChromeTrace(header: TraceHeader, events: readonly TraceEvent[]): ChromeTrace {
  const scale = typeof header.timeUnitMicroseconds === 'number' && header.timeUnitMicroseconds > 0 ? header.timeUnitMicroseconds : 1;
  const us = (t: number) => t * scale;
  const lastTime = events.reduce((latest, event) => Math.max(latest, event.t), 0);
  const out: ChromeTraceEvent[] = [];
  const run = runPid(header);
  const hostPid = (target: string): number | undefined => {
    const match = /^([pm])(\d+)$/.exec(target);
    if (!match) return undefined;
    const index = Number(match[2]);
    if (match[1] === 'p') return index < header.processes ? processPid(index) : undefined;
    return index < header.memories ? memoryPid(header, index) : undefined;
  };
  const instant = (event: TraceEvent, name: string, pid: number, cat: string, args: Record<string, unknown>) =>
    out.push({ name, cat, ph: 'i', s: 't', ts: us(event.t), pid, tid: eventsTid(pid), args });
  const withoutCommon = (event: TraceEvent): Record<string, unknown> => {
    const { t: _t, type: _type, ...rest } = event as TraceEvent & Record<string, unknown>;
    return rest;
  };

  // A flow event binds to the slice on top of its track when Perfetto reaches it, and events at one
  // time are taken in file order: each arrow's start is written right after the instant it leaves
  // from, so the pre-pass finds which messages arrive and which verbs complete.
  const delivered = new Set<number>();
  const completed = new Set<number>();
  for (const event of events) {
    if (event.type === 'msg.deliver') delivered.add(event.id);
    else if (event.type === 'verb.complete') completed.add(event.id);
  }

  const verbs = new Map<number, VerbRecord>();
  const verbOrder: VerbRecord[] = [];
  const operations = new Map<number, OperationRecord>();
  const operationOrder: OperationRecord[] = [];
  const messages = new Map<number, Extract<TraceEvent, { type: 'msg.send' }>>();
  for (const event of events) {
    switch (event.type) {
      case 'verb.issue': {
        const record: VerbRecord = { issue: event };
        verbs.set(event.id, record);
        verbOrder.push(record);
        break;
      }
      case 'verb.arrive': {
        const record = verbs.get(event.id);
        if (record) record.arrive = event;
        instant(event, `${record ? record.issue.verb : 'verb'} from p${record ? record.issue.p : '?'}`, memoryPid(header, event.m), 'verb', withoutCommon(event));
        if (record) {
          const pid = memoryPid(header, event.m);
          out.push({ name: record.issue.verb, cat: 'verb', ph: 'f', bp: 'e', id: event.id, ts: us(event.t), pid, tid: eventsTid(pid) });
          if (completed.has(event.id)) out.push({ name: `${record.issue.verb} reply`, cat: 'verb', ph: 's', id: event.id, ts: us(event.t), pid, tid: eventsTid(pid) });
        }
        break;
      }
      case 'verb.lost': {
        const record = verbs.get(event.id);
        if (record) record.lost = event;
        instant(event, `${record ? record.issue.verb : 'verb'} lost`, memoryPid(header, event.m), 'verb', withoutCommon(event));
        break;
      }
      case 'verb.complete': {
        const record = verbs.get(event.id);
        if (record) record.complete = event;
        break;
      }
      case 'op.invoke': {
        const record: OperationRecord = { invoke: event };
        operations.set(event.op, record);
        operationOrder.push(record);
        break;
      }
      case 'op.ok':
      case 'op.fail':
      case 'op.info': {
        const record = operations.get(event.op);
        if (record) record.ret = event;
        break;
      }
      case 'msg.send':
        messages.set(event.id, event);
        instant(event, `send to p${event.to}`, processPid(event.from), 'msg', withoutCommon(event));
        // The arrow starts only for a message that arrives (a dropped one would leave a flow without an end).
        if (delivered.has(event.id)) out.push({ name: 'message', cat: 'msg', ph: 's', id: event.id, ts: us(event.t), pid: processPid(event.from), tid: eventsTid(processPid(event.from)) });
        break;
      case 'msg.deliver': {
        const send = messages.get(event.id);
        instant(event, `deliver from p${send ? send.from : '?'}`, processPid(event.to), 'msg', withoutCommon(event));
        if (send) out.push({ name: 'message', cat: 'msg', ph: 'f', bp: 'e', id: event.id, ts: us(event.t), pid: processPid(event.to), tid: eventsTid(processPid(event.to)) });
        break;
      }
      case 'msg.drop': {
        const send = messages.get(event.id);
        instant(event, `message dropped: ${event.reason}`, send ? processPid(send.from) : run, 'msg', withoutCommon(event));
        break;
      }
      case 'fault':
        instant(event, `${event.fault}${event.target ? ` ${event.target}` : ''}`, hostPid(event.target) ?? run, 'fault', withoutCommon(event));
        break;
      case 'note':
        instant(event, event.kind, processPid(event.p), 'note', withoutCommon(event));
        break;
      case 'perm.change':
        instant(event, `permission ${event.region} to p${event.p}`, memoryPid(header, event.m), 'permission', withoutCommon(event));
        break;
      case 'hold':
      case 'release':
        instant(event, `${event.type} ${event.event}`, hostPid(/^(?:msg )?(p\d+)/.exec(event.event)?.[1] ?? '') ?? run, 'schedule', withoutCommon(event));
        break;
      case 'end':
        instant(event, `end: ${event.reason}`, run, 'run', withoutCommon(event));
        break;
      default:
        break; // An event type this exporter does not know (docs/trace.md: readers ignore them).
    }
  }

  // Verb slices, lane by lane within each process.
  const verbsBy = groupBy(verbOrder, (record) => record.issue.p);
  const operationsBy = groupBy(operationOrder, (record) => record.invoke.p);
  const verbEnd = (record: VerbRecord) => record.complete?.t ?? lastTime;
  const verbLanes = new Map<number, number>();
  for (let p = 0; p < header.processes; p++) {
    const own = verbsBy.get(p) ?? [];
    const lanes = assignLanes(own.map((record) => ({ start: record.issue.t, end: verbEnd(record) })));
    own.forEach((record, index) => verbLanes.set(record.issue.id, lanes[index]));
    for (let lane = 0; lane < laneCount(lanes); lane++) threadName(out, processPid(p), verbTid(processPid(p), lane), lane === 0 ? 'verbs' : `verbs ${lane + 1}`);
  }
  for (const record of verbOrder) {
    const { issue, arrive, lost, complete } = record;
    const { t: _t, type: _type, id, p: _p, verb, ...fields } = issue;
    const outcome = complete ? (complete.ok ? 'ok' : `failed${complete.error ? `: ${complete.error}` : ''}`) : lost ? `lost${lost.reason ? `: ${lost.reason}` : ''}` : 'unfinished when the trace ended';
    const result = arrive ? { ok: arrive.ok, ...pick(arrive, ['data', 'value', 'torn', 'error']) } : undefined;
    const tid = verbTid(processPid(issue.p), verbLanes.get(id) ?? 0);
    out.push({
      name: verb,
      cat: 'verb',
      ph: 'X',
      ts: us(issue.t),
      dur: us(verbEnd(record) - issue.t),
      pid: processPid(issue.p),
      tid,
      args: { id, memory: `m${issue.m}`, ...fields, outcome, ...(result ? { result } : {}) },
    });
    // Right after its slice, so that each binds to it: the arrow to the memory, and the reply's arrow back.
    if (arrive) out.push({ name: verb, cat: 'verb', ph: 's', id, ts: us(issue.t), pid: processPid(issue.p), tid });
    if (arrive && complete) out.push({ name: `${verb} reply`, cat: 'verb', ph: 'f', bp: 'e', id, ts: us(complete.t), pid: processPid(issue.p), tid });
  }

  // Operation slices, lane by lane within each process.
  const operationEnd = (record: OperationRecord) => record.ret?.t ?? lastTime;
  for (let p = 0; p < header.processes; p++) {
    const own = operationsBy.get(p) ?? [];
    const lanes = assignLanes(own.map((record) => ({ start: record.invoke.t, end: operationEnd(record) })));
    for (let lane = 0; lane < laneCount(lanes); lane++) threadName(out, processPid(p), operationTid(processPid(p), lane), lane === 0 ? 'operations' : `operations ${lane + 1}`);
    own.forEach((record, index) => {
      const { invoke, ret } = record;
      out.push({
        name: invoke.key === undefined ? invoke.f : `${invoke.f} ${invoke.key}`,
        cat: 'operation',
        ph: 'X',
        ts: us(invoke.t),
        dur: us(operationEnd(record) - invoke.t),
        pid: processPid(p),
        tid: operationTid(processPid(p), lanes[index]),
        args: { op: invoke.op, f: invoke.f, ...(invoke.key === undefined ? {} : { key: invoke.key }), invoked: invoke.value, outcome: ret ? ret.type.slice(3) : 'no return when the trace ended', ...(ret ? { value: ret.value } : {}) },
      });
    });
  }

  // Track names (metadata events), processes first, then memories, then the run.
  const metadata: ChromeTraceEvent[] = [];
  const name = (pid: number, label: string, sortIndex: number) => {
    metadata.push({ name: 'process_name', ph: 'M', pid, tid: eventsTid(pid), args: { name: label } });
    metadata.push({ name: 'process_sort_index', ph: 'M', pid, tid: eventsTid(pid), args: { sort_index: sortIndex } });
    metadata.push({ name: 'thread_name', ph: 'M', pid, tid: eventsTid(pid), args: { name: label.startsWith('p') ? 'events' : label } });
  };
  for (let p = 0; p < header.processes; p++) name(processPid(p), `p${p}`, processPid(p));
  for (let m = 0; m < header.memories; m++) name(memoryPid(header, m), `m${m}`, memoryPid(header, m));
  name(run, 'run', run);

  return {
    traceEvents: [...metadata, ...out],
    displayTimeUnit: 'ns',
    otherData: { scenario: header.scenario, seed: header.seed, backend: header.backend, mnmVersion: header.mnmVersion ?? null, microsecondsPerTimeUnit: scale },
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** How many lanes were used (a loop, not Math.max(...lanes): a long trace's lanes would overflow the call stack). */
function laneCount(lanes: readonly number[]): number {
  let count = 0;
  for (const lane of lanes) count = Math.max(count, lane + 1);
  return count;
}

function threadName(out: ChromeTraceEvent[], pid: number, tid: number, name: string): void {
  out.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name } });
}

function pick(object: object, keys: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of keys) if ((object as Record<string, unknown>)[key] !== undefined) picked[key] = (object as Record<string, unknown>)[key];
  return picked;
}
