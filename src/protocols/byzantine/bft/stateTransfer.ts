import { answerFetch, FetchRotation, installDecision, needsFetch, SnapshotStore, type CheckpointMutant, type FetchAnswer, type FetchSent, type InstallDecision } from './checkpoints.js';
import type { VerifyShare } from './certificates.js';
import type { CheckpointCertificate, Snapshot } from './messages.js';
import type { Quorum } from './viewChange.js';

/**
 * One replica's side of state transfer (specs/bft-consensus.md §2.7): the
 * snapshots it keeps (§2.7.1), the FETCH rotation it runs while behind a CP
 * it holds, its answer to another's FETCH, and its verdict on a STATE
 * (§2.7.2). It holds no KV state and sends nothing: the replica shell asks
 * it, then acts, so each decision stays the pure one of checkpoints.ts.
 */
export class StateTransfer {
  private readonly snapshots: SnapshotStore;
  private readonly rotation: FetchRotation;

  constructor(
    self: number,
    private readonly quorum: Quorum,
    private readonly verify: VerifyShare,
    private readonly mutant?: CheckpointMutant,
  ) {
    this.snapshots = new SnapshotStore(quorum.window, mutant);
    this.rotation = new FetchRotation(self);
  }

  /** r executed next−1 at a checkpoint point: keep that snapshot (§2.7.1; not below N). */
  keep(next: number, snapshot: Snapshot): void {
    this.snapshots.keep(next, snapshot);
  }

  /** r holds a CP with next N: snapshots below N go. */
  held(next: number): void {
    this.snapshots.newestHeld(next);
  }

  /**
   * r's newest CP and what it executed: the FETCH to send now, if r is
   * behind that CP (§2.7.2's condition: executed+1 is covered and, the shell
   * having executed all it could, undecided) and no rotation for a CP at
   * least as new runs.
   */
  fetchFor(cp: CheckpointCertificate | null, executed: number): FetchSent | null {
    this.rotation.executedUpTo(executed);
    if (cp === null || !needsFetch(cp, executed, true)) return null;
    return this.rotation.start(cp);
  }

  /** Tfetch expired: the next signer (null once nothing is fetched). */
  tick(executed: number): FetchSent | null {
    this.rotation.executedUpTo(executed);
    return this.rotation.tick();
  }

  /** Whether a rotation runs (Tfetch stays armed). */
  get fetching(): boolean {
    return this.rotation.fetching;
  }

  /** §2.7.2: STATE(CP′, snapshot) for the newest CP′ held (the FETCH's counts) if kept, else HAVE-CP(CP′). */
  answer(fetched: CheckpointCertificate, newestHeld: CheckpointCertificate | null): FetchAnswer {
    return answerFetch(fetched, newestHeld, (next) => this.snapshots.snapshotAt(next));
  }

  /** §2.7.2: whether STATE(CP′, snapshot) from `sender` may be installed now. */
  judge(sender: number, checkpoint: CheckpointCertificate, snapshot: Snapshot, executed: number): InstallDecision {
    return installDecision({ sender, checkpoint, snapshot, executed, rotation: this.rotation }, this.quorum, this.verify, this.mutant);
  }

  /** r installed CP′'s snapshot: it is the one kept at CP′.next; FETCHes up to it are answered. */
  installed(next: number, snapshot: Snapshot): void {
    this.snapshots.installed(next, snapshot);
    this.rotation.executedUpTo(next - 1);
  }

  /** The points whose snapshots are kept, ascending (for tests and bounds). */
  snapshotPoints(): number[] {
    return this.snapshots.points();
  }
}
