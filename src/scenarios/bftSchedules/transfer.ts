import type { BftSchedule } from './schedule.js';

/** The §6 schedules of state transfer (§2.7), filled in as they move out of the tests. */
export const transferSchedules: readonly BftSchedule[] = [];
