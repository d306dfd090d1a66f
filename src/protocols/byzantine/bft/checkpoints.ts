import type { CheckpointStatement } from '../../../crypto/index.js';
import { assemble, validCheckpointCertificate, type VerifyShare } from './certificates.js';
import type { CheckpointCertificate, CheckpointShareMessage, Hash, Snapshot } from './messages.js';
import { snapshotBytes, snapshotDigest } from './stateCodec.js';
import type { Quorum } from './viewChange.js';
import { sameBytes } from '../slot.js';

/**
 * Checkpoints and state transfer (specs/bft-consensus.md §2.7) as pure
 * decisions: when to send a CKPT-SHARE, how shares become a CP, which
 * snapshots to keep, when and whom to FETCH, how to answer a FETCH, and
 * whether a STATE may be installed.
 *
 * Why it is safe (§4, agreement, below start): a CP has a correct signer, so
 * its digest is a correct replica's executed prefix (L2); a replica installs
 * only a snapshot matching a valid CP's digest and only *forward*
 * (CP′.next > executed+1 at install), so no instance runs twice
 * (`install-back`). Why it is live: a replica keeps every snapshot from the
 * newest CP it holds up to what it executed, so a correct signer of a newer
 * CP that it has not seen yet can still answer a FETCH for it
 * (`hold-only-snapshot`).
 */

export type CheckpointMutant = 'install-back' | 'hold-only-snapshot';

/** The state-transfer cap of the tests (§2.7.2): one STATE message carries the whole snapshot. */
export const snapshotLimitBytes = 64 * 1024;

/** Whether `next` is a checkpoint point: next ≡ 0 mod W/2, next > 0 (CP(0) would cover nothing). */
export function isCheckpointPoint(next: number, window: number): boolean {
  return next > 0 && next % (window / 2) === 0;
}

/**
 * §2.7.1: after executing `executed` (so next = executed+1), the CKPT-SHARE
 * to sign and send to all, if next is a checkpoint point; d = H(snapshot).
 */
export function checkpointShareAfter(executed: number, snapshot: Snapshot, window: number): CheckpointStatement | null {
  const next = executed + 1;
  if (!isCheckpointPoint(next, window)) return null;
  return { purpose: 'checkpoint', next, digest: snapshotDigest(snapshot) };
}

/** `snapshot-full` when the snapshot's encoding is past the cap: a correct replica then ends the run (sizing, apart from safety and liveness). */
export function snapshotVerdict(snapshot: Snapshot, limitBytes = snapshotLimitBytes): { readonly verdict: 'fits' | 'snapshot-full'; readonly sizeBytes: number } {
  const sizeBytes = snapshotBytes(snapshot).length;
  return { verdict: sizeBytes > limitBytes ? 'snapshot-full' : 'fits', sizeBytes };
}

export type CheckpointShareVerdict = 'counted' | 'certified' | 'duplicate' | 'invalid' | 'stale' | 'too-far';

/**
 * Gathers CKPT-SHAREs into CPs: f+1 matching (next, d) of distinct replicas.
 * A sender counts once per next (§2.8's key), and only nexts in
 * (N, N+2W] are taken (N: the newest CP held; a correct replica executes no
 * further ahead), so a Byzantine replica cannot fill memory with digests.
 */
export class CheckpointShareCollector {
  private readonly byNext = new Map<number, Map<string, { digest: Hash; signatures: Map<number, Uint8Array> }>>();
  private readonly senders = new Map<number, Set<number>>();
  private newest = 0;

  constructor(
    private readonly quorum: Quorum,
    private readonly verify: VerifyShare,
  ) {}

  add(sender: number, share: CheckpointShareMessage): { verdict: CheckpointShareVerdict; checkpoint?: CheckpointCertificate } {
    const { next, digest, signature } = share;
    if (!Number.isInteger(sender) || sender < 0 || sender >= this.quorum.n) return { verdict: 'invalid' };
    if (!isCheckpointPoint(next, this.quorum.window) || digest.length !== 32) return { verdict: 'invalid' };
    if (next <= this.newest) return { verdict: 'stale' };
    if (next > this.newest + 2 * this.quorum.window) return { verdict: 'too-far' };
    if (this.senders.get(next)?.has(sender)) return { verdict: 'duplicate' };
    if (!this.verify(sender, { purpose: 'checkpoint', next, digest }, signature)) return { verdict: 'invalid' };
    const seen = this.senders.get(next) ?? new Set<number>();
    seen.add(sender);
    this.senders.set(next, seen);
    const groups = this.byNext.get(next) ?? new Map();
    this.byNext.set(next, groups);
    const key = Buffer.from(digest).toString('hex');
    const group = groups.get(key) ?? { digest, signatures: new Map<number, Uint8Array>() };
    groups.set(key, group);
    group.signatures.set(sender, signature);
    const shares = assemble(group.signatures, this.quorum.f);
    if (!shares) return { verdict: 'counted' };
    const checkpoint = { next, digest, shares };
    this.held(next);
    return { verdict: 'certified', checkpoint };
  }

