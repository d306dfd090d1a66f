import { batchHash } from './codec.js';
import { leaderOf } from './viewChange.js';
import type { BftMutant } from './mutants.js';
import type { Batch, CheckpointCertificate, CommitMessage, Hash, NewViewMessage, PrepareCertificate, PrepareMessage, Request, StreamMessage, VcState } from './messages.js';

/**
 * Σp of specs/bft-consensus.md §2.2: what a replica derives from sender p's
 * CB stream, fed p's stream messages in k order. It depends on the stream's
 * prefix alone, never on the reader's local state (its view, its drops), so
 * every correct reader that processed the same prefix holds the same Σp —
 * what L1 (one batch per (v, i)) and the VC certificates (L2) rest on.
 *
 * Checks that cost a signature verification (PCs, CPs, client signatures)
 * and the NEW_VIEW's validation and `fixed` computation come in as
 * functions and values (the shell caches verifications so that none is made
 * twice; newView.ts computes `fixed`).
 */

export interface StreamRules {
  readonly n: number;
  readonly f: number;
  /** W: proposals run at most W instances past the leader's checkpoint; COMMITs 2W. */
  readonly window: number;
  /** β: requests per batch. */
  readonly batchLimit: number;
  /** A PC on (prepare, v, i, h) of f+1 distinct valid signers (certificates.ts). */
  readonly validPrepareCertificate: (pc: PrepareCertificate) => boolean;
  /** A CP on (checkpoint, next, d), next ≡ 0 mod W/2. */
  readonly validCheckpoint: (cp: CheckpointCertificate) => boolean;
  /** A configured client's request, op within the limit, σc valid. */
  readonly validRequest: (request: Request) => boolean;
  /** A deliberately broken variant (mutants.ts): `unchecked-commit-pc`, `late-commit-counts` bend valid(COMMIT). */
  readonly mutant?: BftMutant;
}

/** The NEW_VIEW(v)'s fixed batches (§2.6.4): instances start..end re-proposed with these hashes. */
export interface FixedBatches {
  readonly start: number;
  /** start − 1 when nothing is fixed. */
  readonly end: number;
  readonly fixed: ReadonlyMap<number, Hash>;
}

// One leader(v) for the whole protocol (viewChange.ts owns it); re-exported for the stream's readers.
export { leaderOf };

/** p's state as leader of one epoch (view v with p = leader(v)). */
export interface LeaderEpoch {
  readonly view: number;
  /** View 0 needs none; later views: p's first NEW_VIEW(v), valid, with its fixed batches. */
  newView: FixedBatches | undefined;
  /** The instance the next PREPARE must carry. */
  next: number;
  /** An invalid PREPARE or NEW_VIEW closed the epoch: nothing of it is accepted any more. */
  closed: boolean;
  /** acc[v][i] = H(batch) of each accepted PREPARE, with its batch (kept for execution and BATCH). */
  readonly accepted: Map<number, { readonly hash: Hash; readonly batch: Batch }>;
}

/** One commits(p) entry: the highest-view valid COMMIT at an instance, with its batch (a slow decider reads it there). */
export interface StreamCommit {
  readonly view: number;
  readonly hash: Hash;
  readonly batch: Batch;
}

/** What processing one stream message did. */
export type StreamOutcome =
  | { readonly kind: 'accepted'; readonly view: number; readonly instance: number; readonly hash: Hash; readonly batch: Batch }
  /** An invalid PREPARE or NEW_VIEW from the leader in its epoch: the epoch is closed (a reader in v suspects). */
  | { readonly kind: 'closed'; readonly view: number; readonly reason: string }
  | { readonly kind: 'commit'; readonly view: number; readonly instance: number; readonly hash: Hash; readonly batch: Batch }
  | { readonly kind: 'sealed'; readonly view: number }
  | { readonly kind: 'new-view'; readonly view: number; readonly fixed: FixedBatches }
  | { readonly kind: 'checkpoint'; readonly next: number }
  /** Ill-formed or without effect (wrong epoch, stale, a repeated NEW_VIEW): counts for nothing. */
  | { readonly kind: 'ignored'; readonly reason: string };

const zeroDigest = new Uint8Array(32);

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** Whether a batch fits (§2.4.2): at most β requests, each (c, s) once, each a valid signed request. */
export function batchProblem(batch: Batch, rules: Pick<StreamRules, 'batchLimit' | 'validRequest'>): string | undefined {
  if (batch.length > rules.batchLimit) return `batch of ${batch.length} requests (at most ${rules.batchLimit})`;
  const seen = new Set<string>();
  for (const request of batch) {
    const key = `${request.client}/${request.sequence}`;
    if (seen.has(key)) return `request (${key}) twice in one batch`;
    seen.add(key);
  }
  for (const request of batch) if (!rules.validRequest(request)) return `request (${request.client}/${request.sequence}) not validly signed`;
  return undefined;
}

