/**
 * Mu's mutants: deliberate bugs the `mu` sweep and its tests must catch.
 * Status (measured, 200 mixed seeds each): `no-adopt` (agreement) and
 * `no-fencing` (termination) are caught at seed 1 (mixedSweep.test.ts).
 * Not caught yet: `no-checksum` (a torn read of a slot below the FUO
 * needs a rewrite racing the poll, and rewrites there carry the decided
 * payload), `catch-up-past-commit` (needs a new leader whose own log holds
 * a stale entry past the commit point while another value was decided
 * there: a scripted schedule is the way), and `unordered-grant` (a late
 * lower grant is caught by the per-replica prepare — the minProposal read
 * after the grant — so ordering is defense in depth for safety here; what
 * it does break is liveness: a straggler request revokes the live leader).
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
