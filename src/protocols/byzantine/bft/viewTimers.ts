/**
 * The timeouts of specs/bft-consensus.md §2.5.4 as pure values and one
 * small rule object: initial values from the inequalities, and doubling of
 * Treq, Tdecide and Tview once per view number x in which one of them first
 * expired. Starting and stopping timers is the replica shell's job; this
 * module only says how long they are.
 *
 * Why (§4, liveness): after GST the delays are bounded but unknown; if a
 * view's timeouts are too short, a correct leader's view still ends on an
 * expiry, and the doubling makes the timeouts outgrow the delays after
 * finitely many views. Fixed timeouts (`fixed-timers`) let a Byzantine
 * replica that only withholds (a PROMISE, so every decision is slow) end
 * every view forever. Tslow and Tfwd do not double: they only pick a path
 * or a destination, and a too-short one costs messages, not progress.
 */

export type ViewTimer = 'view' | 'request' | 'decide' | 'slow' | 'forward' | 'fetch';

/** The six timeouts, in microseconds. */
export interface TimeoutsUs {
  /** Tview(u+1): from holding f+1 SEALs ≥ u until entering a view > u. */
  readonly viewUs: number;
  /** Treq: from receiving a pending REQ (restarting on entering a view), then suspect. */
  readonly requestUs: number;
  /** Tdecide: from promising an unsettled instance, then suspect. */
  readonly decideUs: number;
  /** Tslow: from promising an unsettled instance, then SHARE. */
  readonly slowUs: number;
  /** Tfwd: from receiving a pending REQ, then forward it to leader(v). */
  readonly forwardUs: number;
  /** Tfetch: between FETCHes to the next signer; Tdecide/(f+1). */
  readonly fetchUs: number;
}

export interface TimerInputs {
  /** D′: CB slow delivery (`mnm table broadcast`), in µs. */
  readonly slowDeliveryUs: number;
  /** One unit latency (a message delay), in µs: the "+4" of the inequalities counts these. */
  readonly unitUs: number;
  readonly slowUs: number;
  readonly forwardUs: number;
  readonly f: number;
}

/** Tfetch = Tdecide/(f+1), rounded down so that f+1 FETCHes (one reaches a correct signer) fit in one Tdecide. */
export function fetchTimeoutUs(decideUs: number, f: number): number {
  return Math.max(1, Math.floor(decideUs / (f + 1)));
}

/**
 * The smallest initial timeouts that keep §2.5.4's inequalities:
 * Tdecide ≥ Tslow + D′ + 4, Treq ≥ Tfwd + Tdecide + 4, Tview ≥ 2D′ + 4,
 * Tfetch = Tdecide/(f+1). With `mutant: 'fixed-timers'` Tdecide is Tslow + 1.
 */
export function initialTimeouts(inputs: TimerInputs, mutant?: 'fixed-timers'): TimeoutsUs {
  const { slowDeliveryUs, unitUs, slowUs, forwardUs, f } = inputs;
  for (const [name, value] of Object.entries({ slowDeliveryUs, unitUs, slowUs, forwardUs })) {
    if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`timer input ${name} must be positive, got ${value}`);
  }
  const decideUs = mutant === 'fixed-timers' ? slowUs + unitUs : slowUs + slowDeliveryUs + 4 * unitUs;
  return {
    viewUs: 2 * slowDeliveryUs + 4 * unitUs,
    requestUs: forwardUs + decideUs + 4 * unitUs,
    decideUs,
    slowUs,
    forwardUs,
    fetchUs: fetchTimeoutUs(decideUs, f),
  };
}

/** The inequalities of §2.5.4 that `timeouts` breaks (empty: all hold). */
export function brokenInequalities(timeouts: TimeoutsUs, inputs: TimerInputs): string[] {
  const broken: string[] = [];
  const { slowDeliveryUs: d, unitUs: unit } = inputs;
  if (timeouts.decideUs < timeouts.slowUs + d + 4 * unit) broken.push('Tdecide ≥ Tslow + D′ + 4');
  if (timeouts.requestUs < timeouts.forwardUs + timeouts.decideUs + 4 * unit) broken.push('Treq ≥ Tfwd + Tdecide + 4');
  if (timeouts.viewUs < 2 * d + 4 * unit) broken.push('Tview ≥ 2D′ + 4');
  if (timeouts.fetchUs !== fetchTimeoutUs(timeouts.decideUs, inputs.f)) broken.push('Tfetch = Tdecide/(f+1)');
  return broken;
}

