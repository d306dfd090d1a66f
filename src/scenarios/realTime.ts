import { latencyModel } from '../sim/latency.js';
import type { ResolvedOptions } from './scenario.js';

/**
 * The real backends' time unit (docs/backends.md "Time unit"), in a module
 * of its own so that scenario bodies, built inside the workers and OS
 * processes, can convert real time into the run's units without loading
 * the runner (src/architecture.test.ts keeps the runners out of what a
 * worker loads).
 *
 * On a real backend one minimum delay of the latency model lasts
 * `realDelayMicroseconds[backend]` of real time (realRunner.ts says why).
 */
export const realDelayMicroseconds = { shm: 250, tcp: 500 } as const;

/** The backends that run scenarios for real. */
export type RealBackend = keyof typeof realDelayMicroseconds;

/** Whether the run is on a real backend (shm or tcp), not the simulator. */
export function isRealBackend(options: ResolvedOptions): boolean {
  return options.backend !== undefined && options.backend in realDelayMicroseconds;
}

/** Microseconds of real time per time unit of a run on a real backend. */
export function timeUnitMicroseconds(options: ResolvedOptions): number {
  const backend = options.backend as RealBackend;
  return realDelayMicroseconds[backend] / latencyModel(options.latency).minimum;
}
