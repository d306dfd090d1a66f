import { bftSchedules, findBftSchedule, type BftSchedule } from '../scenarios/index.js';
import { UsageError } from './usage.js';

/**
 * `--schedule NAME`: run (or sweep) one of bft's scripted §6 interleavings
 * (scenarios/bftSchedules/) instead of the drawn run. NAME is the mutant the
 * interleaving breaks; the run is correct code unless `--mutant` names one.
 * A schedule scripts messages, pauses and holds on the simulator, so it
 * takes neither a real backend nor `--mix`.
 */
export function scheduleFor(protocol: string, name: string | undefined, backend: string | undefined): BftSchedule | undefined {
  if (name === undefined) return undefined;
  const accepted = bftSchedules.map((schedule) => schedule.mutant).join(', ') || 'none yet';
  if (protocol !== 'bft') throw new UsageError(`--schedule: only bft has scripted schedules, not ${protocol} (accepted with bft: ${accepted})`);
  const schedule = findBftSchedule(name);
  if (!schedule) throw new UsageError(`--schedule: no schedule '${name}' (accepted: ${accepted}; mnm mutants lists them)`);
  if (backend !== undefined && backend !== 'sim') throw new UsageError(`--schedule runs on the simulator only (it scripts messages, pauses and holds), not --backend ${backend}`);
  return schedule;
}

/** How a command names a run's protocol: a schedule's scenario as `bft --schedule NAME`, any other as itself. */
export function protocolWords(protocol: string): string[] {
  const schedule = bftSchedules.find((candidate) => candidate.scenario.name === protocol);
  return schedule ? ['bft', '--schedule', schedule.mutant] : [protocol];
}
