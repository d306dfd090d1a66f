import type { CommitMessage, PointMessage, StateMessage, StreamMessage, VcShareMessage } from '../messages.js';
import type { StreamOutcome } from '../streamState.js';
import { vcStateStatement } from '../viewChange.js';
import { ByzantineStrategy, forgedSignature, otherHash } from './strategy.js';

/**
 * Byzantine followers of bft (specs/bft-consensus.md §6), placed at
 * followers of view 0 (p(n−1) down). Each reports the effect it sees: a
 * correct replica driven to the slow path (its SHARE arrives), a stream
 * message of ours every correct reader refuses (Σp's outcome on our own
 * stream), a correct replica signing for our flood, a view opened without
 * us. What stops each is in docs/bft.md ("Adversaries").
 */

/** PROMISEs and COMMIT-FASTs to the leader only: drops them towards the other followers. */
function toLeaderOnly(strategy: { leaderOf(view: number): number }, to: number, message: PointMessage): readonly PointMessage[] {
  if ((message.type === 'promise' || message.type === 'commit-fast') && to !== strategy.leaderOf(message.view)) return [];
  return [message];
}

abstract class FollowerStrategy extends ByzantineStrategy {
  protected abstract readonly cause: string;

  leaderOf(view: number): number {
    return this.leader(view);
  }

  observePoint(from: number, message: PointMessage): void {
    this.slowEvidence(from, message, this.cause);
  }

  observeStream(sender: number, message: StreamMessage, outcome: StreamOutcome): void {
    this.refusedEvidence(sender, message, outcome);
  }
}

/** Promises the accepted batch to the leader and another batch to the other followers (COMMIT-FASTs too). */
export class DoublePromise extends FollowerStrategy {
  readonly name = 'double-promise';
  protected readonly cause = 'our PROMISE to it named another batch';

  point(to: number, message: PointMessage): readonly PointMessage[] {
    if ((message.type === 'promise' || message.type === 'commit-fast') && to !== this.leader(message.view)) return [{ ...message, hash: otherHash(message.hash) }];
    return [message];
  }
}

/** PROMISE and COMMIT-FAST to the leader only. */
export class LeaderOnlyFast extends FollowerStrategy {
  readonly name = 'leader-only-fast';
  protected readonly cause = 'our PROMISE went to the leader only';

  point(to: number, message: PointMessage): readonly PointMessage[] {
    return toLeaderOnly(this, to, message);
  }
}

/**
 * Votes for the leader alone and leaves no trace: COMMIT-FAST and SHARE go
 * to the leader of their view only, PROMISE too for half the instances
 * (drawn per instance; for the others everyone gets it, so the followers
 * may fast-commit what only the leader sees decided), and it writes no COMMIT (not
 * even those sealing owes for the instances it fast-committed). The leader
 * can decide with our help while the other followers see neither the fast
 * path complete nor our share for their slow path (§6's "b promises to p0
 * only"); if the leader then stops, they seal, and our certified state
 * carries nothing of that decision. What keeps it safe is that a fast
 * decision needs every correct replica's COMMIT-FAST, each of which puts
 * the instance in that replica's F (L3; mutants `fast-f+1`,
 * `certify-if-decided`, `seal-late`).
 */
export class LeaderFavouring extends FollowerStrategy {
  readonly name = 'leader-favouring';
  protected readonly cause = 'our votes went to the leader only';

  /** Per (v, i), drawn once: whether our PROMISE goes to everyone (then only the COMMIT-FAST is the leader's alone). */
  private readonly promiseToAll = new Map<string, boolean>();

  point(to: number, message: PointMessage): readonly PointMessage[] {
    if (message.type !== 'promise' && message.type !== 'commit-fast' && message.type !== 'share') return [message];
    if (to === this.leader(message.view)) return [message];
    if (message.type !== 'promise') return [];
    const key = `${message.view}/${message.instance}`;
    if (!this.promiseToAll.has(key)) this.promiseToAll.set(key, this.context.random() < 0.5);
    return this.promiseToAll.get(key) ? [message] : [];
  }

