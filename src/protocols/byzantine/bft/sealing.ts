/**
 * Sealing (specs/bft-consensus.md §2.5.1–§2.5.3) as a small state machine
 * with pure transitions: the replica shell reports what happened (a trigger,
 * a COMMIT written, a CP held, a SEAL written, a view entered) and asks what
 * it may do (is (v, i) live? may it send COMMIT-FAST? what must it write
 * before SEAL?). No timers, no I/O.
 *
 * Why it is safe (§4, L3, the fast case): a correct replica sends
 * COMMIT-FAST(v, i) only while (v, i) is live, that is before its trigger;
 * at the trigger i therefore is in F (or covered), and §2.5.3 writes
 * COMMIT(v, i) or a covering CHECKPOINT before SEAL. So every correct member
 * of a NEW_VIEW's f+1 certified states, certified at its first SEAL ≥ v,
 * carries a trace of each fast decision. Two mutants show each half:
 * `certify-if-decided` (F = the instances r decided, not those it fast-
 * committed) and `seal-late` (instances stay live until SEAL is written, so
 * COMMIT-FASTs sent after F was taken leave no trace).
 */

export type SealingMutant = 'certify-if-decided' | 'seal-late';

/** Why a replica suspects the leader of its view (§2.5.1); all seal v. */
export type Suspicion = 'invalid-prepare' | 'invalid-new-view' | 'treq' | 'tdecide' | 'wasted-fresh-batch';

export type SealTrigger =
  /** In view v, a suspicion seals v (no effect unless r is in v). */
  | { readonly kind: 'suspicion'; readonly view: number; readonly reason: Suspicion }
  /** The latest SEAL of each replica (−1: none; r's own included or not, it changes nothing): f+1 of them ≥ u > sealed(r) seal the largest such u. */
  | { readonly kind: 'seals'; readonly latestSeals: readonly number[] }
  /** A valid NEW_VIEW(w) with w−1 > sealed(r) seals w−1. */
  | { readonly kind: 'new-view'; readonly view: number }
  /** Tview(u+1) expired: seals u+1 (`view` is u+1). */
  | { readonly kind: 'tview'; readonly view: number };

export type SealStep =
  /** Nothing to seal (in a view, or the latest target is written). */
  | { readonly action: 'none' }
  /** F is not empty: SHARE each i in it and COMMIT it once a PC is at hand (§2.4.6). */
  | { readonly action: 'wait'; readonly obligations: readonly number[] }
  /** CHECKPOINT r's newest CP (newer than ckpt(r)) before the SEAL. */
  | { readonly action: 'checkpoint'; readonly next: number }
  | { readonly action: 'seal'; readonly view: number };

/** The largest u with f+1 latest SEALs ≥ u (−1 when fewer than f+1 replicas have sealed). */
export function sealQuorumView(latestSeals: readonly number[], f: number): number {
  if (latestSeals.length < f + 1) return -1;
  return [...latestSeals].sort((a, b) => b - a)[f];
}

/**
 * True when a fresh batch of view v executed with every (c, s) skipped (even
 * an empty one): a correct leader proposes only pending requests, so this is
 * a suspicion (§2.5.1), which also stops a `stream-burner` leader.
 */
export function isWastedFreshBatch(instance: number, fixedEnd: number, requestsRun: number): boolean {
  return instance > fixedEnd && requestsRun === 0;
}

export interface SealingOptions {
  readonly f: number;
  readonly mutant?: SealingMutant;
}

export class SealingState {
  /** The view r last entered (0 at start). */
  private currentView = 0;
  /** Whether r is *in* currentView: from entering until a trigger (§2.4). */
  private inView = true;
  /** u being sealed, not written yet. */
  private target: number | null = null;
  /** sealed(r) in r's stream as written. */
  private sealedWritten = -1;
  /** ckpt(r).next in r's stream as written. */
  private checkpointWritten = 0;
  /** Next of the newest CP r holds from any source. */
  private newestCheckpoint = 0;
  /** fc[v]: instances of currentView at which r sent COMMIT-FAST. */
  private readonly fastCommits = new Set<number>();
  /** Instances of currentView r decided (only the `certify-if-decided` mutant looks at them). */
  private readonly decisions = new Set<number>();
  /** Instances whose COMMIT(currentView, i) is in r's stream as written. */
  private readonly commitsWritten = new Set<number>();
  /** F (§2.5.2). */
  private readonly obligations = new Set<number>();

  constructor(private readonly options: SealingOptions) {}

  /** r's view (the last entered), whether r is in it, and the view being sealed. */
  get status(): { readonly view: number; readonly inView: boolean; readonly sealing: number | null; readonly sealed: number } {
    return { view: this.currentView, inView: this.inView, sealing: this.target, sealed: this.sealedWritten };
  }

  /**
   * Whether (v, i) of `view` may be live (PREPARE accepted with effect,
   * PROMISE, COMMIT-FAST, fc growth, new timers): only while r is in that
   * view. The `seal-late` mutant keeps it live until SEAL is written.
   */
  isLive(view: number): boolean {
    if (view !== this.currentView) return false;
    if (this.inView) return true;
    return this.options.mutant === 'seal-late' && this.sealedWritten < view;
  }

