/**
 * The consensus mutants: deliberate bugs that the sweeps and scripted
 * schedules must catch (docs/consensus.md lists which test catches which).
 * Each catalogue serves a log and its one-entry (single-decree) scenario
 * alike: `pmp` and `pmp-log` share Protected Memory Paxos' list, `sm-paxos`,
 * `disk-paxos(-pipelined)` and their logs Disk Paxos' list, `paxos` and
 * `multi-paxos` Paxos' list.
 */
export const protectedPaxosMutants = {
  'no-permissions': 'plain writes on open regions: no permission request, so a write no longer proves that the proposer ran alone',
  'phase2-any-memory': "counts a phase-2 write on any memory, even one where this ballot's phase 1 never completed (a straggling permission request lets it through)",
  'fixed-timers': 'phase and leader timeouts stay at their first value and never adapt, so a new leader never finishes when delays vary widely',
  'no-checksum': 'adopts slots without checking their checksum, so a read that overlaps a rewrite can adopt a value torn between two writes',
} as const;
export type ProtectedPaxosMutant = keyof typeof protectedPaxosMutants;

export const diskPaxosMutants = {
  'no-final-read': 'decides after the phase-2 write without reading the other slots again, missing a concurrent higher ballot',
  'fixed-timers': 'phase and leader timeouts stay at their first value and never adapt, so phases never fit when delays vary widely',
  'no-checksum': 'adopts slots without checking their checksum, so a read that overlaps a rewrite can adopt a value torn between two writes',
} as const;
export type DiskPaxosMutant = keyof typeof diskPaxosMutants;

export const paxosMutants = {
  'accept-lower-ballot': 'acceptors accept a proposal even after promising a higher ballot, so two leaders can both win a majority',
} as const;
export type PaxosMutant = keyof typeof paxosMutants;
