import type { HistoryEvent, NoteEvent, ProcessId } from '../fabric/index.js';
import { describeFault, withinTolerance, type Fault, type MemoryViolation, type OrderedGrant } from '../sim/index.js';
import type { RunMetrics } from '../trace/accounting.js';
import type { ResolvedOptions, Scenario, Violation } from './scenario.js';

/** A judged run, on any backend: what `mnm run` prints and sweeps count. */
export interface RunReport {
  readonly protocol: string;
  readonly seed: number;
  /** No property was violated. */
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  /** Some process could not finish, but faults went beyond what the protocol tolerates: not a failure. */
  readonly blocked: boolean;
  readonly withinTolerance: boolean;
  readonly faults: readonly string[];
  /** How the run ended: done, horizon or idle. */
  readonly end: string;
  readonly virtualTime: number;
  /**
   * The trace's accounting, plus the scenario's own figures (Scenario.metrics,
   * e.g. Mu's commit and fail-over). Caution: a run without accounting (a
   * real backend, an untraced simulator run) of a scenario with figures has
   * only those here — the accounting fields (`byFunction`, …) are absent.
   */
  readonly metrics: RunMetrics | null;
  readonly traceHash: string | null;
  readonly params: ResolvedOptions;
  readonly history: readonly HistoryEvent[];
  /** Scenario-specific figures (decisions, signatures, adversary effects...). */
  readonly details: Record<string, unknown>;
  /** The trace's text (only with trace mode `full`). */
  readonly trace?: string;
  /** The linearizability verdict, for scenarios that give one: true, false, or null when undecided. */
  readonly linearizable?: boolean | null;
}


/** What any backend tells about a finished run, for judging it. */
export interface RunOutcome {
  readonly history: readonly HistoryEvent[];
  readonly notes: readonly NoteEvent[];
  readonly errors: readonly { readonly process: ProcessId; readonly message: string }[];
  /** Live processes whose body had not returned when the run ended. */
  readonly unfinished: readonly ProcessId[];
  readonly time: number;
  readonly end: string;
  /** What the memories saw (the simulator only). */
  readonly orderedGrants?: readonly OrderedGrant[];
  /** What the scenario's memory watcher found (the simulator only; Scenario.memoryWatcher). */
  readonly memoryViolations?: readonly MemoryViolation[];
}

export interface Verdict {
  readonly violations: Violation[];
  readonly blocked: boolean;
  readonly withinTolerance: boolean;
}

/**
 * Judges a run the same way on every backend: a process body that threw is
 * a violation (a protocol bug, never a fault); then the scenario's safety
 * properties; then liveness — a process that should have finished and did
 * not is a violation when the faults stayed within the protocol's
 * tolerance, and `blocked` (not a failure) when they went beyond it.
 */
export function judge(scenario: Scenario, options: ResolvedOptions, faults: readonly Fault[], outcome: RunOutcome): Verdict {
  const violations: Violation[] = outcome.errors.map((error) => ({ property: 'process-error', detail: `p${error.process} threw ${error.message.split('\n')[0]}`, involved: { processes: [error.process] } }));
  // A memory invariant broken mid-run, at the verb that broke it (the detail names it).
  for (const found of outcome.memoryViolations ?? []) violations.push({ property: found.property, detail: found.detail, involved: { processes: [found.process] } });
  violations.push(...scenario.check(outcome.history, options, outcome.notes, outcome.orderedGrants ? { orderedGrants: outcome.orderedGrants } : undefined));
  const within = withinTolerance(faults, scenario.tolerance(options));
  const mustFinish = scenario.mustFinish?.(options);
  const stuck = outcome.unfinished.filter((process) => mustFinish === undefined || mustFinish.includes(process));
  let blocked = false;
  if (stuck.length > 0) {
    const who = stuck.map((process) => `p${process}`).join(', ');
    if (within) violations.push({ property: 'termination', detail: `${who} did not finish by time ${Math.round(outcome.time * 1000) / 1000} (run ended: ${outcome.end}) although the faults stayed within tolerance`, involved: { processes: stuck } });
    else blocked = true;
  }
  return { violations, blocked, withinTolerance: within };
}

/** What a backend adds to the verdict: its own evidence and figures. */
export interface RunEvidence {
  readonly metrics: RunMetrics | null;
  readonly traceHash: string | null;
  /** What turns the notes' times into the scenario's metrics' unit (1 on the simulator; µs per time unit on a real backend). */
  readonly scale?: number;
  /** Backend figures merged into the scenario's details. */
  readonly details?: Record<string, unknown>;
  readonly trace?: string;
}

/** Judges a run and builds its report; the simulator and the real backends differ only in their evidence. */
export function judgedReport(scenario: Scenario, options: ResolvedOptions, faults: readonly Fault[], outcome: RunOutcome, evidence: RunEvidence): RunReport {
  const { violations, blocked, withinTolerance: within } = judge(scenario, options, faults, outcome);
  return {
    protocol: scenario.name,
    seed: options.seed,
    ok: violations.length === 0,
    violations,
    blocked,
    withinTolerance: within,
    faults: faults.map(describeFault),
    end: outcome.end,
    virtualTime: outcome.time,
    metrics: scenario.metrics ? ({ ...(evidence.metrics ?? {}), ...scenario.metrics(outcome.history, options, outcome.notes, faults, evidence.scale ?? 1) } as RunMetrics) : evidence.metrics,
    traceHash: evidence.traceHash,
    params: options,
    history: outcome.history,
    details: { ...(scenario.details?.(outcome.history, options, outcome.notes) ?? {}), ...(evidence.details ?? {}) },
    ...(evidence.trace !== undefined ? { trace: evidence.trace } : {}),
    ...(scenario.linearizable ? { linearizable: scenario.linearizable(outcome.history, options, outcome.notes) } : {}),
  };
}