/** The view u+1 whose Tview runs: r's latest SEAL u and f others' ≥ u (r's too, §2.5.4); null while fewer than f+1 have sealed. */
export function viewTimerTarget(latestSeals: readonly number[], self: number, f: number): number | null {
  const own = latestSeals[self];
  if (own === undefined || own < 0) return null;
  const others = latestSeals.filter((_, process) => process !== self).sort((a, b) => b - a);
  if (f === 0) return own + 1;
  const fth = others[f - 1];
  if (fth === undefined || fth < 0) return null;
  return Math.min(own, fth) + 1;
}

/**
 * The current timeouts of one replica. `expired(timer, x)` reports an
 * expiry in view number x (r's view, or the view it seals, or u+1 after
 * SEAL(u): SealingState.timerView()); the first expiry of Tview, Treq or
 * Tdecide per x doubles all three. x never decreases at a replica, so
 * remembering the last x that doubled is the same as remembering them all.
 */
export class ViewTimeouts {
  private timeouts: TimeoutsUs;
  private lastDoubledView = -1;

  constructor(
    initial: TimeoutsUs,
    private readonly f: number,
    private readonly mutant?: 'fixed-timers',
  ) {
    this.timeouts = initial;
  }

  get current(): TimeoutsUs {
    return this.timeouts;
  }

  /** Reports an expiry; returns whether it doubled Tview, Treq and Tdecide. */
  expired(timer: ViewTimer, view: number): boolean {
    if (timer !== 'view' && timer !== 'request' && timer !== 'decide') return false;
    if (this.mutant === 'fixed-timers' || view <= this.lastDoubledView) return false;
    this.lastDoubledView = view;
    const double = (value: number): number => Math.min(Number.MAX_SAFE_INTEGER, value * 2);
    const decideUs = double(this.timeouts.decideUs);
    this.timeouts = {
      ...this.timeouts,
      viewUs: double(this.timeouts.viewUs),
      requestUs: double(this.timeouts.requestUs),
      decideUs,
      fetchUs: fetchTimeoutUs(decideUs, this.f),
    };
    return true;
  }
}

/**
 * Variants of the request timers (§2.4.8) that break liveness on purpose
 * (§6). `old-treq`: Treq is not restarted on entering a view, so a REQ whose
 * Treq ran out while no view was live (or in an earlier view) has no timer
 * in the new one, and a leader that censors it is never suspected.
 * `fifo-treq`: one Treq per (c, s) instead of per client's newest REQ, so a
 * flooding client's superseded requests (never executed themselves) each
 * run out and end a correct leader's view.
 */
export type RequestTimerMutant = 'old-treq' | 'fifo-treq';

/** What the request timers are kept by: the client (one pending REQ each), or (c, s) under `fifo-treq`. */
export function requestTimerKey(request: { readonly client: number; readonly sequence: number }, mutant?: RequestTimerMutant): string {
  return mutant === 'fifo-treq' ? `${request.client}/${request.sequence}` : `${request.client}`;
}

/** Whether entering a view restarts a running Treq (§2.4.8: it does; not under `old-treq`). */
export function restartsTreqOnEntering(mutant?: RequestTimerMutant): boolean {
  return mutant !== 'old-treq';
}

/**
 * Whether an expired Treq of `request` is a suspicion: it is still c's
 * pending (highest-s) REQ; under `fifo-treq`, whenever (c, s) itself is not
 * executed, superseded or not.
 */
export function treqStillDue(request: { readonly client: number; readonly sequence: number }, stillPending: boolean, executed: boolean, mutant?: RequestTimerMutant): boolean {
  return mutant === 'fifo-treq' ? !executed : stillPending;
}
