import { readFileSync } from 'node:fs';
import type { Provenance } from '../../trace/provenance.js';
import { UsageError } from '../usage.js';
import type { SweepPlan } from './seedRun.js';
import type { SeedRange } from './runSweep.js';
import type { SweepSummary } from './sweepReport.js';
import { addTally, emptyTally, type SweepTally } from './sweepTally.js';

/** One input of `mnm sweep merge`: the parts of a sweep's `--json` that merging needs. */
interface ShardInput {
  readonly file: string;
  readonly plan: SweepPlan;
  readonly range: SeedRange;
  readonly index: number;
  readonly of: number;
  readonly slice: SeedRange;
  readonly tally: SweepTally;
  readonly elapsedMs: number;
  readonly workers: number;
  readonly provenance: Provenance;
}

/**
 * Combines the `--json` outputs of the shards of one sweep (`--shard I/N`)
 * into the summary the unsharded sweep prints. Refused, naming the file:
 * an input that is not a sweep's JSON, a different configuration or seed
 * range, two inputs holding the same shard (overlapping seeds), a shard that
 * did not run its whole slice (interrupted, or stopped by --stop), a
 * missing shard, and shards written by different mnm versions. The merged
 * summary carries the shards' mnm version. The merged `elapsedMs` is the longest shard's (the wall time
 * when they ran side by side) and `workers` the sum over shards.
 */
export function mergeSweeps(files: readonly string[]): SweepSummary {
  if (files.length === 0) throw new UsageError('merge: expected the --json outputs of the shards of one sweep (mnm sweep merge FILE...)');
  const inputs = files.map(readInput);
  const [reference] = inputs;
  for (const input of inputs.slice(1)) {
    // Another mnm may draw, schedule or judge differently: its seeds are not the same runs.
    if (input.provenance.mnmVersion !== reference.provenance.mnmVersion) throw new UsageError(`merge: ${input.file} was written by mnm ${input.provenance.mnmVersion}, ${reference.file} by mnm ${reference.provenance.mnmVersion}`);
    if (input.plan.protocol !== reference.plan.protocol) throw new UsageError(`merge: ${input.file} sweeps ${input.plan.protocol}, but ${reference.file} sweeps ${reference.plan.protocol}`);
    if (JSON.stringify(input.plan) !== JSON.stringify(reference.plan)) throw new UsageError(`merge: ${input.file} and ${reference.file} sweep ${reference.plan.protocol} with different options (${JSON.stringify(input.plan.fixed ?? input.plan.base)} vs ${JSON.stringify(reference.plan.fixed ?? reference.plan.base)})`);
    if (input.range.first !== reference.range.first || input.range.count !== reference.range.count || input.of !== reference.of) {
      throw new UsageError(`merge: ${input.file} is shard ${input.index}/${input.of} of seeds ${rangeText(input.range)}, but ${reference.file} is shard ${reference.index}/${reference.of} of seeds ${rangeText(reference.range)}`);
    }
  }
  const byIndex = new Map<number, ShardInput>();
  for (const input of inputs) {
    const other = byIndex.get(input.index);
    if (other) throw new UsageError(`merge: ${other.file} and ${input.file} both hold shard ${input.index}/${input.of} (overlapping seeds ${rangeText(input.slice)})`);
    byIndex.set(input.index, input);
  }
  const missing = Array.from({ length: reference.of }, (_, index) => index).filter((index) => !byIndex.has(index));
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).map((index) => `${index}/${reference.of}`);
    throw new UsageError(`merge: missing shard${missing.length > 1 ? 's' : ''} ${shown.join(', ')}${missing.length > shown.length ? ` and ${missing.length - shown.length} more` : ''} of seeds ${rangeText(reference.range)}`);
  }
  const tally = emptyTally(Math.min(...inputs.map((input) => input.tally.maxFailures)));
  for (const input of inputs) addTally(tally, input.tally);
  return {
    request: { plan: reference.plan, range: reference.range, shard: null, slice: reference.range },
    tally,
    interrupted: false,
    stoppedAt: null,
    elapsedMs: Math.max(...inputs.map((input) => input.elapsedMs)),
    workers: inputs.reduce((sum, input) => sum + input.workers, 0),
    provenance: reference.provenance,
  };
}

function readInput(file: string): ShardInput {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new UsageError(`merge: cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UsageError(`merge: ${file} is not JSON (expected what 'mnm sweep … --json' prints)`);
  }
  const isRange = (value: unknown): value is SeedRange => typeof value === 'object' && value !== null && Number.isSafeInteger((value as SeedRange).first) && Number.isSafeInteger((value as SeedRange).count);
  const counts = ['runs', 'violations', 'blocked', 'maxFailures'] as const;
  const plan = json.plan as SweepPlan | undefined;
  if (typeof json !== 'object' || json === null || typeof json.mnmVersion !== 'string' || typeof json.traceVersion !== 'number' || !isRange(json.range) || typeof plan?.protocol !== 'string' || !counts.every((name) => Number.isSafeInteger(json[name])) || !Array.isArray(json.failures) || typeof json.byProperty !== 'object') {
    throw new UsageError(`merge: ${file} is not a sweep's JSON (expected what 'mnm sweep … --json' prints: range, plan, runs, failures, …)`);
  }
  const shard = json.shard as { index: number; of: number; first: number; count: number } | null;
  const range = json.range;
  const slice = shard ? { first: shard.first, count: shard.count } : range;
  if (json.interrupted === true) throw new UsageError(`merge: ${file} was interrupted after ${json.runs as number} of ${slice.count} runs; run its seeds again`);
  if (json.stoppedAt !== null && json.stoppedAt !== undefined) throw new UsageError(`merge: ${file} stopped at seed ${String(json.stoppedAt)} (--stop) before the end of its seeds ${rangeText(slice)}; merge needs every seed run`);
  if (json.runs !== slice.count) throw new UsageError(`merge: ${file} ran ${json.runs as number} of its ${slice.count} seeds ${rangeText(slice)}`);
  return {
    file,
    plan,
    range,
    index: shard?.index ?? 0,
    of: shard?.of ?? 1,
    slice,
    tally: {
      runs: json.runs as number,
      violations: json.violations as number,
      blocked: json.blocked as number,
      // Sweeps from before the count have none.
      undecided: Number(json.undecided) || 0,
      sized: Number(json.sized) || 0,
      byProperty: json.byProperty as Record<string, number>,
      failures: json.failures as SweepTally['failures'],
      maxFailures: json.maxFailures as number,
    },
    elapsedMs: Number(json.elapsedMs) || 0,
    workers: Number(json.workers) || 0,
    provenance: { mnmVersion: json.mnmVersion as string, traceVersion: json.traceVersion as number },
  };
}

function rangeText(range: SeedRange): string {
  return range.count === 0 ? `(none from ${range.first})` : `${range.first}..${range.first + range.count - 1}`;
}
