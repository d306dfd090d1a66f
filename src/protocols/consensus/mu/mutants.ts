/**
 * Mu's mutants: deliberate bugs the `mu` sweep and its tests must catch.
 * Status (measured; each replayed with the correct protocol passing the same
 * seed or schedule — src/scenarios/mixedSweep.test.ts, src/scenarios/mu.test.ts;
 * re-measured with recycling, whose `--slots` draws moved some mixed seeds):
 * - `no-adopt`: `mnm sweep mu --mix --mutant no-adopt`: agreement at seed 4.
 * - `unordered-grant`: grant-order (what the memories executed: a replica
 *   granted its log to a lower proposal after a higher one), mixed seed 1;
 *   and a scripted straggler in mu.test.ts. Safety of the log itself
 *   survives it (the late grant is followed by that term's own minProposal
 *   read), so the property the spec states is what catches it.
 * - `no-fencing`: grant-order at mixed seed 1 (an open log lets a stale
 *   leader in), agreement first at seed 4; scripted in mu.test.ts: a leader
 *   paused at 8 for 30 resumes and keeps committing over its successor
 *   (agreement, seeds 1 and 2), and the straggler (grant-order). The log
 *   regions are `open` with read-write for everyone (muRegions); before,
 *   they kept the default read access, so every write was refused and the
 *   mutant only stopped progress.
 * - `catch-up-past-commit`: agreement at mixed seed 49 (host crashes and
 *   writes cut short make it reachable); scripted in mu.test.ts: p0 writes
 *   1000 to m2 only, p1 decides 2000 at index 0 without m2, p2 copies its
 *   own 1000 over it (h0@2.5, h1@50.5, holds).
 * - `no-checksum`: agreement at mixed seed 9 (the default mix, 5 in 300);
 *   the sweep with the leader's host crashing mid-write, `mnm sweep mu --mix
 *   --mutant no-checksum --tear 1 --faults none --crash h0@3!`, catches it on
 *   12 of 200 seeds, first at 23; scripted in mu.test.ts: a rewrite cut short
 *   at 29.7 leaves a torn copy with the higher proposal, and the next leader
 *   adopts it over the decided 1000 (agreement at seeds 1, 3, 5 of 1-6).
 *   A follower never applies a torn copy here: it applies below a FUO, and
 *   a FUO covering an index lands only after that index's write landed whole
 *   (one queue pair) — so the mutant shows through adoption.
 */
export const muMutants = {
  'no-fencing': "log regions are open: a deposed leader's writes are never refused, so it keeps committing over its successor",
  'no-checksum': "replicas apply and candidates adopt entries without checking their checksum, so a torn entry is acted on",
  'no-adopt': 'a new leader skips adopting the highest accepted entry at the slots past the commit point, overwriting what may be decided',
  'catch-up-past-commit': "a new leader takes its own log past the commit point as settled and copies it to the followers instead of adopting",
  'unordered-grant': 'permission requests carry no proposal (plain exclusive writer): a late request of a lower proposal is granted and revokes the current leader',
} as const;
export type MuMutant = keyof typeof muMutants;

/** The log regions' policy under `mutant`. */
export function muLogPolicy(mutant: MuMutant | undefined): 'ordered-exclusive-writer' | 'exclusive-writer' | 'open' {
  if (mutant === 'no-fencing') return 'open';
  if (mutant === 'unordered-grant') return 'exclusive-writer';
  return 'ordered-exclusive-writer';
}
