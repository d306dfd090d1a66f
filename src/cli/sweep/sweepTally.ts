import type { SeedFailure, SeedOutcome } from './seedRun.js';

/**
 * What a sweep counted, independent of the order in which its seeds
 * finished: worker threads and shards finish seeds in any order, and two
 * tallies of the same seeds must print the same summary. Failures are kept
 * sorted by seed, the lowest `maxFailures` of them; the properties are
 * listed in name order.
 */
export interface SweepTally {
  runs: number;
  violations: number;
  blocked: number;
  /** Runs whose linearizability check could not decide (`linearizable: null`, scenarios that report it), without a violation. */
  undecided: number;
  /** Runs that ended for sizing (bft: stream-full, snapshot-full): no liveness owed, reported apart. */
  sized: number;
  /** Violating runs per property (a run counts once per property it violates). */
  byProperty: Record<string, number>;
  /** The failing seeds with the lowest numbers, at most `maxFailures`, ascending. */
  failures: SeedFailure[];
  readonly maxFailures: number;
}

export function emptyTally(maxFailures: number): SweepTally {
  return { runs: 0, violations: 0, blocked: 0, undecided: 0, sized: 0, byProperty: {}, failures: [], maxFailures };
}

/** Counts one seed's outcome. */
export function addOutcome(tally: SweepTally, outcome: SeedOutcome): void {
  tally.runs++;
  if (outcome.blocked) tally.blocked++;
  if (outcome.ok && outcome.undecided) tally.undecided++;
  if (outcome.sized) tally.sized++;
  if (outcome.ok || !outcome.failure) return;
  tally.violations++;
  for (const property of new Set(outcome.failure.violations.map((violation) => violation.property))) tally.byProperty[property] = (tally.byProperty[property] ?? 0) + 1;
  keepLowest(tally, [outcome.failure]);
}

/** Adds another tally's counts (of other seeds) into `tally`. */
export function addTally(tally: SweepTally, other: SweepTally): void {
  tally.runs += other.runs;
  tally.violations += other.violations;
  tally.blocked += other.blocked;
  tally.undecided += other.undecided;
  tally.sized += other.sized;
  for (const [property, count] of Object.entries(other.byProperty)) tally.byProperty[property] = (tally.byProperty[property] ?? 0) + count;
  keepLowest(tally, other.failures);
}

/** The property counts in name order, so that the JSON does not depend on which seed finished first. */
export function sortedByProperty(tally: SweepTally): Record<string, number> {
  return Object.fromEntries(Object.entries(tally.byProperty).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The lowest failing seed, or undefined. */
export function lowestFailure(tally: SweepTally): SeedFailure | undefined {
  return tally.failures[0];
}

function keepLowest(tally: SweepTally, failures: readonly SeedFailure[]): void {
  tally.failures.push(...failures);
  tally.failures.sort((a, b) => a.seed - b.seed);
  if (tally.failures.length > tally.maxFailures) tally.failures.length = tally.maxFailures;
}
