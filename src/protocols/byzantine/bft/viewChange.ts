import type { VcStateStatement } from '../../../crypto/index.js';
import { assemble, validCheckpointCertificate, type VerifyShare } from './certificates.js';
import type { CertifiedState, CheckpointCertificate, VcShareMessage, VcState } from './messages.js';
import { vcStateHash } from './stateCodec.js';
import { sameBytes } from '../slot.js';

/**
 * The certification step of the view change (specs/bft-consensus.md §2.6.1,
 * §2.6.5) as pure decisions: whom a replica sends VC-SHARE to when it
 * processes a SEAL, how VC-SHAREs gather into VC certificates, and when a
 * replica enters a view. No I/O: the replica shell sends what these return.
 *
 * Why it is safe (§4, L2 and L3): a VC certificate has f+1 signers, so a
 * correct one computed the certified vcState from p's stream at that SEAL;
 * because every correct replica certifies p's state at *each* SEAL it
 * processes, the state a NEW_VIEW(w) carries for p is the one at p's first
 * SEAL ≥ w−1 (a < w−1 ≤ u), which is where L3 finds the trace of a decision.
 */

export interface Quorum {
  readonly f: number;
  readonly n: number;
  /** W (even); CPs have next ≡ 0 mod W/2. */
  readonly window: number;
}

/** leader(v) = p(v mod n) (§2). */
export function leaderOf(view: number, n: number): number {
  return view % n;
}

/** One VC-SHARE to send: the view w it serves and that view's leader. */
export interface VcShareTarget {
  readonly view: number;
  readonly leader: number;
}

/**
 * §2.6.1: on processing p's SEAL(u) with a = sealed(p) before it, send
 * VC-SHARE to leader(a+2+j) for j < min(u−a, n). The views a+2 … u+1 are the
 * w with a < w−1 ≤ u, those whose NEW_VIEW may carry this certificate; past n
 * of them the leaders repeat, so n suffice (the sooner ones first, because a
 * view change tries them in order).
 */
export function vcShareTargets(sealedBefore: number, sealed: number, n: number): VcShareTarget[] {
  if (!(sealed > sealedBefore)) throw new RangeError(`a SEAL(${sealed}) must exceed sealed(p) = ${sealedBefore}`);
  const count = Math.min(sealed - sealedBefore, n);
  const targets: VcShareTarget[] = [];
  for (let j = 0; j < count; j++) {
    const view = sealedBefore + 2 + j;
    targets.push({ view, leader: leaderOf(view, n) });
  }
  return targets;
}

/** The statement a VC-SHARE signs: (vc-state, p, a, u, H(vcState)). */
export function vcStateStatement(process: number, sealedBefore: number, sealed: number, state: VcState): VcStateStatement {
  return { purpose: 'vc-state', process, sealedBefore, sealed, stateHash: vcStateHash(state) };
}

/** Whether a VC certificate (p, a, u) may serve in NEW_VIEW(w): a < w−1 ≤ u (§2.6.2, §2.6.3). */
export function servesView(sealedBefore: number, sealed: number, view: number): boolean {
  return sealedBefore < view - 1 && view - 1 <= sealed;
}

/** Whether `cp` is the CP that `state` names as ckpt(p): the same next and digest (none: next 0). */
export function checkpointMatchesState(cp: CheckpointCertificate | null, state: VcState): boolean {
  if (cp === null) return state.checkpointNext === 0;
  return cp.next === state.checkpointNext && sameBytes(cp.digest, state.checkpointDigest);
}

export type VcShareVerdict = 'counted' | 'certified' | 'duplicate' | 'over-limit' | 'invalid' | 'irrelevant';

/** A certified state with the CP its VC-SHAREs carried (the leader needs it: §2.6.2 takes the newest CP from any source). */
export interface CertifiedStateWithCheckpoint {
  readonly certified: CertifiedState;
  readonly checkpoint: CheckpointCertificate | null;
}

interface Pending {
  readonly process: number;
  readonly sealedBefore: number;
  readonly sealed: number;
  readonly state: VcState;
  readonly checkpoint: CheckpointCertificate | null;
  readonly signatures: Map<number, Uint8Array>;
  certified?: CertifiedState;
}

interface SenderEntry {
  readonly sender: number;
  readonly process: number;
  readonly sealedBefore: number;
  readonly sealed: number;
}

/**
 * Shares kept per (sender, p) at once. A correct sender's shares for p come
 * from p's chain of SEALs (disjoint intervals (a, u]); the ones r keeps each
 * serve a distinct view r leads in [x, x+2n], and r leads at most 3 of those.
 */
const sharesPerSenderAndProcess = 3;

/**
 * Collects VC-SHAREs at a would-be leader into VC certificates, one per
 * (p, a, u, H(vcState)). A sender counts once per (p, a, u): a correct
 * replica sends one state per SEAL, so a second one is a duplicate or
 * Byzantine. Shares are taken only if they serve a view w that r leads with
 * x ≤ w ≤ x+n+1 (§2.8's window; w = x is r leading the view after its own
 * SEAL), and at most 3 per (sender, p) are kept, so a Byzantine sender
 * signing states for made-up (a, u) cannot grow r's memory. Shares whose CP
 * is not the state's valid ckpt(p) are refused.
 */
