import type { BftMutant } from '../../protocols/byzantine/bft/mutants.js';
import type { RunOptions, Scenario } from '../scenario.js';

/**
 * A §6 interleaving of specs/bft-consensus.md as a runnable schedule: the
 * spec's table gives, for each mutant, the interleaving that breaks it; a
 * schedule scripts that interleaving (scripted Byzantine processes, dropped
 * point messages, simulator pauses and holds) around correct BftReplicas,
 * as a scenario of its own. The same schedule runs on correct code (which
 * must stay safe, and live where the schedule owes it) and, with
 * `--mutant`, on the mutant, where the scenario's checks report what it
 * breaks. The CLI runs one as `mnm run bft --schedule NAME` and sweeps it
 * over seeds as `mnm sweep bft --schedule NAME` (a seed changes the keys
 * and every tie the simulator breaks; the script stays).
 */
export interface BftSchedule {
  /** The mutant whose interleaving this is; also the schedule's name (`--schedule NAME`). */
  readonly mutant: BftMutant;
  /** The spec step the mutant breaks (§6's "step" column, e.g. '2.4.5'). */
  readonly step: string;
  /** The interleaving, in one line (§6's "interleaving" column, as scripted here). */
  readonly interleaving: string;
  /** The properties the mutant violates under the schedule (at least one of them is reported). */
  readonly caughtAs: readonly string[];
  /** The scenario that runs it, named `bftScheduleScenarioName(mutant)`; it runs correct code unless `--mutant` says otherwise. */
  readonly scenario: Scenario;
  /** Simulator faults and holds the schedule needs, as run options (a run takes them unless it gives its own). */
  readonly options?: Pick<RunOptions, 'crash' | 'pause' | 'hold'>;
}

/** The scenario name of the schedule for `mutant` (what a replay command names). */
export function bftScheduleScenarioName(mutant: string): string {
  return `bft-schedule-${mutant}`;
}
