import { timestampMax } from './word.js';

/**
 * A client's timestamps (spec swarm.md §3). Timestamps count ticks of a
 * configured length (default RTT/3 of the deployment) since a configured
 * epoch; `clock()` is the local clock's ticks since then plus an offset
 * that only grows (catch-up). The client keeps `last`, the largest ts it
 * issued (any key, W3's y included), and `maxSeen`, the largest it read or
 * issued (≥ last).
 *
 * - guess = min(max(clock(), last + 1), maxSeen + Δ): above `last`, so a
 *   writer's ids rise with its operations (§5 "Ids"), and never more than Δ
 *   above anything the client has seen, so the largest ts anywhere grows by
 *   at most Δ per write whatever the clocks do (a clock far ahead cannot
 *   exhaust the 40 bits in a few writes). The cap is why a client that saw
 *   no recent ts guesses *stale* even with synced clocks.
 * - fresh = maxSeen + 1 (W3, DM-ABD): above every ts the client saw.
 * - catch-up: reading a ts t ≥ clock() moves the offset so clock() = t + 1,
 *   so the fastest clock sets the pace (liveness only: safety never reads a
 *   clock).
 * - A ts ≥ 2^40 is never issued: `TimestampsExhausted` (fail-stop). A silent
 *   wrap would make the newest write the smallest one (`ts-wraps`).
 *
 * Safety does not depend on anything here but "issued ts > last" and "no
 * wrap"; skew and drift only decide how often a guess is stale.
 */
export interface TimestampClockConfig {
  /** Time units of the local clock per tick (> 0); the spec's default is RTT/3. */
  readonly tick: number;
  /** The local clock's reading at the deployment's start (ticks count from it); default 0. */
  readonly epoch?: number;
  /** Δ, the cap of a guess above maxSeen (≥ 1); default 1024. */
  readonly delta?: bigint;
  /** `ts-wraps`: a ts past 40 bits wraps (masked) instead of stopping the client. */
  readonly wraps?: boolean;
}

export const defaultDelta = 1024n;

/**
 * The operation would issue a ts ≥ 2^40: the client stops (spec §3:
 * fail-stop, never wrap; redeploy with a new epoch and fresh regions).
 * `outcomeUnknown`: thrown after the operation's first verbs (W3's y, whose
 * x may already be out), so the write may or may not take effect — recorded
 * like a crash; false: thrown before any verb (W1's guess), no effect.
 */
export class TimestampsExhausted extends Error {
  constructor(
    readonly timestamp: bigint,
    readonly outcomeUnknown = false,
  ) {
    super(`ts-exhausted: timestamp ${timestamp} does not fit in 40 bits; redeploy with a new epoch and fresh regions`);
    this.name = 'TimestampsExhausted';
  }
}

/** A guessed timestamp, and whether the Δ cap made it lower than the clock (a *stale* guess). */
export interface Guess {
  readonly timestamp: bigint;
  readonly stale: boolean;
}

export class TimestampClock {
  private issued = 0n;
  private seen = 0n;
  private offset = 0n;
  private readonly epoch: number;
  private readonly delta: bigint;

  constructor(
    private readonly localClock: () => number,
    private readonly config: TimestampClockConfig,
  ) {
    if (!(config.tick > 0) || !Number.isFinite(config.tick)) throw new RangeError(`tick ${config.tick} (accepted: a finite length > 0)`);
    this.epoch = config.epoch ?? 0;
    this.delta = config.delta ?? defaultDelta;
    if (this.delta < 1n) throw new RangeError(`delta ${this.delta} (accepted: 1 or more)`);
  }

  /** The largest ts this client issued. */
  get last(): bigint {
    return this.issued;
  }

  /** The largest ts this client read or issued. */
  get maxSeen(): bigint {
    return this.seen;
  }

  /** Ticks of the local clock since the epoch, plus the catch-up offset. */
  clock(): bigint {
    return BigInt(Math.floor((this.localClock() - this.epoch) / this.config.tick)) + this.offset;
  }

  /** W1's timestamp: issued (last and maxSeen raised) only if it fits; else `TimestampsExhausted` before any verb. */
  guess(): Guess {
    const clock = this.clock();
    const wanted = clock > this.issued + 1n ? clock : this.issued + 1n;
    const cap = this.seen + this.delta;
    const timestamp = wanted < cap ? wanted : cap;
    return { timestamp: this.issue(timestamp), stale: timestamp < clock };
  }

  /** W3's (and DM-ABD's) timestamp: maxSeen + 1. */
  fresh(): bigint {
    return this.issue(this.seen + 1n);
  }

  /** A ts read from a memory: raises maxSeen; catches the clock up when it is not behind the ts. */
  see(timestamp: bigint): void {
    if (timestamp > this.seen) this.seen = timestamp;
    const clock = this.clock();
    if (timestamp >= clock) this.offset += timestamp + 1n - clock;
  }

  private issue(timestamp: bigint): bigint {
    if (timestamp > timestampMax) {
      if (!this.config.wraps) throw new TimestampsExhausted(timestamp);
      // ts-wraps: the mask a silent setBigUint64 would apply (0 is ⊥, so it becomes 1).
      timestamp = timestamp & timestampMax || 1n;
    }
    if (timestamp > this.issued) this.issued = timestamp;
    if (timestamp > this.seen) this.seen = timestamp;
    return timestamp;
  }
}