  /** r holds a CP with this next (made here or read elsewhere): shares at or below it are no longer needed. */
  held(next: number): void {
    if (next <= this.newest) return;
    this.newest = next;
    for (const key of [...this.byNext.keys()]) if (key <= next) this.byNext.delete(key);
    for (const key of [...this.senders.keys()]) if (key <= next) this.senders.delete(key);
  }

  /** Shares held, for bounds in tests. */
  get size(): number {
    let count = 0;
    for (const groups of this.byNext.values()) for (const group of groups.values()) count += group.signatures.size;
    return count;
  }
}

/** The newest of some CPs (none: null, standing for next 0). */
export function newestCheckpoint(checkpoints: readonly (CheckpointCertificate | null | undefined)[]): CheckpointCertificate | null {
  let newest: CheckpointCertificate | null = null;
  for (const cp of checkpoints) if (cp && cp.next > (newest?.next ?? 0)) newest = cp;
  return newest;
}

/** Most snapshots kept at once (§2.7.1): the points N, N+W/2, …, N+2W, since decided i < N + 2W. */
export const snapshotsKeptMax = 5;

/**
 * §2.7.1: r keeps the snapshot at each checkpoint point next ≥ N it
 * executed (N: next of the newest CP it holds) and drops those below N. The
 * `hold-only-snapshot` mutant keeps only the latest.
 */
export class SnapshotStore {
  private readonly kept = new Map<number, Snapshot>();
  private floor = 0;

  constructor(
    private readonly window: number,
    private readonly mutant?: CheckpointMutant,
  ) {}

  /** r executed up to next−1 at a checkpoint point: keep its snapshot. */
  keep(next: number, snapshot: Snapshot): void {
    if (!isCheckpointPoint(next, this.window)) throw new RangeError(`no snapshot is kept at ${next}: not a multiple of W/2 = ${this.window / 2}`);
    if (next < this.floor) return;
    if (this.mutant === 'hold-only-snapshot') this.kept.clear();
    if (!this.kept.has(next) && this.kept.size >= snapshotsKeptMax) throw new Error(`a snapshot at ${next} would be the ${snapshotsKeptMax + 1}th kept from N = ${this.floor}: decided instances run past N + 2W`);
    this.kept.set(next, snapshot);
  }

  /** r now holds a CP with next N: snapshots below N go (the caller drops its other local state below N too). */
  newestHeld(next: number): void {
    if (next <= this.floor) return;
    this.floor = next;
    for (const key of [...this.kept.keys()]) if (key < next) this.kept.delete(key);
  }

  /** r installed a STATE for CP′: its snapshot is the one at CP′.next. */
  installed(next: number, snapshot: Snapshot): void {
    this.newestHeld(next);
    this.kept.set(next, snapshot);
  }

  snapshotAt(next: number): Snapshot | undefined {
    return this.kept.get(next);
  }

  /** The points kept, ascending. */
  points(): number[] {
    return [...this.kept.keys()].sort((a, b) => a - b);
  }
}

export type FetchAnswer =
  | { readonly type: 'state'; readonly checkpoint: CheckpointCertificate; readonly snapshot: Snapshot }
  | { readonly type: 'have-cp'; readonly checkpoint: CheckpointCertificate };

/**
 * §2.7.2: answer a FETCH(CP) with STATE(CP′, snapshot) for the newest CP′
 * held (the FETCH's CP counts as held) if its snapshot is kept, else with
 * HAVE-CP(CP′): one message either way, nothing to assemble.
 */
export function answerFetch(fetched: CheckpointCertificate, newestHeld: CheckpointCertificate | null, snapshotAt: (next: number) => Snapshot | undefined): FetchAnswer {
  const checkpoint = newestCheckpoint([newestHeld, fetched]) ?? fetched;
  const snapshot = snapshotAt(checkpoint.next);
  return snapshot ? { type: 'state', checkpoint, snapshot } : { type: 'have-cp', checkpoint };
}

/**
 * §2.7.2: fetch when holding a CP covering executed+1 (CP.next > executed+1)
 * and some undecided i < CP.next (else r will execute up to it by itself).
 */
