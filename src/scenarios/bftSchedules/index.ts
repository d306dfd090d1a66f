import type { Scenario } from '../scenario.js';
import { normalSchedules } from './normal.js';
import { orderSchedules } from './order.js';
import { recordsSchedules } from './records.js';
import { viewChangeSchedules } from './viewChange.js';
import { timersSchedules } from './timers.js';
import { transferSchedules } from './transfer.js';
import type { BftSchedule } from './schedule.js';

export { bftScheduleScenarioName, type BftSchedule } from './schedule.js';

/** Every §6 schedule, in the spec table's order of steps as the harnesses group them. */
export const bftSchedules: readonly BftSchedule[] = [...normalSchedules, ...orderSchedules, ...recordsSchedules, ...viewChangeSchedules, ...timersSchedules, ...transferSchedules];

/** The schedules' scenarios (built-in: the registry lists them, workers find them). */
export const bftScheduleScenarios: readonly Scenario[] = bftSchedules.map((schedule) => schedule.scenario);

/** The schedule of `name` (a mutant's name), or undefined. */
export function findBftSchedule(name: string): BftSchedule | undefined {
  return bftSchedules.find((schedule) => schedule.mutant === name);
}