  stream(message: StreamMessage): readonly StreamMessage[] {
    return message.type === 'commit' ? [] : [message];
  }
}

/**
 * Forces the slow path (PROMISEs to the leader only), then writes COMMITs
 * whose PC is short (f shares), forged (a correct signer's share flipped)
 * or counts itself twice, in turn.
 */
export class ForgedCertificate extends FollowerStrategy {
  readonly name = 'forged-certificate';
  protected readonly cause = 'our PROMISE went to the leader only';
  private commits = 0;

  point(to: number, message: PointMessage): readonly PointMessage[] {
    return toLeaderOnly(this, to, message);
  }

  stream(message: StreamMessage): readonly StreamMessage[] {
    if (message.type !== 'commit') return [message];
    return [this.forge(message, this.commits++ % 3)];
  }

  private forge(message: CommitMessage, variant: number): CommitMessage {
    const shares = message.certificate.shares;
    const own = shares.find((share) => share.signer === this.context.self) ?? shares[0];
    let forged = shares.slice(0, this.context.f);
    if (variant === 1) forged = shares.map((share) => (share.signer !== this.context.self ? { ...share, signature: forgedSignature(share.signature) } : share));
    if (variant === 2) forged = Array.from({ length: this.context.f + 1 }, () => own);
    return { ...message, certificate: { ...message.certificate, shares: forged } };
  }
}

/** Forces the slow path, then writes SEAL(v) just before its first COMMIT of view v: its COMMITs come after its SEAL. */
export class LateCommit extends FollowerStrategy {
  readonly name = 'late-commit';
  protected readonly cause = 'our PROMISE went to the leader only';
  private readonly sealed = new Set<number>();

  point(to: number, message: PointMessage): readonly PointMessage[] {
    return toLeaderOnly(this, to, message);
  }

  stream(message: StreamMessage): readonly StreamMessage[] {
    if (message.type === 'commit' && !this.sealed.has(message.view)) {
      this.sealed.add(message.view);
      return [{ type: 'seal', view: message.view }, message];
    }
    return [message];
  }
}

/** Withholds every vote: PROMISE, COMMIT-FAST, SHARE, CKPT-SHARE, VC-SHARE, and its SEALs (its stream carries the rest). */
export class Withholder extends FollowerStrategy {
  readonly name = 'withholder';
  protected readonly cause = 'we withheld our PROMISE';

  point(_to: number, message: PointMessage): readonly PointMessage[] {
    const withheld = message.type === 'promise' || message.type === 'commit-fast' || message.type === 'share' || message.type === 'ckpt-share' || message.type === 'vc-share';
    return withheld ? [] : [message];
  }

  stream(message: StreamMessage): readonly StreamMessage[] {
    return message.type === 'seal' ? [] : [message];
  }

  override observeStream(sender: number, message: StreamMessage, outcome: StreamOutcome): void {
    super.observeStream(sender, message, outcome);
    if (!this.correct(sender)) return;
    if (outcome.kind === 'commit') this.effect('commit', `p${sender} committed (${outcome.view}, ${outcome.instance}) without our SHARE`);
    if (outcome.kind === 'new-view') this.effect('new-view', `p${sender} opened view ${outcome.view} without our SEAL or VC-SHAREs`);
  }
}

/**
 * With each PROMISE(v, i) also sends PROMISE and COMMIT-FAST for (v, i+1)
 * naming another batch (in the receivers' early window, §2.8: buffered,
 * and the first copy per key wins over our later true one) and some far
 * ahead (past the window: dropped).
 */
export class EarlySender extends FollowerStrategy {
  readonly name = 'early-sender';
  protected readonly cause = 'our early PROMISE for that instance named another batch';

  point(_to: number, message: PointMessage): readonly PointMessage[] {
    if (message.type !== 'promise') return [message];
    const next = message.instance + 1;
    const other = otherHash(message.hash);
    return [
      { type: 'promise', view: message.view, instance: next, hash: other },
      { type: 'commit-fast', view: message.view, instance: next, hash: other },
      { type: 'promise', view: message.view + 2 * this.context.n + 2, instance: message.instance, hash: message.hash },
      { type: 'share', view: message.view, instance: message.instance + 1000, hash: other, signature: new Uint8Array(64) },
      message,
    ];
  }
}

