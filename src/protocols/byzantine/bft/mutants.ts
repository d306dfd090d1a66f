/**
 * The deliberately broken variants of Byzantine consensus on consistent
 * broadcast (specs/bft-consensus.md §6): each breaks one step the safety
 * argument (§4) rests on. Every one must be caught by the sweep and by a
 * test replaying the spec's interleaving. A replica runs at most one, given
 * in its config (`mutant`); correct code never reads this table.
 */
export const bftMutants = {
  'fast-f+1': '2.4.5: a replica decides fast on f+1 COMMIT-FASTs instead of all n',
  'certify-if-decided': '2.5.2: sealing puts into F only the instances the replica decided, not every live one it promised',
  'seal-late': '2.5.2: a replica stays live (keeps COMMIT-FASTing) until it writes SEAL, not from its trigger on',
  'unchecked-commit-pc': "2.2: a COMMIT's prepare certificate is not checked",
  'seal-without-prefix': "2.6.1: a SEAL is certified without the sealer's earlier stream (its COMMITs) processed first",
  'no-fifo': "2.4.2: a leader's PREPAREs are accepted in delivery order per replica, not in the stream's k order",
  'lowest-view': '2.6.4: NEW_VIEW re-proposes the lowest-view value of an instance instead of the highest',
  'duplicate-signers': '2.2: a certificate counts shares, not distinct signers',
  'late-commit-counts': "2.2: a COMMIT written after its sender's SEAL of that view (outside the epoch) still counts",
  'unchecked-requests': "2.4.2: a PREPARE's requests are not checked against their clients' signatures",
  'no-dedupe': '2.4.8: a request (c, s) executed again when it is decided twice',
  'old-treq': '2.4.8: Treq is not restarted on entering a new view',
  'install-back': '2.7.2: STATE installed even when CP.next is not beyond executed+1 (state moves backwards)',
  'rewritten-record': "2.1: a stream record is rewritten instead of written once: its echo and signed follow the sender slot under bits already set, checked kept (the CB's `rewritten-record`)",
  'torn-blocks': "2.1: checks wait for clean copies: a broadcast is not stepped while a copy of a block it reads holds a torn field (the CB's `torn-blocks`)",
  'unchecked-value': "2.1: a delivered m is not checked against the hash h the records certified (the CB's `unchecked-value`)",
  'stale-obligations': '2.4.3: timers are started for any accepted instance, even of a view the replica left',
  'fixed-timers': '2.5.4: timeouts never double',
  'op-executed': '2.4.8: executed means "this op ran", not "(c, s) ran"',
  'share-once': '2.4.6: a replica sends its SHARE once, never again when asked',
  'hold-only-snapshot': '2.7.1: a replica keeps only its newest snapshot',
  'fifo-treq': "2.4.8: one Treq per (c, s) instead of per client's newest request",
} as const;

export type BftMutant = keyof typeof bftMutants;

export function isBftMutant(name: string): name is BftMutant {
  return name in bftMutants;
}

/**
 * Every §6 mutant is built: `no-fifo` and `seal-without-prefix` run on a
 * CB that hands each k over as delivered (`release: 'arrival'`) and
 * streamOrder.ts; the §2.1 ones (`rewritten-record`, `torn-blocks`,
 * `unchecked-value`) are variants of the broadcast layer's records and
 * checks, handed to the replica's CB (protocols/byzantine/mutants.ts).
 */
export const unbuiltBftMutants: ReadonlySet<BftMutant> = new Set([]);

/** The mutants a run can ask for (`mnm run bft --mutant NAME`, `mnm mutants`). */
export const builtBftMutants: Readonly<Partial<Record<BftMutant, string>>> = Object.fromEntries(Object.entries(bftMutants).filter(([name]) => !unbuiltBftMutants.has(name as BftMutant)));