export class VcCertificateCollector {
  private readonly byKey = new Map<string, Pending>();
  private readonly senderEntries = new Map<string, SenderEntry>();
  private view = 0;

  constructor(
    private readonly self: number,
    private readonly quorum: Quorum,
    private readonly verify: VerifyShare,
  ) {}

  /** Offers `sender`'s VC-SHARE. */
  add(sender: number, share: VcShareMessage): VcShareVerdict {
    const { process, sealedBefore, sealed, state, checkpoint } = share;
    if (!Number.isInteger(sender) || sender < 0 || sender >= this.quorum.n) return 'invalid';
    if (!Number.isInteger(process) || process < 0 || process >= this.quorum.n) return 'invalid';
    if (!Number.isSafeInteger(sealedBefore) || !Number.isSafeInteger(sealed) || !(sealed > sealedBefore) || sealedBefore < -1) return 'invalid';
    const led = this.ledViews(sealedBefore, sealed);
    if (!led.some((w) => w >= this.view && w <= this.view + this.quorum.n + 1)) return 'irrelevant';
    const senderKey = `${sender}/${process}/${sealedBefore}/${sealed}`;
    if (this.senderEntries.has(senderKey)) return 'duplicate';
    let kept = 0;
    for (const entry of this.senderEntries.values()) if (entry.sender === sender && entry.process === process) kept++;
    if (kept >= sharesPerSenderAndProcess) return 'over-limit';
    if (!checkpointMatchesState(checkpoint, state)) return 'invalid';
    if (checkpoint !== null && !validCheckpointCertificate(checkpoint, this.quorum, this.verify)) return 'invalid';
    const statement = vcStateStatement(process, sealedBefore, sealed, state);
    if (!this.verify(sender, statement, share.signature)) return 'invalid';
    this.senderEntries.set(senderKey, { sender, process, sealedBefore, sealed });
    const key = `${process}/${sealedBefore}/${sealed}/${Buffer.from(statement.stateHash).toString('hex')}`;
    let pending = this.byKey.get(key);
    if (!pending) {
      pending = { process, sealedBefore, sealed, state, checkpoint, signatures: new Map() };
      this.byKey.set(key, pending);
    }
    pending.signatures.set(sender, share.signature);
    if (pending.certified) return 'counted';
    const certificate = assemble(pending.signatures, this.quorum.f);
    if (!certificate) return 'counted';
    pending.certified = { process, sealedBefore, sealed, state, certificate };
    return 'certified';
  }

  /** The VC certificates that may serve NEW_VIEW(w), at most one per p (the first certified). */
  forView(view: number): CertifiedStateWithCheckpoint[] {
    const byProcess = new Map<number, CertifiedStateWithCheckpoint>();
    for (const pending of this.byKey.values()) {
      if (!pending.certified || !servesView(pending.sealedBefore, pending.sealed, view)) continue;
      if (!byProcess.has(pending.process)) byProcess.set(pending.process, { certified: pending.certified, checkpoint: pending.checkpoint });
    }
    return [...byProcess.values()].sort((a, b) => a.certified.process - b.certified.process);
  }

  /**
   * r's view number x moved (§2.5.4: its view, the view it seals, or u+1
   * after SEAL(u); it never decreases). Shares that serve no view ≥ x that r
   * leads are forgotten: r will never lead those views.
   */
  advance(view: number): void {
    if (view < this.view) throw new RangeError(`x never decreases (${this.view} to ${view})`);
    this.view = view;
    const live = (sealedBefore: number, sealed: number) => this.ledViews(sealedBefore, sealed).some((w) => w >= view);
    for (const [key, entry] of this.senderEntries) if (!live(entry.sealedBefore, entry.sealed)) this.senderEntries.delete(key);
    for (const [key, pending] of this.byKey) if (!live(pending.sealedBefore, pending.sealed)) this.byKey.delete(key);
  }

  /** Certificates and partial certificates held (for bounds in tests). */
  get size(): number {
    return this.byKey.size;
  }

  /** The views among VC-SHARE targets of (a, u) (§2.6.1) that r leads. */
  private ledViews(sealedBefore: number, sealed: number): number[] {
    return vcShareTargets(sealedBefore, sealed, this.quorum.n)
      .filter((target) => target.leader === this.self)
      .map((target) => target.view);
  }
}

/**
 * §2.6.5: enter w when r's latest SEAL is w−1 and NEW_VIEW(w) is valid. The
 * first condition is the epoch rule seen from r's own stream: r has sealed
 * every view below w (so nothing of them is live) and no view ≥ w.
 */
export function shouldEnterView(latestSeal: number, newView: number, newViewValid: boolean): boolean {
  return newViewValid && latestSeal === newView - 1;
}
