import type { HistoryEvent, NoteEvent, ProcessId } from '../fabric/index.js';
import { withinTolerance, type Fault } from '../sim/index.js';
import type { ResolvedOptions, Scenario, Violation } from './scenario.js';

/** What any backend tells about a finished run, for judging it. */
export interface RunOutcome {
  readonly history: readonly HistoryEvent[];
  readonly notes: readonly NoteEvent[];
  readonly errors: readonly { readonly process: ProcessId; readonly message: string }[];
  /** Live processes whose body had not returned when the run ended. */
  readonly unfinished: readonly ProcessId[];
  readonly time: number;
  readonly end: string;
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
  const violations: Violation[] = outcome.errors.map((error) => ({ property: 'process-error', detail: `p${error.process} threw ${error.message.split('\n')[0]}` }));
  violations.push(...scenario.check(outcome.history, options, outcome.notes));
  const within = withinTolerance(faults, scenario.tolerance(options));
  const mustFinish = scenario.mustFinish?.(options);
  const stuck = outcome.unfinished.filter((process) => mustFinish === undefined || mustFinish.includes(process));
  let blocked = false;
  if (stuck.length > 0) {
    const who = stuck.map((process) => `p${process}`).join(', ');
    if (within) violations.push({ property: 'termination', detail: `${who} did not finish by time ${Math.round(outcome.time * 1000) / 1000} (run ended: ${outcome.end}) although the faults stayed within tolerance` });
    else blocked = true;
  }
  return { violations, blocked, withinTolerance: within };
}
