import { validCheckpointCertificate, type VerifyShare } from './certificates.js';
import type { Batch, CertifiedState, CheckpointCertificate, CommitEntry, Hash, NewViewMessage } from './messages.js';
import { leaderOf, servesView, vcStateStatement, type CertifiedStateWithCheckpoint, type Quorum } from './viewChange.js';

/**
 * NEW_VIEW as pure decisions (specs/bft-consensus.md §2.6.2–§2.6.4): whether
 * a NEW_VIEW(w) is valid, which batch it fixes at each instance, and what the
 * leader of w needs before it can broadcast one.
 *
 * Why it is safe (§4, agreement by induction on w): if h was decided at
 * (v, i), L3 puts in some certified state of a valid NEW_VIEW(w) an entry at
 * i of a view in [v, w−1] (or a CP past i); every such entry carries h, so
 * the *highest-view* entry does — a lower-view entry may carry a batch of a
 * view that never decided (`lowest-view` mutant). The f+1 states must be of
 * *distinct* p, certified by f+1 *distinct* signers, or the one Byzantine
 * replica can stand in for the correct member L3 needs (`duplicate-signers`).
 */

/** Variants that break a rule on purpose (§6), for the tests that show the rule matters. */
export type NewViewMutant = 'lowest-view' | 'duplicate-signers';

export type NewViewVerdict = { readonly valid: true } | { readonly valid: false; readonly reason: string };

/** The next of a NEW_VIEW's CP (none: 0). */
export function checkpointNext(cp: CheckpointCertificate | null): number {
  return cp === null ? 0 : cp.next;
}

/**
 * Whether a VC certificate is valid: f+1 shares of distinct replicas on
 * (vc-state, p, a, u, H(vcState)). The `duplicate-signers` mutant counts
 * shares without requiring distinct signers, so one replica signing twice
 * passes for two.
 */
export function validVcCertificate(state: CertifiedState, quorum: Quorum, verify: VerifyShare, mutant?: NewViewMutant): boolean {
  const statement = vcStateStatement(state.process, state.sealedBefore, state.sealed, state.state);
  const shares = state.certificate;
  if (shares.length < quorum.f + 1 || shares.length > quorum.n) return false;
  for (let index = 0; index < shares.length; index++) {
    const { signer } = shares[index];
    if (!Number.isInteger(signer) || signer < 0 || signer >= quorum.n) return false;
    // Sorted and distinct, as the encoding demands; the mutant accepts a repeat.
    if (index > 0 && (mutant === 'duplicate-signers' ? signer < shares[index - 1].signer : signer <= shares[index - 1].signer)) return false;
  }
  return shares.every((share) => verify(share.signer, statement, share.signature));
}

/**
 * A certified state's own shape: commits strictly increasing in i, each in
 * [ckpt.next, ckpt.next + 2W) (only valid COMMITs enter commits(p), §2.2),
 * so a NEW_VIEW never fixes more than 2W instances past its CP.
 */
function stateShapeProblem(certified: CertifiedState, window: number): string | undefined {
  const { checkpointNext: next, commits } = certified.state;
  for (let index = 0; index < commits.length; index++) {
    const entry = commits[index];
    if (!Number.isSafeInteger(entry.instance) || !Number.isSafeInteger(entry.view) || entry.view < 0) return `p${certified.process}'s entry has a bad number`;
    if (entry.instance < next || entry.instance >= next + 2 * window) return `p${certified.process}'s entry at ${entry.instance} is outside [${next}, ${next + 2 * window})`;
    if (index > 0 && entry.instance <= commits[index - 1].instance) return `p${certified.process}'s entries are not strictly increasing in i`;
    if (entry.hash.length !== 32) return `p${certified.process}'s entry at ${entry.instance} has no 32-byte hash`;
  }
  return undefined;
}

/**
 * §2.6.3: NEW_VIEW(w) from `sender` is valid iff from leader(w), well-formed,
 * with f+1 distinct p, valid VC certificates with a < w−1 ≤ u, a valid CP
 * (none stands for next 0), and CP.next ≥ each state's ckpt.next.
 * `verify` checks one share as certificates.ts does.
 */
