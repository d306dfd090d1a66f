import type { Statement } from '../../../crypto/index.js';
import type { CheckpointCertificate, PrepareCertificate, Share } from './messages.js';
import type { BftMutant } from './mutants.js';

/**
 * Certificates (specs/bft-consensus.md §2): valid signatures of f+1
 * distinct replicas on one statement. With at most f Byzantine replicas, a
 * certificate has a correct signer (L2: certificates tell the truth), so a
 * PC binds the one batch a correct replica accepted, a CP a correct
 * replica's executed prefix, a VC certificate the state a correct replica
 * computed from p's stream.
 */

/** Checks one signer's signature over a statement (a `Signer.verify` bound to the run's keys). */
export type VerifyShare = (signer: number, statement: Statement, signature: Uint8Array) => boolean;

/**
 * Whether `shares` certify `statement`: at least f+1 entries, signers
 * strictly increasing (distinct: a repeated signer counts once, and the
 * encoding refuses it), every signer a replica (0..n−1), every signature
 * valid. All listed signatures are checked, so one bad entry voids the
 * certificate: a correct replica never lists one, and the verdict must not
 * depend on the order of checks. The `duplicate-signers` mutant lets a
 * signer repeat (shares counted, not signers).
 */
export function certifies(shares: readonly Share[], statement: Statement, quorum: { f: number; n: number }, verify: VerifyShare, mutant?: BftMutant): boolean {
  if (shares.length < quorum.f + 1 || shares.length > quorum.n) return false;
  for (let index = 0; index < shares.length; index++) {
    const { signer } = shares[index];
    if (!Number.isInteger(signer) || signer < 0 || signer >= quorum.n) return false;
    if (index > 0 && (mutant === 'duplicate-signers' ? signer < shares[index - 1].signer : signer <= shares[index - 1].signer)) return false;
  }
  return shares.every((share) => verify(share.signer, statement, share.signature));
}

/** A PC on (prepare, v, i, h). */
export function validPrepareCertificate(pc: PrepareCertificate, quorum: { f: number; n: number }, verify: VerifyShare, mutant?: BftMutant): boolean {
  return certifies(pc.shares, { purpose: 'prepare', view: pc.view, instance: pc.instance, hash: pc.hash }, quorum, verify, mutant);
}

/** A CP on (checkpoint, next, d), next ≡ 0 mod W/2. */
export function validCheckpointCertificate(cp: CheckpointCertificate, quorum: { f: number; n: number; window: number }, verify: VerifyShare, mutant?: BftMutant): boolean {
  if (cp.next % (quorum.window / 2) !== 0) return false;
  return certifies(cp.shares, { purpose: 'checkpoint', next: cp.next, digest: cp.digest }, quorum, verify, mutant);
}

/** Picks f+1 shares on one statement (sorted, distinct signers) from those collected, or undefined while too few. */
export function assemble(shares: ReadonlyMap<number, Uint8Array>, f: number): Share[] | undefined {
  if (shares.size < f + 1) return undefined;
  return [...shares.entries()]
    .sort((a, b) => a[0] - b[0])
    .slice(0, f + 1)
    .map(([signer, signature]) => ({ signer, signature }));
}
