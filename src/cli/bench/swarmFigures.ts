import type { HistoryEvent } from '../../fabric/index.js';

/**
 * Figures of the SWARM family's runs, shared by `mnm run`'s summary, `mnm
 * table swarm` and `mnm bench swarm`. Pure: the arithmetic is tested apart
 * from any run or timing.
 */

/** The value at `q` of sorted values, nearest rank (the convention of the scenarios' `roundTripSummary`). */
export function nearestRank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('a quantile of no values');
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Count, p50, p99, max of some values (unsorted). */
export interface Spread {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: nearestRank(sorted, 0.5), p99: nearestRank(sorted, 0.99), max: sorted[sorted.length - 1] };
}

/**
 * Latency of every completed (`ok`) operation by function: (completion −
 * invocation) × `unit` (1: the history's own time unit), each process's
 * first `skip` fraction of operations dropped (a real backend's warm-up).
 */
export function latenciesByFunction(history: readonly HistoryEvent[], unit = 1, skip = 0): Map<string, number[]> {
  const invoked = new Map<number, HistoryEvent>();
  const perProcess = new Map<number, { f: string; latency: number }[]>();
  for (const event of history) {
    if (event.type === 'invoke') invoked.set(event.op, event);
    else if (event.type === 'ok') {
      const start = invoked.get(event.op);
      if (!start) continue;
      const list = perProcess.get(event.process) ?? [];
      list.push({ f: event.f, latency: (event.time - start.time) * unit });
      perProcess.set(event.process, list);
    }
  }
  const byFunction = new Map<string, number[]>();
  for (const list of perProcess.values()) {
    for (const { f, latency } of list.slice(Math.floor(list.length * skip))) {
      const latencies = byFunction.get(f) ?? [];
      latencies.push(latency);
      byFunction.set(f, latencies);
    }
  }
  return byFunction;
}

/** One `op-cost` note's fields: the function, its round trips, and its key cache outcome when the scenario notes one (SWARM-KV). */
export interface OperationCost {
  readonly f: string;
  readonly roundTrips: number;
  readonly cache: 'hit' | 'miss' | null;
}

/** The `op-cost` notes' costs; `cache` from a `cache: 'hit' | 'miss'` or `cacheHit: boolean` field. */
export function operationCosts(notes: readonly { readonly kind: string; readonly detail?: Readonly<Record<string, unknown>> }[]): OperationCost[] {
  const costs: OperationCost[] = [];
  for (const note of notes) {
    if (note.kind !== 'op-cost' || note.detail === undefined) continue;
    const detail = note.detail;
    const cache = detail.cache === 'hit' || detail.cache === 'miss' ? detail.cache : typeof detail.cacheHit === 'boolean' ? (detail.cacheHit ? 'hit' : 'miss') : null;
    costs.push({ f: String(detail.f), roundTrips: Number(detail.roundTrips), cache });
  }
  return costs;
}

/** Round trips of some operations: p50, p99 and the share on the fast path (≤ 1 round trip), a fraction in [0, 1]. */
export interface RoundTripFigures {
  readonly count: number;
  readonly rttP50: number;
  readonly rttP99: number;
  readonly rttMax: number;
  readonly fastPathShare: number;
}

export function roundTripFigures(roundTrips: readonly number[]): RoundTripFigures {
  const spread = spreadOf(roundTrips);
  return { count: spread.count, rttP50: spread.p50, rttP99: spread.p99, rttMax: spread.max, fastPathShare: roundTrips.filter((value) => value <= 1).length / roundTrips.length };
}

/** A percentage with at most one decimal, for text. */
export function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}
