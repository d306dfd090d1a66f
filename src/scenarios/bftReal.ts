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
 * ~100 ms of every run) or under load, ten or more: a CB delivery took
 * 150–250 units on shm and 40–115 on tcp (docs/bft.md), against ~10 delays
 * on the simulator, and a slow-path decision 5–10 times the simulator's.
 *
 * The protocol timers are therefore scaled by `realTimerScale`. Tslow only
 * chooses between the fast and the slow path, but Treq, Tdecide and Tview
 * raise suspicions, and sized in simulator delays they expire before a
 * correct leader's decision or a view change's NEW_VIEW (two slow CBs) can
 * arrive: with the leader crashed, every view sealed by an early Tview or
 * Treq (each expiry doubles the timers, §2.5.4, but the views pile up
 * faster than the run's wall-clock budget and the streams' V views allow),
 * and no call returned on shm or tcp. Liveness (§4: "timers doubled past
 * the delays") holds once the timers exceed the real delays, which the
 * scale buys at the start instead of through view changes.
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

/**
 * Real delays over the simulator's, for the protocol timers: a slow-path
 * decision measured 5–10× (shm, tcp, loaded 2-core machine); 16 leaves room
 * for load and the JIT's warm-up.
 */
export const realTimerScale = 16;

/** The protocol timers (BftTiming: Tslow, Tdecide, Tfwd, Treq, Tview), structural. */
type BftTimers = Readonly<Record<'slow' | 'decide' | 'forward' | 'request', number>> & { readonly view?: number };

/** The safety nets and timers of a bft setup (bftSetup.ts; structural, so that this module imports nothing of it). */
export interface BftSafetyNets {
  readonly giveUpAt: number;
  readonly stream: { readonly idleAfter: number; readonly idlePoll: number };
  readonly client: { readonly resendAfter: number; readonly giveUpAfter: number };
  readonly timing: BftTimers;
  readonly horizonNeeded: number;
}

function scaledTimers<Timers extends BftTimers>(timing: Timers): Timers {
  return Object.fromEntries(Object.entries(timing).map(([name, value]) => [name, typeof value === 'number' ? value * realTimerScale : value])) as Timers;
}

/** The setup as a real backend runs it (unchanged on the simulator). */
export function onRealBackend<Setup extends BftSafetyNets>(setup: Setup, options: ResolvedOptions): Setup {
  if (!isRealBackend(options)) return setup;
  // The horizon (and so the wall-clock deadline) follows the scaled timers: up to f+1 view changes of Treq + Tview each.
  const horizonNeeded = setup.horizonNeeded * realTimerScale;
  const giveUpAt = Math.max(setup.giveUpAt, stopShare * Math.max(realDeadlineUnits(options), horizonNeeded));
  // CB's quiet rounds paced at one round trip of the model (rounds.ts `quietPause`): an shm verb completes at issue.
  const quietPause = 2 * latencyModel(options.latency).minimum;
  const timing = scaledTimers(setup.timing);
  const client = { resendAfter: setup.client.resendAfter * realTimerScale, giveUpAfter: Math.max(setup.client.giveUpAfter * realTimerScale, giveUpAt) };
  return { ...setup, giveUpAt, horizonNeeded, timing, stream: { ...setup.stream, quietPause }, client: { ...setup.client, ...client } };
}