/**
 * Replays old messages: other replicas' PREPAREs, COMMITs and CHECKPOINTs
 * (of earlier views and instances) into its own stream, its own old
 * PROMISEs and others' SHAREs as its own point messages.
 */
export class Replayer extends FollowerStrategy {
  readonly name = 'replayer';
  protected readonly cause = 'our replayed PROMISE of an older instance came first';
  private readonly heard: StreamMessage[] = [];
  /** The PROMISE being sent now (one object to every recipient) and the one before it. */
  private currentPromise: PointMessage | undefined;
  private previousPromise: PointMessage | undefined;
  private lastShare: PointMessage | undefined;
  private replays = 0;
  private seen = 0;

  point(_to: number, message: PointMessage): readonly PointMessage[] {
    if (message.type === 'promise') {
      if (message !== this.currentPromise) {
        this.previousPromise = this.currentPromise;
        this.currentPromise = message;
      }
      const old = this.previousPromise;
      // The old PROMISE verbatim, and relabelled with the new instance ahead of the true one.
      return old && old.type === 'promise' ? [{ ...old, instance: message.instance }, old, message] : [message];
    }
    if (message.type === 'share' && this.lastShare) return [this.lastShare, message];
    return [message];
  }

  override observePoint(from: number, message: PointMessage): void {
    super.observePoint(from, message);
    if (message.type === 'share' && from !== this.context.self) this.lastShare = message;
  }

  override observeStream(sender: number, message: StreamMessage, outcome: StreamOutcome): void {
    super.observeStream(sender, message, outcome);
    if (sender === this.context.self || message.type === 'seal' || message.type === 'new-view') return;
    this.heard.push(message);
    // Every third message heard, replay the oldest one still unreplayed (at most 8 in all).
    if (++this.seen % 3 === 0 && this.replays < 8 && this.heard.length > 1) {
      this.replays++;
      this.context.broadcastRaw(this.heard.shift() as StreamMessage);
    }
  }
}

/** Seals view after view (jumping n at a time, below V) so that every correct replica signs a VC-SHARE for each. */
export class SealFlooder extends FollowerStrategy {
  readonly name = 'seal-flooder';
  protected readonly cause = 'we flooded SEALs';
  private flooded = -1;

  constructor(private readonly views: number) {
    super();
  }

  point(_to: number, message: PointMessage): readonly PointMessage[] {
    if (message.type === 'promise') {
      const next = this.flooded + this.context.n;
      if (next < this.views) {
        this.flooded = next;
        this.context.broadcastRaw({ type: 'seal', view: next });
      }
    }
    return [message];
  }

  override observePoint(from: number, message: PointMessage): void {
    super.observePoint(from, message);
    if (message.type === 'vc-share' && message.process === this.context.self && this.correct(from)) this.effect('vc-share', `p${from} signed a VC-SHARE for our flooded SEAL(${message.sealed})`);
  }
}

/** Sends oversized states: a fat vcState in its VC-SHAREs, STATEs just under and over the 64 KiB snapshot limit (unasked, and on FETCH). */
export class FatState extends FollowerStrategy {
  readonly name = 'fat-state';
  protected readonly cause = 'we sent oversized states';
  private readonly fed = new Set<number>();

  point(to: number, message: PointMessage): readonly PointMessage[] {
    if (message.type === 'vc-share') return [this.fatVcShare(message)];
    if (message.type === 'promise' && !this.fed.has(to)) {
      this.fed.add(to);
      if (this.correct(to)) this.effect(`state-${to}`, `p${to} was sent unasked STATEs of about 60 and 80 KiB (snapshot limit 64 KiB)`);
      return [fatState(60), fatState(80), message];
    }
    return [message];
  }

  override observePoint(from: number, message: PointMessage): void {
    super.observePoint(from, message);
    if (message.type === 'fetch' && this.correct(from)) {
      this.context.sendRaw(from, fatState(80));
      this.effect('fetch', `p${from} FETCHed from us and got an oversized STATE`);
    }
  }

