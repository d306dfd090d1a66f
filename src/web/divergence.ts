import type { TraceEvent } from '../trace/format.js';

/** Where two traces first differ: the event index, and each side's event there (absent past its end). */
export interface Divergence {
  readonly index: number;
  readonly a?: TraceEvent;
  readonly b?: TraceEvent;
  /** The time to mark: each side's event time there (or its last time, past its end). */
  readonly tA: number;
  readonly tB: number;
}

/**
 * The first event at which two traces differ (compared field by field, keys
 * in any order), or undefined when they are the same. A trace that is a
 * prefix of the other diverges where it ends. Headers are not compared: a
 * protocol and its mutant on one seed differ there by design.
 */
export function firstDivergence(a: readonly TraceEvent[], b: readonly TraceEvent[]): Divergence | undefined {
  const shared = Math.min(a.length, b.length);
  for (let index = 0; index < shared; index++) {
    if (!sameValue(a[index], b[index])) return { index, a: a[index], b: b[index], tA: a[index].t, tB: b[index].t };
  }
  if (a.length === b.length) return undefined;
  const lastT = (events: readonly TraceEvent[]) => (events.length > 0 ? events[events.length - 1].t : 0);
  return { index: shared, a: a[shared], b: b[shared], tA: a[shared]?.t ?? lastT(a), tB: b[shared]?.t ?? lastT(b) };
}

function sameValue(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const xKeys = Object.keys(x).filter((key) => (x as Record<string, unknown>)[key] !== undefined);
  const yKeys = Object.keys(y).filter((key) => (y as Record<string, unknown>)[key] !== undefined);
  if (xKeys.length !== yKeys.length) return false;
  return xKeys.every((key) => sameValue((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]));
}
