/**
 * Mu's mutants: deliberate bugs the `mu` sweep and its tests must catch.
 * Status (measured, `mnm sweep mu --seeds 100 --mix --mutant M`; since
 * recycling, mixed seeds also draw `--slots`, which moved some seeds):
 * - `no-adopt`: agreement, seed 1 (mixedSweep.test.ts).
 * - `unordered-grant`: grant-order (what the memories executed: a replica
 *   granted its log to a lower proposal after a higher one), seed 1; and a
 *   scripted straggler in mu.test.ts. Safety of the log itself survives it
 *   (the late grant is followed by that term's own minProposal read), so the
 *   property the spec states is what catches it.
 * - `no-fencing`: grant-order at seed 1 (an open log lets a stale leader in),
 *   and termination; the scripted straggler in mu.test.ts shows both. Not
 *   yet shown as an agreement violation.
 * - `catch-up-past-commit`: agreement, seed 27 of the 200 mixed seeds (a
 *   default-sized log; seeds 74 and 75 catch it with 8 slots or more — with
 *   2 to 4 the recycle bound leaves too little of the deposed leader's log
 *   past the commit point for its copy to matter). Host crashes and writes
 *   cut short by mid-write crashes make it reachable; no scripted test yet.
 * - `no-checksum`: not caught in 100 mixed seeds — a torn copy below the FUO
 *   needs a poll racing a rewrite; a scripted schedule is still to write.
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
