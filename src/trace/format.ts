/**
 * The trace format (docs/trace.md): JSON lines, a header first, then one
 * event per line in the order they happened. The checkers, the CLI
 * summaries, the benchmark tables and the web viewer all read this format.
 *
 * Byte strings are lowercase hex; 64-bit words are decimal strings; times are
 * virtual microseconds (under the `unit` latency model, one delay = 1).
 */

export const traceVersion = 1;

export interface TraceHeader {
  readonly type: 'header';
  /** The trace format's version (`traceVersion`). */
  readonly version: number;
  /** The mnm package that wrote the trace (provenance.ts); a trace replays only on the same version. */
  readonly mnmVersion?: string;
  /**
   * False for a real backend's journal (`--backend shm|tcp`): its times are
   * wall-clock times in the run's unit and no seed re-creates it. Absent: a
   * simulator trace, which `mnm replay` re-runs.
   */
  readonly replayable?: boolean;
  /** A real backend's journal: real microseconds per time unit of its `t` values. */
  readonly timeUnitMicroseconds?: number;
  readonly scenario: string;
  readonly seed: number;
  readonly backend: string;
  /** Everything needed to re-run the scenario (what `mnm replay` uses). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly processes: number;
  readonly memories: number;
  readonly latency: string;
  readonly regions: readonly unknown[];
}

export type VerbKind = 'read' | 'write' | 'cas' | 'faa' | 'permission';

export type TraceEvent =
  | { readonly t: number; readonly type: 'verb.issue'; readonly id: number; readonly p: number; readonly m: number; readonly verb: VerbKind; readonly region: string; readonly offset: number; readonly len: number; readonly data?: string; readonly expected?: string; readonly desired?: string; readonly delta?: string; readonly access?: string; readonly proposal?: string; readonly op?: number }
  | { readonly t: number; readonly type: 'verb.arrive'; readonly id: number; readonly m: number; readonly ok: boolean; readonly data?: string; readonly value?: string; readonly torn?: number; readonly error?: string }
  | { readonly t: number; readonly type: 'verb.lost'; readonly id: number; readonly m: number; readonly reason?: string }
  | { readonly t: number; readonly type: 'verb.complete'; readonly id: number; readonly p: number; readonly ok: boolean; readonly error?: string }
  /** `proposal` (a decimal u64): the number an `ordered-exclusive-writer` region granted; absent under every other policy. */
  | { readonly t: number; readonly type: 'perm.change'; readonly m: number; readonly region: string; readonly p: number; readonly access: string; readonly revoked: readonly number[]; readonly proposal?: string }
  | { readonly t: number; readonly type: 'msg.send'; readonly id: number; readonly from: number; readonly to: number; readonly len: number; readonly data: string; readonly op?: number }
  | { readonly t: number; readonly type: 'msg.deliver'; readonly id: number; readonly to: number }
  | { readonly t: number; readonly type: 'msg.drop'; readonly id: number; readonly reason: string }
  | { readonly t: number; readonly type: 'fault'; readonly fault: string; readonly target: string; readonly until?: number; readonly detail?: string }
  | { readonly t: number; readonly type: 'op.invoke'; readonly p: number; readonly op: number; readonly f: string; readonly key?: string; readonly value: unknown }
  | { readonly t: number; readonly type: 'op.ok' | 'op.fail' | 'op.info'; readonly p: number; readonly op: number; readonly f: string; readonly key?: string; readonly value: unknown }
  | { readonly t: number; readonly type: 'note'; readonly p: number; readonly kind: string; readonly detail?: unknown }
  | { readonly t: number; readonly type: 'hold'; readonly event: string; readonly id: number; readonly until?: string; readonly behind?: number }
  | { readonly t: number; readonly type: 'release'; readonly event: string; readonly id: number }
  | { readonly t: number; readonly type: 'end'; readonly reason: string; readonly events: number };

export type TraceLine = TraceHeader | TraceEvent;

/** Receives a run's trace as it happens. */
export interface TraceSink {
  header(header: TraceHeader): void;
  event(event: TraceEvent): void;
}
