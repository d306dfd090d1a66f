import type { Hash } from './messages.js';
import type { BftMutant } from './mutants.js';

/**
 * The counting rules of the normal case (specs/bft-consensus.md §2.4):
 * who must have said what before a replica sends COMMIT-FAST, decides fast,
 * or decides slow. Votes are kept per sender (the first one of each sender
 * counts: a Byzantine sender's second, different message never doubles it).
 */

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

export function hashKey(hash: Hash): string {
  return Buffer.from(hash).toString('hex');
}

/**
 * §2.4.4: PROMISE(v, i, acc[v][i]) from all n. The leader's PREPARE is its
 * promise (it sends no PROMISE); every follower's counts, this replica's own
 * included once it promised.
 */
export function promisedByAll(promises: ReadonlyMap<number, Hash>, accepted: Hash, leader: number, n: number): boolean {
  for (let process = 0; process < n; process++) {
    if (process === leader) continue;
    const promise = promises.get(process);
    if (!promise || !sameHash(promise, accepted)) return false;
  }
  return true;
}

/** §2.4.5: COMMIT-FAST(v, i, h) from all n (this replica's own included). The `fast-f+1` mutant takes f+1 matching. */
export function fastDecided(commits: ReadonlyMap<number, Hash>, hash: Hash, n: number, mutant?: BftMutant): boolean {
  if (mutant === 'fast-f+1') return [...commits.values()].filter((vote) => sameHash(vote, hash)).length >= (n - 1) / 2 + 1;
  if (commits.size < n) return false;
  for (let process = 0; process < n; process++) {
    const vote = commits.get(process);
    if (!vote || !sameHash(vote, hash)) return false;
  }
  return true;
}

/** §2.4.7: valid COMMITs of (v, i) with H(B) = h in f+1 distinct streams. */
export function slowDecided(streams: ReadonlySet<number>, f: number): boolean {
  return streams.size >= f + 1;
}

/** A (view, instance) pair as a map key. */
export function slotKey(view: number, instance: number): string {
  return `${view}/${instance}`;
}