/**
 * §2.4.2's acceptance rule for a PREPARE of p's epoch (the epoch rule and
 * p = leader(v) already hold): after the NEW_VIEW if v > 0, not closed, i
 * next, H(B) = fixed[i] for i ≤ end, else i < ckpt(p).next + W, B fits.
 * Returns the batch's hash, or why the PREPARE is invalid.
 */
export function judgePrepare(epoch: LeaderEpoch, message: PrepareMessage, checkpointNext: number, rules: Pick<StreamRules, 'window' | 'batchLimit' | 'validRequest'>): { readonly hash: Hash } | { readonly problem: string } {
  if (epoch.closed) return { problem: 'epoch closed' };
  if (epoch.view > 0 && epoch.newView === undefined) return { problem: `PREPARE of view ${epoch.view} before its NEW_VIEW` };
  if (message.instance !== epoch.next) return { problem: `PREPARE at ${message.instance} where ${epoch.next} is next` };
  const hash = batchHash(message.batch);
  const fixed = epoch.newView;
  if (fixed && message.instance <= fixed.end) {
    const expected = fixed.fixed.get(message.instance);
    if (!expected || !sameHash(expected, hash)) return { problem: `PREPARE at ${message.instance} re-proposes another batch than the NEW_VIEW fixed` };
  } else if (message.instance >= checkpointNext + rules.window) {
    return { problem: `PREPARE at ${message.instance} beyond the window (checkpoint ${checkpointNext} + W ${rules.window})` };
  }
  const problem = batchProblem(message.batch, rules);
  if (problem) return { problem };
  return { hash };
}

/**
 * valid(COMMIT(v, i, B, PC)) of §2.2: the epoch rule (sealed(p) = v−1),
 * ckpt(p).next ≤ i < ckpt(p).next + 2W, B fits, and a PC on
 * (prepare, v, i, H(B)). Returns H(B), or why it does not count.
 */
export function judgeCommit(message: CommitMessage, sealed: number, checkpointNext: number, rules: Pick<StreamRules, 'window' | 'batchLimit' | 'validRequest' | 'validPrepareCertificate' | 'mutant'>): { readonly hash: Hash } | { readonly problem: string } {
  // The `late-commit-counts` mutant still counts a COMMIT of v written after the sender's SEAL(v) (outside its epoch).
  if (rules.mutant === 'late-commit-counts' ? sealed < message.view - 1 : sealed !== message.view - 1) return { problem: `COMMIT of view ${message.view} in epoch ${sealed + 1}` };
  if (message.instance < checkpointNext || message.instance >= checkpointNext + 2 * rules.window) return { problem: `COMMIT at ${message.instance} outside [${checkpointNext}, ${checkpointNext + 2 * rules.window})` };
  const hash = batchHash(message.batch);
  const pc = message.certificate;
  if (pc.view !== message.view || pc.instance !== message.instance || !sameHash(pc.hash, hash)) return { problem: 'PC for another (v, i, h)' };
  const problem = batchProblem(message.batch, rules);
  if (problem) return { problem };
  if (rules.mutant !== 'unchecked-commit-pc' && !rules.validPrepareCertificate(pc)) return { problem: 'invalid PC' };
  return { hash };
}

/** Σp: one sender's stream as every correct reader derives it. */
export class StreamState {
  /** sealed(p): the view of p's latest SEAL, −1 before the first. */
  private sealedView = -1;
  private checkpointCertificate: CheckpointCertificate | null = null;
  private readonly commitEntries = new Map<number, StreamCommit>();
  private readonly epochs = new Map<number, LeaderEpoch>();

  constructor(
    readonly sender: number,
    private readonly rules: StreamRules,
  ) {
    if (leaderOf(0, rules.n) === sender) this.epochs.set(0, { view: 0, newView: undefined, next: 0, closed: false, accepted: new Map() });
  }

  get sealed(): number {
    return this.sealedView;
  }

  /** ckpt(p): the highest valid CP in p's CHECKPOINTs, or null (next 0). */
  get checkpoint(): CheckpointCertificate | null {
    return this.checkpointCertificate;
  }

  get checkpointNext(): number {
    return this.checkpointCertificate?.next ?? 0;
  }

  /** commits(p): per i ≥ ckpt(p).next, the highest-view valid COMMIT. */
  get commits(): ReadonlyMap<number, StreamCommit> {
    return this.commitEntries;
  }

  /** p's epoch as leader of `view`, if p leads it and the epoch began. */
  epoch(view: number): LeaderEpoch | undefined {
    return this.epochs.get(view);
  }

  /** acc[v][i], with its batch. */
  accepted(view: number, instance: number): { readonly hash: Hash; readonly batch: Batch } | undefined {
    return this.epochs.get(view)?.accepted.get(instance);
  }

