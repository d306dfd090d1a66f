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

  /** A phase completed after `duration`. */
  completed(duration: number): void {
    if (duration > this.state.slowest) this.state = { ...this.state, slowest: duration };
  }

  /** A phase's timeout expired. */
  expired(): void {
    this.state = { ...this.state, expiries: this.state.expiries + 1 };
  }
}

/**
 * Runs one phase (`run` gets the quorum options carrying the current
 * timeout) and tells the timer how it went: its duration when it completed,
 * an expiry when it timed out. Other failures pass through untouched.
 */
export async function timedPhase<T>(fabric: Pick<Fabric, 'now' | 'setTimer'>, timer: PhaseTimer, run: (limit: QuorumOptions) => Promise<T>): Promise<T> {
  const started = fabric.now();
  try {
    const result = await run({ timeout: timer.timeout, timers: fabric });
    timer.completed(fabric.now() - started);
    return result;
  } catch (error) {
    if (error instanceof TimedOut) timer.expired();
    throw error;
  }
}
