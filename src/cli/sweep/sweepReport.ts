import { provenance, type Provenance } from '../../trace/provenance.js';
import type { SeedFailure, SweepPlan } from './seedRun.js';
import type { SeedRange } from './runSweep.js';
import type { Shard } from './seedSlice.js';
import { lowestFailure, sortedByProperty, type SweepTally } from './sweepTally.js';

/** How many failing seeds the text output lists (the JSON lists up to --max-failures). */
export const textFailuresShown = 10;

/** What a sweep was asked to do, as it appears in its JSON (merge compares these). */
export interface SweepRequest {
  readonly plan: SweepPlan;
  /** The whole sweep's seeds (all shards together). */
  readonly range: SeedRange;
  readonly shard: Shard | null;
  /** The seeds this run was given: the whole range, or its shard's slice. */
  readonly slice: SeedRange;
}

/** A sweep's outcome as it is printed. */
export interface SweepSummary {
  readonly request: SweepRequest;
  readonly tally: SweepTally;
  readonly interrupted: boolean;
  readonly stoppedAt: number | null;
  readonly elapsedMs: number;
  readonly workers: number;
  /** The mnm that ran the seeds (merged shards: theirs, which may not be the merging one's); this mnm's when absent. */
  readonly provenance?: Provenance;
}

/**
 * The `--json` object. `firstViolation` (the lowest failing seed) stays for
 * compatibility; `failures` lists the lowest `maxFailures` failing seeds.
 */
export function sweepJson(summary: SweepSummary): Record<string, unknown> {
  const { request, tally } = summary;
  const { plan } = request;
  return {
    protocol: plan.protocol,
    runs: tally.runs,
    violations: tally.violations,
    blocked: tally.blocked,
    undecided: tally.undecided,
    sized: tally.sized,
    byProperty: sortedByProperty(tally),
    firstViolation: lowestFailure(tally) ?? null,
    failures: tally.failures,
    maxFailures: tally.maxFailures,
    elapsedMs: summary.elapsedMs,
    workers: summary.workers,
    mutant: plan.base.mutant ?? null,
    faults: plan.fixed ? 'mixed' : plan.base.faults,
    mixed: plan.fixed !== undefined,
    range: request.range,
    shard: request.shard ? { ...request.shard, ...request.slice } : null,
    interrupted: summary.interrupted,
    stoppedAt: summary.stoppedAt,
    plan,
    ...(summary.provenance ?? provenance()),
  };
}

/** The text summary: counts, the lowest failing seed's replay command, and the failing seeds up to a small cap. */
export function sweepText(summary: SweepSummary, signalName?: string): string {
  const { request, tally } = summary;
  const { plan, slice } = request;
  const last = summary.stoppedAt ?? slice.first + slice.count - 1;
  const seeds = summary.interrupted ? `${tally.runs} of seeds ${slice.first}..${last} finished` : `seeds ${slice.first}..${last}`;
  const shard = request.shard ? `, shard ${request.shard.index}/${request.shard.of} of seeds ${request.range.first}..${request.range.first + request.range.count - 1}` : '';
  const lines = [
    `sweep ${plan.protocol}: ${tally.runs} runs (${seeds}${shard}), ${plan.fixed ? 'mixed configurations' : `faults=${plan.base.faults}`}${plan.base.mutant ? `, mutant=${plan.base.mutant}` : ''}${plan.base.backend && plan.base.backend !== 'sim' ? `, backend=${plan.base.backend}` : ''}, ${summary.elapsedMs} ms, ${summary.workers} worker${summary.workers === 1 ? '' : 's'}`,
  ];
  const byProperty = Object.entries(sortedByProperty(tally));
  lines.push(`violations: ${tally.violations}${tally.violations > 0 ? ` (${byProperty.map(([property, count]) => `${property}: ${count}`).join(', ')})` : ''}; blocked (faults beyond tolerance): ${tally.blocked}${tally.undecided > 0 ? `; linearizability undecided: ${tally.undecided}` : ''}${tally.sized > 0 ? `; ended for sizing (stream-full, snapshot-full): ${tally.sized}` : ''}`);
  const first = lowestFailure(tally);
  if (first) {
    lines.push(`first violation: seed ${first.seed}: ${violationLine(first)}`);
    lines.push(`replay: ${first.replay}`);
  }
  if (tally.failures.length > 1) {
    const shown = tally.failures.slice(0, textFailuresShown);
    lines.push(`failing seeds (${shown.length === tally.violations ? 'all' : `lowest ${shown.length} of`} ${tally.violations}; --json lists up to ${tally.maxFailures}):`);
    for (const failure of shown) lines.push(`  seed ${failure.seed}: ${violationLine(failure)}`, `    ${failure.replay}`);
  }
  if (summary.interrupted) lines.push(`INTERRUPTED${signalName ? ` (${signalName})` : ''}: partial summary; ${tally.violations === 0 ? 'no violation so far' : 'FAILED so far'}`);
  else lines.push(tally.violations === 0 ? 'PASSED' : 'FAILED');
  return lines.join('\n') + '\n';
}

function violationLine(failure: SeedFailure): string {
  const [violation] = failure.violations;
  return violation ? `${violation.property}: ${violation.detail}` : 'violation';
}