  private fatVcShare(message: VcShareMessage): VcShareMessage {
    const last = message.state.commits.at(-1);
    const commits = [...message.state.commits];
    for (let offset = 1; offset <= 200; offset++) commits.push({ instance: (last?.instance ?? message.state.checkpointNext) + offset, view: message.sealed, hash: new Uint8Array(32).fill(offset % 256) });
    const state = { ...message.state, commits };
    return { ...message, state, signature: this.context.sign(vcStateStatement(message.process, message.sealedBefore, message.sealed, state)) };
  }
}

function fatState(kib: number): StateMessage {
  const value = 'x'.repeat(1000);
  const pairs = Array.from({ length: kib }, (_, index) => [`k${String(index).padStart(4, '0')}`, value] as const);
  return { type: 'state', checkpoint: { next: 4, digest: new Uint8Array(32), shares: [] }, snapshot: { pairs, clients: [] } };
}

/**
 * Signs checkpoints of a false state: each CKPT-SHARE of ours carries our
 * valid signature on another digest than the state we executed. A CP needs
 * f+1 shares on one digest, so correct replicas' CPs form without ours
 * (the effect we see: a correct replica's CHECKPOINT whose signers exclude
 * us), and no CP ever names the false digest.
 */
export class FalseCheckpoint extends FollowerStrategy {
  readonly name = 'false-checkpoint';
  protected readonly cause = 'our CKPT-SHAREs named a false digest';

  /** Our votes are the correct ones: a slow path is none of our doing. */
  override observePoint(): void {}

  point(_to: number, message: PointMessage): readonly PointMessage[] {
    if (message.type !== 'ckpt-share') return [message];
    const digest = otherHash(message.digest);
    return [{ ...message, digest, signature: this.context.sign({ purpose: 'checkpoint', next: message.next, digest }) }];
  }

  override observeStream(sender: number, message: StreamMessage, outcome: StreamOutcome): void {
    super.observeStream(sender, message, outcome);
    if (message.type !== 'checkpoint' || !this.correct(sender)) return;
    if (message.checkpoint.shares.every((share) => share.signer !== this.context.self)) this.effect('checkpoint', `p${sender} made CP(${message.checkpoint.next}) without our false CKPT-SHARE`);
  }
}

/**
 * Answers FETCH with a STATE whose snapshot is not the one its CP certifies
 * (one value changed): the fetcher must refuse it (its digest does not
 * match d) and fetch from the next signer.
 */
export class BadState extends FollowerStrategy {
  readonly name = 'bad-state';
  protected readonly cause = 'our STATE did not match its CP';

  /** Our votes are the correct ones: a slow path is none of our doing. */
  override observePoint(): void {}

  point(to: number, message: PointMessage): readonly PointMessage[] {
    if (message.type !== 'state') return [message];
    if (this.correct(to)) this.effect(`state-${to}`, `p${to} FETCHed from us and got a STATE whose snapshot does not hash to CP(${message.checkpoint.next})`);
    return [{ ...message, snapshot: swappedSnapshot(message.snapshot) }];
  }

  /** Our CHECKPOINTs list our own share first (still a valid CP), so a replica that learns the CP from us FETCHes from us first. */
  stream(message: StreamMessage): readonly StreamMessage[] {
    if (message.type !== 'checkpoint') return [message];
    const shares = [...message.checkpoint.shares].sort((a, b) => (a.signer === this.context.self ? -1 : b.signer === this.context.self ? 1 : a.signer - b.signer));
    return [{ ...message, checkpoint: { ...message.checkpoint, shares } }];
  }
}

/** The snapshot with one value changed (or a pair added to an empty one): its digest differs. */
function swappedSnapshot(snapshot: StateMessage['snapshot']): StateMessage['snapshot'] {
  if (snapshot.pairs.length === 0) return { ...snapshot, pairs: [['k', 'bad-state']] };
  const [[key, value], ...rest] = snapshot.pairs;
  return { ...snapshot, pairs: [[key, `${value}-bad-state`], ...rest] };
}
