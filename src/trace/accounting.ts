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

/**
 * Per-operation accounting from a trace, as it streams by. Work is charged
 * to the operation named in the verb's or message's `op` field (the
 * operation open at the issuing process, or the one whose message or
 * completion woke it); the critical path is the operation's latency, which
 * under the `unit` model is its number of one-way delays.
 */
export class Accounting implements TraceSink {
  private unit = false;
  private readonly costs = new Map<number, OperationCost & { invoked: number }>();
  private verbs = 0;
  private messages = 0;
  private bytes = 0;
  private permissionChanges = 0;
  private tornReads = 0;
  private lastTime = 0;
  private events = 0;

  header(header: TraceHeader): void {
    this.unit = header.latency === 'unit';
  }

  event(event: TraceEvent): void {
    this.lastTime = event.t;
    switch (event.type) {
      case 'op.invoke':
        this.costs.set(event.op, { op: event.op, process: event.p, f: event.f, outcome: 'open', latency: 0, invoked: event.t, verbs: 0, messages: 0, bytes: 0 });
        break;
      case 'op.ok':
      case 'op.fail':
      case 'op.info': {
        const cost = this.costs.get(event.op);
        if (cost) this.costs.set(event.op, { ...cost, outcome: event.type.slice(3) as 'ok', latency: event.t - cost.invoked });
        break;
      }
      case 'verb.issue': {
        this.verbs++;
        this.bytes += event.len;
        const cost = event.op === undefined ? undefined : this.costs.get(event.op);
        if (cost) {
          cost.verbs++;
          cost.bytes += event.len;
        }
        break;
      }
      case 'verb.arrive':
        if (event.torn) this.tornReads++;
        break;
      case 'perm.change':
        this.permissionChanges++;
        break;
      case 'msg.send': {
        this.messages++;
        this.bytes += event.len;
        const cost = event.op === undefined ? undefined : this.costs.get(event.op);
        if (cost) {
          cost.messages++;
          cost.bytes += event.len;
        }
        break;
      }
      case 'end':
        this.events = event.events;
        break;
      default:
        break;
    }
  }

  /** Every operation's costs, in invocation order. */
  operations(): OperationCost[] {
    return [...this.costs.values()].map(({ invoked: _invoked, ...cost }) => cost);
  }

  summary(): RunMetrics {
    const byFunction: Record<string, FunctionMetrics> = {};
    const done = this.operations().filter((cost) => cost.outcome === 'ok');
    for (const f of [...new Set(done.map((cost) => cost.f))].sort()) {
      const costs = done.filter((cost) => cost.f === f);
      const latencies = costs.map((cost) => cost.latency).sort((a, b) => a - b);
      const median = quantile(latencies, 0.5);
      byFunction[f] = {
        count: costs.length,
        delaysMedian: this.unit ? median : null,
        delaysMax: this.unit ? latencies[latencies.length - 1] : null,
        roundTripsMedian: this.unit ? Math.ceil(median / 2) : null,
        latencyMedian: round(median),
        latencyP99: round(quantile(latencies, 0.99)),
        latencyMax: round(latencies[latencies.length - 1]),
        verbsMean: round(mean(costs.map((cost) => cost.verbs))),
        messagesMean: round(mean(costs.map((cost) => cost.messages))),
        bytesMean: round(mean(costs.map((cost) => cost.bytes))),
      };
    }
    return {
      operations: done.length,
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
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
