import type { Hash } from '../bft/messages.js';
import { sameHash } from '../bft/quorums.js';

/**
 * The counting rules of the baseline's normal case (n = 3f+1). Votes are
 * kept per sender, the first one counting, so a Byzantine replica's second
 * vote never doubles it.
 */

/** The mutants of the baseline's decision rules, each caught by a test. */
export type PbftMutant = 'commit-on-f+1' | 'choose-lowest-view';

export const pbftMutants: Readonly<Record<PbftMutant, string>> = {
  'commit-on-f+1': 'committed-local on f+1 matching COMMITs instead of 2f+1 (two views can then decide different batches)',
  'choose-lowest-view': "the view change's choice takes the lowest-view prepared batch backed by f+1 pre-prepares, ignoring higher-view prepared entries (A1)",
};

function matching(votes: ReadonlyMap<number, Hash>, hash: Hash, except?: number): number {
  let count = 0;
  for (const [sender, vote] of votes) if (sender !== except && sameHash(vote, hash)) count++;
  return count;
}

/**
 * prepared(h, v, i): the PRE-PREPARE of h and 2f PREPAREs of h from
 * distinct backups (the primary's PRE-PREPARE stands for its PREPARE; a
 * PREPARE claimed by the primary does not count).
 */
export function prepared(prePrepared: Hash | undefined, prepares: ReadonlyMap<number, Hash>, primary: number, f: number): boolean {
  return prePrepared !== undefined && matching(prepares, prePrepared, primary) >= 2 * f;
}

/** committed-local(h, v, i): prepared, and 2f+1 matching COMMITs (this replica's own included). */
export function committed(isPrepared: boolean, hash: Hash, commits: ReadonlyMap<number, Hash>, f: number, mutant?: PbftMutant): boolean {
  const quorum = mutant === 'commit-on-f+1' ? f + 1 : 2 * f + 1;
  return isPrepared && matching(commits, hash) >= quorum;
}