  /** r is about to send COMMIT-FAST(v, i): allowed only while live; records fc[v] += i. */
  fastCommit(view: number, instance: number): boolean {
    if (!this.isLive(view)) return false;
    this.fastCommits.add(instance);
    return true;
  }

  /** r decided (v, i) (fast or slow). */
  decided(view: number, instance: number): void {
    if (view === this.currentView) this.decisions.add(instance);
  }

  /** r's stream as written now holds COMMIT(v, i): i leaves F. */
  committed(view: number, instance: number): void {
    if (view !== this.currentView) return;
    this.commitsWritten.add(instance);
    this.obligations.delete(instance);
  }

  /** r now holds a CP with this next (from any source): every i below it is covered and leaves F. */
  covered(next: number): void {
    if (next <= this.newestCheckpoint) return;
    this.newestCheckpoint = next;
    for (const instance of this.obligations) if (instance < next) this.obligations.delete(instance);
  }

  /** r's stream as written now holds CHECKPOINT(CP) with this next. */
  checkpointed(next: number): void {
    this.checkpointWritten = Math.max(this.checkpointWritten, next);
    this.covered(next);
  }

  /**
   * A trigger (§2.5.1). Returns the view u now being sealed, or null when
   * the trigger changes nothing: u must exceed sealed(r) and any u already
   * being sealed ("a later trigger raises u").
   */
  trigger(trigger: SealTrigger): number | null {
    let view: number;
    switch (trigger.kind) {
      case 'suspicion':
        if (!this.inView || trigger.view !== this.currentView) return null;
        view = trigger.view;
        break;
      case 'seals':
        view = sealQuorumView(trigger.latestSeals, this.options.f);
        break;
      case 'new-view':
        view = trigger.view - 1;
        break;
      case 'tview':
        view = trigger.view;
        break;
    }
    if (view <= this.sealedWritten || (this.target !== null && view <= this.target)) return null;
    if (this.inView) this.takeObligations();
    this.inView = false;
    this.target = view;
    return view;
  }

  /**
   * What r must do next to seal (§2.5.3): settle F, then CHECKPOINT its
   * newest CP if newer than ckpt(r), then SEAL(u).
   */
  readyToSeal(): SealStep {
    if (this.target === null) return { action: 'none' };
    if (this.obligations.size > 0) return { action: 'wait', obligations: [...this.obligations].sort((a, b) => a - b) };
    if (this.newestCheckpoint > this.checkpointWritten) return { action: 'checkpoint', next: this.newestCheckpoint };
    return { action: 'seal', view: this.target };
  }

  /** r's stream as written now holds SEAL(u): after it, nothing of a view ≤ u is written. */
  sealWritten(view: number): void {
    if (view <= this.sealedWritten) throw new RangeError(`SEAL(${view}) does not raise sealed(r) = ${this.sealedWritten}`);
    if (this.obligations.size > 0) throw new Error(`SEAL(${view}) written with F = {${[...this.obligations].join(', ')}} unsettled`);
    this.sealedWritten = view;
    if (this.target !== null && this.target <= view) this.target = null;
  }

  /**
   * Whether r may write a PREPARE, COMMIT or NEW_VIEW of `view`: only while
   * its stream as written has sealed(r) = view−1 (the epoch rule, §2.2; a
   * SEAL(u) ends every view ≤ u).
   */
  mayWriteInView(view: number): boolean {
    return this.sealedWritten === view - 1;
  }

  /**
   * r enters w (§2.6.5: latest SEAL w−1, a valid NEW_VIEW(w)). Returns
   * whether r is in w: not if a trigger already aims past w−1, since then
   * nothing of w may be live.
   */
  enter(view: number): boolean {
    if (this.sealedWritten !== view - 1) throw new RangeError(`entering ${view} needs latest SEAL ${view - 1}, not ${this.sealedWritten}`);
    this.currentView = view;
    this.fastCommits.clear();
    this.decisions.clear();
    this.commitsWritten.clear();
    this.obligations.clear();
    this.inView = this.target === null;
    return this.inView;
  }

  /** x of §2.5.4: r's view while in it, u while sealing u, u+1 after SEAL(u). */
  timerView(): number {
    if (this.inView) return this.currentView;
    if (this.target !== null) return this.target;
    return this.sealedWritten + 1;
  }

  /** F now (sorted). */
  pendingObligations(): number[] {
    return [...this.obligations].sort((a, b) => a - b);
  }

  /**
   * §2.5.2: F = the i ∈ fc[v] neither COMMITted in r's stream as written nor
   * covered by a CP r holds. The `certify-if-decided` mutant starts from the
   * decided instances instead of fc[v].
   */
  private takeObligations(): void {
    const source = this.options.mutant === 'certify-if-decided' ? this.decisions : this.fastCommits;
    for (const instance of source) {
      if (!this.commitsWritten.has(instance) && instance >= this.newestCheckpoint) this.obligations.add(instance);
    }
  }
}