  /** vcState(p) = ((ckpt(p).next, d), commits(p)), commits sorted by instance. */
  vcState(): VcState {
    const commits = [...this.commitEntries.entries()].sort((a, b) => a[0] - b[0]).map(([instance, entry]) => ({ instance, view: entry.view, hash: entry.hash }));
    return { checkpointNext: this.checkpointNext, checkpointDigest: this.checkpointCertificate?.digest ?? zeroDigest, commits };
  }

  /**
   * Processes p's next stream message. `judgeNewView` validates a NEW_VIEW
   * (§2.6.3) and computes its fixed batches (§2.6.4), or returns undefined
   * for an invalid one; it is called only for the epoch's first NEW_VIEW.
   */
  process(message: StreamMessage, judgeNewView: (message: NewViewMessage) => FixedBatches | undefined): StreamOutcome {
    switch (message.type) {
      case 'prepare':
        return this.processPrepare(message);
      case 'commit':
        return this.processCommit(message);
      case 'seal':
        if (message.view <= this.sealedView) return { kind: 'ignored', reason: `SEAL(${message.view}) not above sealed ${this.sealedView}` };
        this.sealedView = message.view;
        return { kind: 'sealed', view: message.view };
      case 'new-view':
        return this.processNewView(message, judgeNewView);
      case 'checkpoint':
        return this.processCheckpoint(message.checkpoint);
    }
  }

  private processPrepare(message: PrepareMessage): StreamOutcome {
    if (leaderOf(message.view, this.rules.n) !== this.sender) return { kind: 'ignored', reason: `p${this.sender} does not lead view ${message.view}` };
    if (this.sealedView !== message.view - 1) return { kind: 'ignored', reason: `PREPARE of view ${message.view} in epoch ${this.sealedView + 1}` };
    const epoch = this.epochFor(message.view);
    if (epoch.closed) return { kind: 'ignored', reason: `epoch ${message.view} closed` };
    const verdict = judgePrepare(epoch, message, this.checkpointNext, this.rules);
    if ('problem' in verdict) {
      epoch.closed = true;
      return { kind: 'closed', view: message.view, reason: verdict.problem };
    }
    epoch.accepted.set(message.instance, { hash: verdict.hash, batch: message.batch });
    epoch.next = message.instance + 1;
    return { kind: 'accepted', view: message.view, instance: message.instance, hash: verdict.hash, batch: message.batch };
  }

  private processCommit(message: CommitMessage): StreamOutcome {
    const verdict = judgeCommit(message, this.sealedView, this.checkpointNext, this.rules);
    if ('problem' in verdict) return { kind: 'ignored', reason: verdict.problem };
    const known = this.commitEntries.get(message.instance);
    if (!known || known.view < message.view) this.commitEntries.set(message.instance, { view: message.view, hash: verdict.hash, batch: message.batch });
    return { kind: 'commit', view: message.view, instance: message.instance, hash: verdict.hash, batch: message.batch };
  }

  private processNewView(message: NewViewMessage, judgeNewView: (message: NewViewMessage) => FixedBatches | undefined): StreamOutcome {
    if (message.view === 0 || leaderOf(message.view, this.rules.n) !== this.sender) return { kind: 'ignored', reason: `p${this.sender} cannot open view ${message.view}` };
    if (this.sealedView !== message.view - 1) return { kind: 'ignored', reason: `NEW_VIEW(${message.view}) in epoch ${this.sealedView + 1}` };
    const epoch = this.epochFor(message.view);
    // Only the epoch's first NEW_VIEW counts.
    if (epoch.newView !== undefined || epoch.closed) return { kind: 'ignored', reason: `a second NEW_VIEW(${message.view})` };
    const fixed = judgeNewView(message);
    if (!fixed) {
      epoch.closed = true;
      return { kind: 'closed', view: message.view, reason: 'invalid NEW_VIEW' };
    }
    epoch.newView = fixed;
    epoch.next = fixed.start;
    return { kind: 'new-view', view: message.view, fixed };
  }

  private processCheckpoint(cp: CheckpointCertificate): StreamOutcome {
    if (cp.next <= this.checkpointNext) return { kind: 'ignored', reason: `CP(${cp.next}) not newer than ${this.checkpointNext}` };
    if (!this.rules.validCheckpoint(cp)) return { kind: 'ignored', reason: `invalid CP(${cp.next})` };
    this.checkpointCertificate = cp;
    // Below the checkpoint nothing is kept: commits(p) and acc start at ckpt(p).next.
    for (const instance of [...this.commitEntries.keys()]) if (instance < cp.next) this.commitEntries.delete(instance);
    for (const epoch of this.epochs.values()) for (const instance of [...epoch.accepted.keys()]) if (instance < cp.next) epoch.accepted.delete(instance);
    return { kind: 'checkpoint', next: cp.next };
  }

  private epochFor(view: number): LeaderEpoch {
    let epoch = this.epochs.get(view);
    if (!epoch) {
      epoch = { view, newView: undefined, next: 0, closed: false, accepted: new Map() };
      this.epochs.set(view, epoch);
    }
    return epoch;
  }
}
