import type { TraceEvent, TraceHeader, TraceSink } from './format.js';

/** Costs of one application operation, read off the trace. */
export interface OperationCost {
  readonly op: number;
  readonly process: number;
  readonly f: string;
  readonly outcome: 'ok' | 'fail' | 'info' | 'open';
  /** Virtual time from invoke to return. */
  readonly latency: number;
  /** Verbs, messages and bytes charged to it (including stragglers that finished after it returned). */
  verbs: number;
  messages: number;
  bytes: number;
}

/** Summary statistics of one kind of operation (docs/metrics.md). */
export interface FunctionMetrics {
  readonly count: number;
  /** One-way delays on the critical path (median, max): the latency under the `unit` model, null otherwise. */
  readonly delaysMedian: number | null;
  readonly delaysMax: number | null;
  /** Round trips on the critical path: delays / 2, rounded up (null unless `unit`). */
  readonly roundTripsMedian: number | null;
  readonly latencyMedian: number;
  readonly latencyP99: number;
  readonly latencyMax: number;
  readonly verbsMean: number;
  readonly messagesMean: number;
  readonly bytesMean: number;
}

export interface RunMetrics {
  /** Completed (ok) application operations. */
  readonly operations: number;
  readonly byFunction: Readonly<Record<string, FunctionMetrics>>;
  readonly verbs: number;
  readonly messages: number;
  readonly bytes: number;
  readonly permissionChanges: number;
  readonly tornReads: number;
  readonly virtualTime: number;
  readonly events: number;
}

/** What one kind of operation adds up to while the trace streams by. */
interface FunctionTotals {
  readonly index: number;
  readonly latencies: number[];
  verbs: number;
  messages: number;
  bytes: number;
}

/** An operation not yet returned: its work so far. */
interface OpenOperation {
  readonly op: number;
  readonly process: number;
  readonly f: string;
  readonly invoked: number;
  verbs: number;
  messages: number;
  bytes: number;
}

/**
 * Per-operation accounting from a trace, as it streams by. Work is charged
 * to the operation named in the verb's or message's `op` field (the
 * operation open at the issuing process, or the one whose message or
 * completion woke it); the critical path is the operation's latency, which
 * under the `unit` model is its number of one-way delays.
 *
 * The summary is kept as running totals per kind of operation (plus each
 * latency, for the quantiles), so a long run costs a few numbers per
 * operation rather than an object. Work that arrives after its operation
 * returned (a straggling verb) still counts: a returned operation leaves
 * behind only which totals its later work goes to. `operations()` lists
 * every operation's costs only when asked for at construction.
 */
export class Accounting implements TraceSink {
  private unit = false;
  private readonly open = new Map<number, OpenOperation>();
  private readonly totals = new Map<string, FunctionTotals>();
  /** The totals of each kind of operation, in order of first completion (`returned` points here). */
  private readonly totalsList: FunctionTotals[] = [];
  /**
   * For each returned operation (indexed by `op`, which the recorders number
   * densely from 0): the index in `totalsList` its straggling work goes to,
   * or -1 if it did not return ok. Small integers in a plain array: 4 bytes
   * an operation.
   */
  private readonly returned: number[] = [];
  private readonly perOperation: Map<number, OperationCost> | undefined;
  private done = 0;
  private verbs = 0;
  private messages = 0;
  private bytes = 0;
  private permissionChanges = 0;
  private tornReads = 0;
  private lastTime = 0;
  private events = 0;

  constructor(options: { readonly perOperation?: boolean } = {}) {
    this.perOperation = options.perOperation === false ? undefined : new Map();
  }

  header(header: TraceHeader): void {
    this.unit = header.latency === 'unit';
  }