export function validateNewView(sender: number, message: NewViewMessage, quorum: Quorum, verify: VerifyShare, mutant?: NewViewMutant): NewViewVerdict {
  const w = message.view;
  const refuse = (reason: string): NewViewVerdict => ({ valid: false, reason: `NEW_VIEW(${w}) from p${sender}: ${reason}` });
  if (!Number.isSafeInteger(w) || w < 1) return refuse('view 0 has no NEW_VIEW');
  if (sender !== leaderOf(w, quorum.n)) return refuse(`the leader of ${w} is p${leaderOf(w, quorum.n)}`);
  if (message.states.length !== quorum.f + 1) return refuse(`${message.states.length} states where f+1 = ${quorum.f + 1} are needed`);
  const processes = new Set<number>();
  for (const certified of message.states) {
    if (!Number.isInteger(certified.process) || certified.process < 0 || certified.process >= quorum.n) return refuse(`state of a non-replica p${certified.process}`);
    // Distinct p: the mutant lets one process's state stand twice.
    if (processes.has(certified.process) && mutant !== 'duplicate-signers') return refuse(`two states of p${certified.process}`);
    processes.add(certified.process);
  }
  const cpNext = checkpointNext(message.checkpoint);
  if (message.checkpoint !== null && !validCheckpointCertificate(message.checkpoint, quorum, verify)) return refuse('its CP is not valid');
  for (const certified of message.states) {
    if (!servesView(certified.sealedBefore, certified.sealed, w)) return refuse(`p${certified.process}'s state (a ${certified.sealedBefore}, u ${certified.sealed}) does not have a < w−1 ≤ u`);
    if (certified.state.checkpointNext > cpNext) return refuse(`p${certified.process}'s ckpt.next ${certified.state.checkpointNext} is past the CP's ${cpNext}`);
    const shape = stateShapeProblem(certified, quorum.window);
    if (shape) return refuse(shape);
    if (!validVcCertificate(certified, quorum, verify, mutant)) return refuse(`p${certified.process}'s VC certificate is not valid`);
  }
  return { valid: true };
}

/** §2.6.4: what a valid NEW_VIEW(w) fixes. Instances start..end are re-proposed with `hashes[i − start]`; fresh ones follow. */
export interface FixedBatches {
  readonly start: number;
  /** start − 1 when nothing is fixed. */
  readonly end: number;
  /** fixed[start..end]; each the highest-view entry's h, else H(empty batch). */
  readonly hashes: readonly Hash[];
  /** The same, by instance: the shape the stream state's acceptance takes (§2.4.2: H(B) = fixed[i] if i ≤ end). */
  readonly fixed: ReadonlyMap<number, Hash>;
  /** The entry each fixed hash came from (null: the empty batch), so a leader knows which (v, i, h) to BATCH-REQ. */
  readonly sources: readonly (CommitEntry | null)[];
}

/**
 * §2.6.4: start = CP.next; end = max(start−1, highest i with an entry);
 * fixed[i] = h of the highest-view entry at i, else H(empty batch). Entries
 * below start are covered by the CP and play no part. `emptyBatchHash` is
 * H of the empty batch's encoding (the message codec owns it).
 * The `lowest-view` mutant takes the lowest-view entry instead.
 */
export function fixedBatches(message: Pick<NewViewMessage, 'checkpoint' | 'states'>, emptyBatchHash: Hash, mutant?: NewViewMutant): FixedBatches {
  const start = checkpointNext(message.checkpoint);
  const chosen = new Map<number, CommitEntry>();
  for (const certified of message.states) {
    for (const entry of certified.state.commits) {
      if (entry.instance < start) continue;
      const current = chosen.get(entry.instance);
      const better = current === undefined || (mutant === 'lowest-view' ? entry.view < current.view : entry.view > current.view);
      if (better) chosen.set(entry.instance, entry);
    }
  }
  const end = Math.max(start - 1, ...chosen.keys());
  const hashes: Hash[] = [];
  const sources: (CommitEntry | null)[] = [];
  for (let i = start; i <= end; i++) {
    const entry = chosen.get(i) ?? null;
    sources.push(entry);
    hashes.push(entry ? entry.hash : emptyBatchHash);
  }
  const fixed = new Map(hashes.map((value, offset) => [start + offset, value] as const));
  return { start, end, hashes, fixed, sources };
}

/** The fixed hash at instance i, or undefined when i is not in start..end. */
export function fixedHashAt(fixed: FixedBatches, instance: number): Hash | undefined {
  if (instance < fixed.start || instance > fixed.end) return undefined;
  return fixed.hashes[instance - fixed.start];
}

