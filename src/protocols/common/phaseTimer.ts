import { TimedOut, type Fabric, type QuorumOptions } from '../../fabric/index.js';

/**
 * How long a consensus phase (or Ω) waits before it gives up — timeouts that
 * adapt, so that termination never rests on a guess of the network's delays.
 *
 * A fixed timeout sized from the *shortest* delay never fits once delays vary
 * widely: a new leader's phases keep timing out and nobody ever decides (the
 * audit's `--latency uniform:1:20` runs). The rule here is the classic one for
 * partial synchrony (Dwork, Lynch & Stockmeyer; Chandra & Toueg's ◇P): every
 * timeout that expires doubles the next one, up to a cap, and the timeout is
 * never shorter than a margin over the slowest phase actually observed. Once
 * the network settles (delays bounded by some unknown Δ), a bounded number of
 * expiries makes the timeout exceed every phase, and from then on phases
 * complete instead of timing out.
 *
 * A completed phase takes one doubling back. The doublings are for a network
 * that has not settled yet; kept forever, a long partition early in a run
 * leaves every later timeout 2^k times longer than anything the settled
 * network needs — one phase that then fails for another reason (a crashed
 * memory it cannot tell from a slow one, a permission another leader took)
 * waits out that inflated timeout, and the back-off after it grows with it
 * (a pmp-log storm run sat idle for 37,000 time units). Giving one back per
 * success keeps the argument above: a completed phase of duration D raises
 * the floor to margin × D ≥ D, so the phases the settled network produces
 * (up to margin × the slowest seen) complete with no doubling at all, and if
 * they do not, expiries double the timeout again — at worst every other
 * phase completes, which is still progress.
 */
export interface TimeoutPolicy {
  /** The first timeout, before anything was observed (from the backend's shortest delay). */
  readonly base: number;
  /** The largest timeout ever used: growth stops here (keep it far above any real phase). */
  readonly cap: number;
  /** `false` only in the `fixed-timers` mutants: the timeout stays `base` forever. */
  readonly adaptive: boolean;
}

/** What a timer has seen so far. */
export interface TimeoutState {
  /** Longest successful phase observed (0 = none yet). */
  readonly slowest: number;
  /** Timeouts that expired so far. */
  readonly expiries: number;
}

/** A completed phase may take this many times the slowest one seen before its timeout is too short. */
export const observedMargin = 3;

/** The timeout to use next: max(base, margin × slowest observed) × 2^expiries, at most `cap`. */
export function nextTimeout(policy: TimeoutPolicy, state: TimeoutState): number {
  if (!policy.adaptive) return policy.base;
  const floor = Math.max(policy.base, observedMargin * state.slowest);
  // 2^expiries overflows to Infinity for large counts; the cap bounds it.
  return Math.min(policy.cap, floor * 2 ** Math.min(state.expiries, 1024));
}

/** One process's adaptive timeout for one kind of phase. */
export class PhaseTimer {
  private state: TimeoutState = { slowest: 0, expiries: 0 };

  constructor(readonly policy: TimeoutPolicy) {
    if (!(policy.base > 0) || !(policy.cap >= policy.base)) throw new RangeError(`timeout policy needs 0 < base <= cap (base ${policy.base}, cap ${policy.cap})`);
  }

  /** The timeout for the next phase. */
  get timeout(): number {
    return nextTimeout(this.policy, this.state);
  }

  /** A phase completed after `duration`: its duration raises the floor, and one doubling is given back. */
  completed(duration: number): void {
    this.state = { slowest: Math.max(this.state.slowest, duration), expiries: Math.max(0, this.state.expiries - 1) };
  }

  /** A phase's timeout expired. */
  expired(): void {
    this.state = { ...this.state, expiries: this.state.expiries + 1 };
  }
}

/**
 * The clock a phase runs on: `now`, timers, and — where the owner can tell
 * (protocols/common/stallDetector.ts) — whether this process itself stalled
 * since a given time, in which case the phase's duration or expiry says
 * nothing about the network and the timer does not learn from it.
 */
export interface PhaseClock extends Pick<Fabric, 'now' | 'setTimer'> {
  stalledSince?(time: number): boolean;
}

/** Tells `timer` how a phase begun at `started` ended, unless the process stalled meanwhile. */
export function phaseEnded(clock: PhaseClock, timer: PhaseTimer, started: number, outcome: 'completed' | 'expired'): void {
  if (clock.stalledSince?.(started)) return;
  if (outcome === 'completed') timer.completed(clock.now() - started);
  else timer.expired();
}

/**
 * Runs one phase (`run` gets the quorum options carrying the current
 * timeout) and tells the timer how it went: its duration when it completed,
 * an expiry when it timed out. Other failures pass through untouched.
 */
export async function timedPhase<T>(clock: PhaseClock, timer: PhaseTimer, run: (limit: QuorumOptions) => Promise<T>): Promise<T> {
  const started = clock.now();
  try {
    const result = await run({ timeout: timer.timeout, timers: clock });
    phaseEnded(clock, timer, started, 'completed');
    return result;
  } catch (error) {
    if (error instanceof TimedOut) phaseEnded(clock, timer, started, 'expired');
    throw error;
  }
}