export function needsFetch(cp: CheckpointCertificate | null, executed: number, undecidedBelowCheckpoint: boolean): boolean {
  return cp !== null && cp.next > executed + 1 && undecidedBelowCheckpoint;
}

/** One FETCH sent: to whom, for which CP. */
export interface FetchSent {
  readonly target: number;
  readonly checkpoint: CheckpointCertificate;
}

/**
 * The FETCH rotation of §2.7.2: FETCH(CP) at once to a signer of CP, then
 * every Tfetch to the next, rotating; each FETCH stays outstanding until
 * executed+1 ≥ its CP.next. With f+1 signers, one is correct, so within
 * (f+1)·Tfetch ≤ Tdecide a FETCH reaches one that can answer.
 */
export class FetchRotation {
  private readonly outstanding: FetchSent[] = [];
  private current: { checkpoint: CheckpointCertificate; targets: number[]; index: number } | null = null;

  constructor(private readonly self: number) {}

  /** r holds `cp` and needsFetch says so: the FETCH to send now, unless one for a CP at least as new is rotating already. */
  start(cp: CheckpointCertificate): FetchSent | null {
    if (this.current && this.current.checkpoint.next >= cp.next) return null;
    const targets = cp.shares.map((share) => share.signer).filter((signer) => signer !== this.self);
    if (targets.length === 0) return null;
    this.current = { checkpoint: cp, targets, index: 0 };
    return this.send();
  }

  /** Tfetch expired: the next signer, rotating (null when nothing is being fetched). */
  tick(): FetchSent | null {
    if (!this.current) return null;
    this.current.index = (this.current.index + 1) % this.current.targets.length;
    return this.send();
  }

  /** r executed up to `executed` (or installed): FETCHes with executed+1 ≥ CP.next are no longer outstanding. */
  executedUpTo(executed: number): void {
    for (let index = this.outstanding.length - 1; index >= 0; index--) {
      if (executed + 1 >= this.outstanding[index].checkpoint.next) this.outstanding.splice(index, 1);
    }
    if (this.current && executed + 1 >= this.current.checkpoint.next) this.current = null;
  }

  /** Whether `sender` is the target of an outstanding FETCH. */
  isOutstandingTarget(sender: number): boolean {
    return this.outstanding.some((sent) => sent.target === sender);
  }

  /** Whether a rotation is running (Tfetch should be armed). */
  get fetching(): boolean {
    return this.current !== null;
  }

  private send(): FetchSent {
    const { checkpoint, targets, index } = this.current!;
    const sent = { target: targets[index], checkpoint };
    if (!this.outstanding.some((other) => other.target === sent.target && other.checkpoint.next === checkpoint.next)) this.outstanding.push(sent);
    return sent;
  }
}

export type InstallDecision =
  | { readonly install: true; readonly executed: number; readonly skip: { readonly from: number; readonly to: number } }
  | { readonly install: false; readonly reason: string };

/**
 * §2.7.2: take STATE(CP′, snapshot) only from an outstanding FETCH's target;
 * install iff CP′ is valid, H(snapshot) = CP′.d and CP′.next > executed+1 at
 * install. Installing sets executed := CP′.next−1 and notes the skip. The
 * `install-back` mutant drops the last condition.
 */
export function installDecision(
  input: {
    readonly sender: number;
    readonly checkpoint: CheckpointCertificate;
    readonly snapshot: Snapshot;
    readonly executed: number;
    readonly rotation: Pick<FetchRotation, 'isOutstandingTarget'>;
  },
  quorum: Quorum,
  verify: VerifyShare,
  mutant?: CheckpointMutant,
): InstallDecision {
  const { sender, checkpoint, snapshot, executed } = input;
  if (!input.rotation.isOutstandingTarget(sender)) return { install: false, reason: `p${sender} is not the target of an outstanding FETCH` };
  if (mutant !== 'install-back' && !(checkpoint.next > executed + 1)) return { install: false, reason: `CP(${checkpoint.next}) does not move past executed+1 = ${executed + 1}` };
  if (!validCheckpointCertificate(checkpoint, quorum, verify)) return { install: false, reason: `CP(${checkpoint.next}) is not valid` };
  if (!sameBytes(snapshotDigest(snapshot), checkpoint.digest)) return { install: false, reason: `the snapshot does not hash to CP(${checkpoint.next})'s digest` };
  return { install: true, executed: checkpoint.next - 1, skip: { from: executed + 1, to: checkpoint.next - 1 } };
}
