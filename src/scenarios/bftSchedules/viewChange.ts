import type { BftSchedule } from './schedule.js';

/** The §6 schedules on the viewChange harness (filled in as they move out of the tests). */
export const viewChangeSchedules: readonly BftSchedule[] = [];
