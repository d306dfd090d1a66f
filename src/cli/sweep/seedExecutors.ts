import { Worker } from 'node:worker_threads';
import { runSeed, SeedConfigurationError, type SeedOutcome, type SweepPlan } from './seedRun.js';
import type { WorkerReply } from './sweepWorker.js';

/**
 * Who runs a sweep's seeds: this thread, or a pool of worker threads. Both
 * take the next seeds from `nextChunk` (ascending, so that every seed below
 * one handed out is already handed out) and report each outcome; both stop
 * taking seeds when `nextChunk` returns undefined, and stop at once, dropping
 * what is in flight, when `signal` aborts.
 */
export interface SeedSource {
  /** The next seeds to run, or undefined when there are no more to hand out. */
  nextChunk(): { first: number; count: number } | undefined;
  onOutcome(outcome: SeedOutcome): void;
  /** Whether the executor may stop now (what is in flight is no longer needed). */
  finished(): boolean;
}

/** Runs seeds one after the other in this thread, yielding to the event loop between seeds so that a signal can be handled. */
export async function runSeedsHere(plan: SweepPlan, source: SeedSource, signal: AbortSignal): Promise<void> {
  for (let chunk = source.nextChunk(); chunk !== undefined && !signal.aborted; chunk = source.nextChunk()) {
    for (let seed = chunk.first; seed < chunk.first + chunk.count; seed++) {
      source.onOutcome(await runSeed(plan, seed));
      await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted || source.finished()) return;
    }
  }
}

/** Runs seeds on `workers` worker threads, each fed a chunk at a time; terminates them all at the end. */
export async function runSeedsOnWorkers(plan: SweepPlan, source: SeedSource, workers: number, signal: AbortSignal): Promise<void> {
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let idle = 0;
      // A signal that arrived before the pool started stops it too (an aborted signal fires no more events).
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      const feed = (worker: Worker): void => {
        const chunk = source.finished() ? undefined : source.nextChunk();
        if (chunk) {
          worker.postMessage(chunk);
          return;
        }
        idle++;
        if (idle === pool.length) resolve();
      };
      for (let index = 0; index < workers; index++) {
        const worker = new Worker(new URL('./sweepWorker.js', import.meta.url), { workerData: plan });
        pool.push(worker);
        worker.on('message', (reply: WorkerReply) => {
          if (signal.aborted) return;
          if (reply.kind === 'outcome') {
            source.onOutcome(reply.outcome);
            if (source.finished()) resolve();
          } else if (reply.kind === 'chunk-done') feed(worker);
          else reject(reply.configuration ? new SeedConfigurationError(reply.message) : new Error(`a sweep worker failed: ${reply.message}`));
        });
        worker.on('error', (error) => reject(new Error(`a sweep worker failed: ${error.message}`)));
        worker.on('exit', (code) => {
          if (code !== 0 && !signal.aborted) reject(new Error(`a sweep worker exited with code ${code}`));
        });
      }
      for (const worker of pool) feed(worker);
    });
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
}
