import { latencyModel } from '../sim/latency.js';
import { isRealBackend, timeUnitMicroseconds } from './realTime.js';
import type { ResolvedOptions } from './scenario.js';

/**
 * `bft` on the real backends (shm threads, tcp processes): its safety nets in
 * real time.
 *
 * bftSetup sizes every timer in typical delays d of the latency model, from
 * the simulator's costs: a CB round there is a read and a write, ~4 d. On a
 * real backend one d is the backend's time unit (250 µs on shm, 500 µs on
 * tcp: realTime.ts), but a CB round is bound by CPU, not by the verbs: it
 * reads W+1 blocks of every replica's region from a majority of memories and
 * decodes them, with 2f+1 replica loops, the clients and the memories' work
 * sharing the machine's cores (2 on the build machine, with other jobs).
 * Warm, a round costs about one unit; while the JIT warms up (the first
 * ~100 ms of every run) or under load, ten or more. The protocol timers
 * (Tslow, Tdecide, Tfwd, Treq) only choose between the fast and the slow
 * path (and raise suspicions), so they stay as sized: an expired Tslow costs
 * the slow path, never safety or liveness — the fast-path share a run
 * reports is what the machine gave it.
 *
 * The safety nets are another matter: a client that gives a call up after
 * 10·Tdecide (335 ms on shm) and replicas that stop at the horizon turn a
 * busy machine into liveness violations. On a real backend they follow the
 * real runner's wall-clock deadline instead (realRunner.ts: the horizon in
 * real time, never below 10 s, so that a noisy machine does not turn into a
 * liveness failure): replicas stop at 80% of it, and a client waits up to
 * that long for a call.
 */

/** The real runner's floor on a run's wall-clock deadline (realRunner.ts `deadlineMilliseconds`). */
export const realDeadlineFloorMilliseconds = 10_000;

/** Share of the wall-clock deadline after which replicas stop (the rest: lingering, final notes, judging). */
const stopShare = 0.8;

/** The run's wall-clock deadline in its time units, as the real runner sets it. */
export function realDeadlineUnits(options: ResolvedOptions): number {
  const unit = timeUnitMicroseconds(options);
  return Math.max((realDeadlineFloorMilliseconds * 1000) / unit, options.horizon);
}

/** The safety nets of a bft setup (bftSetup.ts; structural, so that this module imports nothing of it). */
export interface BftSafetyNets {
  readonly giveUpAt: number;
  readonly stream: { readonly idleAfter: number; readonly idlePoll: number };
  readonly client: { readonly resendAfter: number; readonly giveUpAfter: number };
}

/** The setup as a real backend runs it (unchanged on the simulator). */
export function onRealBackend<Setup extends BftSafetyNets>(setup: Setup, options: ResolvedOptions): Setup {
  if (!isRealBackend(options)) return setup;
  const giveUpAt = Math.max(setup.giveUpAt, stopShare * realDeadlineUnits(options));
  // CB's quiet rounds paced at one round trip of the model (rounds.ts `quietPause`): an shm verb completes at issue.
  const quietPause = 2 * latencyModel(options.latency).minimum;
  return { ...setup, giveUpAt, stream: { ...setup.stream, quietPause }, client: { ...setup.client, giveUpAfter: Math.max(setup.client.giveUpAfter, giveUpAt) } };
}