  event(event: TraceEvent): void {
    this.lastTime = event.t;
    switch (event.type) {
      case 'op.invoke':
        this.open.set(event.op, { op: event.op, process: event.p, f: event.f, invoked: event.t, verbs: 0, messages: 0, bytes: 0 });
        this.perOperation?.set(event.op, { op: event.op, process: event.p, f: event.f, outcome: 'open', latency: 0, verbs: 0, messages: 0, bytes: 0 });
        break;
      case 'op.ok':
      case 'op.fail':
      case 'op.info':
        this.close(event.op, event.type.slice(3) as 'ok' | 'fail' | 'info', event.t);
        break;
      case 'verb.issue':
        this.verbs++;
        this.bytes += event.len;
        if (event.op !== undefined) this.charge(event.op, 1, 0, event.len);
        break;
      case 'verb.arrive':
        if (event.torn) this.tornReads++;
        break;
      case 'perm.change':
        this.permissionChanges++;
        break;
      case 'msg.send':
        this.messages++;
        this.bytes += event.len;
        if (event.op !== undefined) this.charge(event.op, 0, 1, event.len);
        break;
      case 'end':
        this.events = event.events;
        break;
      default:
        break;
    }
  }

  private close(op: number, outcome: 'ok' | 'fail' | 'info', time: number): void {
    const operation = this.open.get(op);
    if (!operation) return;
    this.open.delete(op);
    const latency = time - operation.invoked;
    const listed = this.perOperation?.get(op);
    if (listed) this.perOperation!.set(op, { ...listed, outcome, latency });
    if (outcome !== 'ok') {
      this.returned[op] = -1;
      return;
    }
    let totals = this.totals.get(operation.f);
    if (!totals) {
      totals = { index: this.totalsList.length, latencies: [], verbs: 0, messages: 0, bytes: 0 };
      this.totals.set(operation.f, totals);
      this.totalsList.push(totals);
    }
    totals.latencies.push(latency);
    totals.verbs += operation.verbs;
    totals.messages += operation.messages;
    totals.bytes += operation.bytes;
    this.done++;
    this.returned[op] = totals.index;
  }

  private charge(op: number, verbs: number, messages: number, bytes: number): void {
    const listed = this.perOperation?.get(op);
    if (listed) {
      listed.verbs += verbs;
      listed.messages += messages;
      listed.bytes += bytes;
    }
    const returned = this.returned[op];
    const target = this.open.get(op) ?? (returned === undefined || returned < 0 ? undefined : this.totalsList[returned]);
    if (!target) return;
    target.verbs += verbs;
    target.messages += messages;
    target.bytes += bytes;
  }

  /** Every operation's costs, in invocation order (only when constructed with `perOperation` not false). */
  operations(): OperationCost[] {
    if (!this.perOperation) throw new Error('per-operation costs were not kept (Accounting constructed with perOperation: false)');
    return [...this.perOperation.values()];
  }

  summary(): RunMetrics {
    const byFunction: Record<string, FunctionMetrics> = {};
    for (const f of [...this.totals.keys()].sort()) {
      const totals = this.totals.get(f)!;
      const latencies = Float64Array.from(totals.latencies).sort();
      const count = latencies.length;
      const median = quantile(latencies, 0.5);
      byFunction[f] = {
        count,
        delaysMedian: this.unit ? median : null,
        delaysMax: this.unit ? latencies[count - 1] : null,
        roundTripsMedian: this.unit ? Math.ceil(median / 2) : null,
        latencyMedian: round(median),
        latencyP99: round(quantile(latencies, 0.99)),
        latencyMax: round(latencies[count - 1]),
        verbsMean: round(totals.verbs / count),
        messagesMean: round(totals.messages / count),
        bytesMean: round(totals.bytes / count),
      };
    }
    return {
      operations: this.done,
      byFunction,
      verbs: this.verbs,
      messages: this.messages,
      bytes: this.bytes,
      permissionChanges: this.permissionChanges,
      tornReads: this.tornReads,
      virtualTime: round(this.lastTime),
      events: this.events,
    };
  }
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
