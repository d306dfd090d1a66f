import type { NoteEvent, ProcessId } from '../fabric/index.js';

/**
 * Mu's run metrics (docs/metrics.md, "Mu"), pure functions of MuLog's notes
 * (`attempt` {ballot}; `leading` {ballot}; `decide` {index, ballot, started}
 * on the leader) and of the faults that hit the run. Times are the notes'
 * times multiplied by `scale`: 1 on the simulator (one-way delays under the
 * `unit` model, virtual µs under the others), the time unit in µs on a real
 * backend (wall-clock µs).
 */

/** Commit latency: a `decide` note's time minus its entry's `started` (when the leader proposed it). */
export interface CommitMetrics {
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
}

/**
 * Leader changes. A trial is each new term after the first (a `leading`
 * note); its fail-over time runs from the old leader's failure point F to
 * the new term's first decision:
 * - F: the first crash or pause of the old leader's process (or host) that
 *   struck during its term, else its last progress (its term's last
 *   `decide`, or its `leading` if it decided nothing);
 * - detection: F → the first `attempt` after F (by any replica);
 * - permissionSwitch: that attempt → the new leader's `leading`;
 * - catchUp: `leading` → the new term's first `decide`.
 * Only trials whose new term decided something are complete: `p50`, `max`
 * and the three phases' medians are over them (null if none is).
 */
export interface FailoverMetrics {
  readonly p50: number | null;
  readonly max: number | null;
  readonly trials: number;
  readonly detection: number | null;
  readonly permissionSwitch: number | null;
  readonly catchUp: number | null;
}

export interface FailoverTrial {
  readonly from: { readonly process: ProcessId; readonly ballot: number };
  readonly to: { readonly process: ProcessId; readonly ballot: number };
  readonly failedAt: number;
  readonly detection: number;
  readonly permissionSwitch: number;
  readonly catchUp: number | null;
  readonly total: number | null;
}

/** A fault as the metrics need it: when, and which process it stopped (a host crash stops its process). */
export interface StoppingFault {
  readonly at: number;
  readonly process: ProcessId;
  readonly kind: 'crash' | 'pause';
}

/** The nearest-rank percentile (p in (0, 1]) of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

function numberOf(note: NoteEvent, key: string): number | undefined {
  const value = note.detail?.[key];
  return typeof value === 'number' ? value : undefined;
}

export function commitMetrics(notes: readonly NoteEvent[], scale = 1): CommitMetrics | null {
  const latencies: number[] = [];
  for (const note of notes) {
    if (note.kind !== 'decide') continue;
    const started = numberOf(note, 'started');
    if (started !== undefined) latencies.push((note.time - started) * scale);
  }
  if (latencies.length === 0) return null;
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), count: latencies.length };
}

/** Entries decided per 1000 time units (per 1000 delays under `unit`, per millisecond otherwise), from the first proposal to the last decision; null with none. */
export function throughput(notes: readonly NoteEvent[], scale = 1): number | null {
  let first = Infinity;
  let last = -Infinity;
  let count = 0;
  for (const note of notes) {
    if (note.kind !== 'decide') continue;
    count++;
    first = Math.min(first, numberOf(note, 'started') ?? note.time);
    last = Math.max(last, note.time);
  }
  if (count === 0 || last <= first) return null;
  return (count / ((last - first) * scale)) * 1000;
}

export function failoverTrials(notes: readonly NoteEvent[], faults: readonly StoppingFault[] = []): FailoverTrial[] {
  const terms = notes
    .filter((note) => note.kind === 'leading' && numberOf(note, 'ballot') !== undefined)
    .map((note) => ({ process: note.process, ballot: numberOf(note, 'ballot') as number, time: note.time }));
  const attempts = notes.filter((note) => note.kind === 'attempt').map((note) => ({ process: note.process, ballot: numberOf(note, 'ballot') ?? 0, time: note.time }));
  const decides = notes.filter((note) => note.kind === 'decide').map((note) => ({ process: note.process, ballot: numberOf(note, 'ballot') ?? 0, time: note.time }));
  const trials: FailoverTrial[] = [];
  for (let k = 1; k < terms.length; k++) {
    const old = terms[k - 1];
    const next = terms[k];
    const stop = faults.filter((fault) => fault.process === old.process && fault.at >= old.time && fault.at <= next.time).sort((a, b) => a.at - b.at)[0];
    const progress = decides.filter((decide) => decide.process === old.process && decide.ballot === old.ballot && decide.time <= next.time).reduce((latest, decide) => Math.max(latest, decide.time), old.time);
    const failedAt = stop?.at ?? progress;
    const own = attempts.find((attempt) => attempt.process === next.process && attempt.ballot === next.ballot);
    const first = attempts.find((attempt) => attempt.time >= failedAt && attempt.time <= next.time && attempt.ballot > old.ballot);
    const attemptAt = Math.max(failedAt, first?.time ?? own?.time ?? next.time);
    const decided = decides.find((decide) => decide.process === next.process && decide.ballot === next.ballot && decide.time >= next.time);
    const catchUp = decided === undefined ? null : decided.time - next.time;
    trials.push({
      from: { process: old.process, ballot: old.ballot },
      to: { process: next.process, ballot: next.ballot },
      failedAt,
      detection: attemptAt - failedAt,
      permissionSwitch: next.time - attemptAt,
      catchUp,
      total: catchUp === null ? null : decided!.time - failedAt,
    });
  }
  return trials;
}

/** Fail-over figures over the run's trials (scaled), or null when the leader never changed. */
export function failoverMetrics(notes: readonly NoteEvent[], faults: readonly StoppingFault[] = [], scale = 1): FailoverMetrics | null {
  const trials = failoverTrials(notes, faults);
  if (trials.length === 0) return null;
  const complete = trials.filter((trial) => trial.total !== null);
  const totals = complete.map((trial) => (trial.total as number) * scale).sort((a, b) => a - b);
  return {
    p50: totals.length > 0 ? percentile(totals, 0.5) : null,
    max: totals.length > 0 ? totals[totals.length - 1] : null,
    trials: trials.length,
    detection: median(complete.map((trial) => trial.detection * scale)),
    permissionSwitch: median(complete.map((trial) => trial.permissionSwitch * scale)),
    catchUp: median(complete.map((trial) => (trial.catchUp as number) * scale)),
  };
}

/** Everything `metrics` gains for a Mu run. */
export function muRunMetrics(notes: readonly NoteEvent[], faults: readonly StoppingFault[], scale = 1): { commit: CommitMetrics | null; throughput: number | null; failover: FailoverMetrics | null } {
  return { commit: commitMetrics(notes, scale), throughput: throughput(notes, scale), failover: failoverMetrics(notes, faults, scale) };
}
