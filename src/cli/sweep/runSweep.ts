import { runSeedsHere, runSeedsOnWorkers, type SeedSource } from './seedExecutors.js';
import type { SeedOutcome, SweepPlan } from './seedRun.js';
import { addOutcome, emptyTally, type SweepTally } from './sweepTally.js';

/** A contiguous range of seeds: first, first+1, …, first+count-1. */
export interface SeedRange {
  readonly first: number;
  readonly count: number;
}

export interface SweepSettings {
  /** Worker threads; 1 runs the seeds in this thread. */
  readonly workers: number;
  /** Stop at the first violation (see `runSweep`). */
  readonly stop: boolean;
  readonly maxFailures: number;
  /** Aborts on an interrupt: workers are terminated and the seeds finished so far are tallied. */
  readonly signal: AbortSignal;
  /** Called after each seed is tallied. */
  readonly onProgress?: (tally: SweepTally) => void;
}

export interface SweepResult {
  readonly tally: SweepTally;
  /** The sweep was interrupted: `tally` holds the seeds that finished, not a prefix of the range. */
  readonly interrupted: boolean;
  /** With `stop`: the violating seed it stopped at. */
  readonly stoppedAt?: number;
}

/**
 * Runs a range of seeds and tallies them in seed order, whichever worker
 * finished which seed first: outcomes wait in a buffer until every lower
 * seed has been tallied (the buffer holds at most what is in flight, since
 * seeds are handed out in ascending order).
 *
 * With `stop`, no seed above the lowest violating seed found so far is
 * handed out, and the sweep ends once every seed below it has finished; the
 * tally then covers exactly the seeds from the first to that violating seed
 * — what a single-worker sweep reports — and outcomes of higher seeds that
 * happened to finish are dropped.
 */
export async function runSweep(plan: SweepPlan, range: SeedRange, settings: SweepSettings): Promise<SweepResult> {
  const tally = emptyTally(settings.maxFailures);
  const end = range.first + range.count;
  const waiting = new Map<number, SeedOutcome>();
  let nextToTally = range.first;
  let nextToHandOut = range.first;
  let stopSeed: number | undefined;
  const chunkSize = Math.max(1, Math.min(32, Math.ceil(range.count / (settings.workers * 16))));
  const limit = (): number => (stopSeed === undefined ? end : stopSeed + 1);
  const source: SeedSource = {
    nextChunk() {
      const count = Math.min(chunkSize, limit() - nextToHandOut);
      if (count <= 0) return undefined;
      const chunk = { first: nextToHandOut, count };
      nextToHandOut += count;
      return chunk;
    },
    onOutcome(outcome) {
      if (settings.stop && !outcome.ok && (stopSeed === undefined || outcome.seed < stopSeed)) stopSeed = outcome.seed;
      waiting.set(outcome.seed, outcome);
      while (nextToTally < limit() && waiting.has(nextToTally)) {
        addOutcome(tally, waiting.get(nextToTally) as SeedOutcome);
        waiting.delete(nextToTally);
        nextToTally++;
        settings.onProgress?.(tally);
      }
    },
    finished: () => nextToTally >= limit(),
  };
  if (settings.workers <= 1) await runSeedsHere(plan, source, settings.signal);
  else await runSeedsOnWorkers(plan, source, settings.workers, settings.signal);
  const interrupted = settings.signal.aborted && nextToTally < limit();
  if (interrupted) {
    // Seeds that finished above a gap still count: the partial summary says what is known.
    for (const seed of [...waiting.keys()].sort((a, b) => a - b)) if (seed < limit()) addOutcome(tally, waiting.get(seed) as SeedOutcome);
  }
  return { tally, interrupted, ...(stopSeed !== undefined && settings.stop ? { stoppedAt: stopSeed } : {}) };
}