/** A fixed batch the leader does not hold: BATCH-REQ(v, i, h) to all (§2.6.2). */
export interface MissingBatch {
  readonly view: number;
  readonly instance: number;
  readonly hash: Hash;
}

export type NewViewPlan =
  | { readonly status: 'not-leader' }
  /** r's latest SEAL is not w−1: it cannot lead w yet (or any more). */
  | { readonly status: 'not-sealed' }
  /** Fewer than f+1 distinct p have a VC certificate serving w. */
  | { readonly status: 'waiting-for-states'; readonly have: number }
  /** The message is chosen, but some fixed batches are not at hand: BATCH-REQ them (or wait for a newer CP by HAVE-CP, then plan again). */
  | { readonly status: 'waiting-for-batches'; readonly message: NewViewMessage; readonly fixed: FixedBatches; readonly missing: readonly MissingBatch[] }
  | { readonly status: 'ready'; readonly message: NewViewMessage; readonly fixed: FixedBatches; readonly batches: readonly Batch[] };

export interface NewViewPlanInput {
  readonly self: number;
  /** The view w to lead. */
  readonly view: number;
  /** r's latest SEAL as written (§2.6.2: leader(w) with latest SEAL w−1). */
  readonly latestSeal: number;
  /** VC certificates collected (VcCertificateCollector.forView), with the CPs their shares carried. */
  readonly certified: readonly CertifiedStateWithCheckpoint[];
  /** Every valid CP r holds from any source (its own, CHECKPOINTs read, HAVE-CPs). */
  readonly checkpoints: readonly (CheckpointCertificate | null)[];
  /** A kept batch with this hash (§2.4.9), if r has one. */
  readonly batchFor: (hash: Hash) => Batch | undefined;
  /** H(empty batch) and the empty batch itself (the codec owns the encoding). */
  readonly emptyBatch: { readonly hash: Hash; readonly batch: Batch };
}

/**
 * §2.6.2, the leader's side: leader(w), latest SEAL w−1, takes VC
 * certificates of f+1 distinct p with a < w−1 ≤ u (the lowest p first: any
 * choice is safe, a fixed one is replayable), the newest CP it holds from any
 * source (at least each chosen state's ckpt, since those CPs came with the
 * shares), and every fixed batch; only then may it broadcast NEW_VIEW(w).
 */
export function planNewView(input: NewViewPlanInput, quorum: Quorum, mutant?: NewViewMutant): NewViewPlan {
  const w = input.view;
  if (leaderOf(w, quorum.n) !== input.self) return { status: 'not-leader' };
  if (input.latestSeal !== w - 1) return { status: 'not-sealed' };
  const byProcess = new Map<number, CertifiedStateWithCheckpoint>();
  for (const offer of input.certified) {
    if (servesView(offer.certified.sealedBefore, offer.certified.sealed, w) && !byProcess.has(offer.certified.process)) byProcess.set(offer.certified.process, offer);
  }
  if (byProcess.size < quorum.f + 1) return { status: 'waiting-for-states', have: byProcess.size };
  const chosen = [...byProcess.values()].sort((a, b) => a.certified.process - b.certified.process).slice(0, quorum.f + 1);
  let checkpoint: CheckpointCertificate | null = null;
  for (const cp of [...input.checkpoints, ...chosen.map((offer) => offer.checkpoint)]) {
    if (cp !== null && cp.next > checkpointNext(checkpoint)) checkpoint = cp;
  }
  const message: NewViewMessage = { type: 'new-view', view: w, checkpoint, states: chosen.map((offer) => offer.certified) };
  const fixed = fixedBatches(message, input.emptyBatch.hash, mutant);
  const batches: Batch[] = [];
  const missing: MissingBatch[] = [];
  fixed.sources.forEach((source, offset) => {
    if (source === null) {
      batches.push(input.emptyBatch.batch);
      return;
    }
    const batch = input.batchFor(source.hash);
    if (batch) batches.push(batch);
    else missing.push({ view: source.view, instance: fixed.start + offset, hash: source.hash });
  });
  if (missing.length > 0) return { status: 'waiting-for-batches', message, fixed, missing };
  return { status: 'ready', message, fixed, batches };
}
