import type { BftMutant } from '../../protocols/byzantine/bft/mutants.js';
import { scriptedScenario, type BftScript } from './scriptHarness.js';
import { bftScheduleScenarioName, type BftSchedule } from './schedule.js';

/** What a §6 schedule on the scripted harness (scriptHarness.ts) says besides its script. */
export interface ScheduleEntry {
  readonly mutant: BftMutant;
  readonly step: string;
  readonly interleaving: string;
  readonly caughtAs: readonly string[];
  /** Simulator faults and holds as run options (the script's own `faults`/`holds` are `runBftScript`'s). */
  readonly options?: BftSchedule['options'];
}

/** A §6 schedule whose scenario runs `script` (scriptHarness.ts's processes; seed and mutant from the run). */
export function scriptedSchedule(entry: ScheduleEntry, script: Omit<BftScript, 'mutant' | 'seed' | 'faults' | 'holds'>): BftSchedule {
  const name = bftScheduleScenarioName(entry.mutant);
  return {
    ...entry,
    scenario: scriptedScenario(name, `the §6 schedule of ${entry.mutant} (${entry.step}): ${entry.interleaving}`, script),
  };
}
