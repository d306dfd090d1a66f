import type { BftSchedule } from './schedule.js';
import { installBackSchedule } from './transferInstallBack.js';
import { holdOnlySnapshotSchedule } from './transferHoldOnlySnapshot.js';

/** The §6 schedules of state transfer (§2.7): a state installed backwards (2.7.2), a snapshot not kept (2.7.1). */
export const transferSchedules: readonly BftSchedule[] = [installBackSchedule, holdOnlySnapshotSchedule];
