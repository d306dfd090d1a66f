import type { BftSchedule } from './schedule.js';

/** The §6 schedules on the timers harness (filled in as they move out of the tests). */
export const timersSchedules: readonly BftSchedule[] = [];
