import { parentPort, workerData } from 'node:worker_threads';
import { preparePlan, runSeed, SeedConfigurationError, type SweepPlan } from './seedRun.js';

/**
 * A sweep's worker thread: loads the plan's scenario (a user module too),
 * then runs the chunks of seeds the coordinator sends, one outcome message
 * per seed, and a `chunk-done` when a chunk is finished.
 */
export type WorkerRequest = { readonly first: number; readonly count: number };
export type WorkerReply =
  | { readonly kind: 'outcome'; readonly outcome: Awaited<ReturnType<typeof runSeed>> }
  | { readonly kind: 'chunk-done' }
  | { readonly kind: 'error'; readonly message: string; readonly configuration: boolean };

const plan = workerData as SweepPlan;
const port = parentPort;
if (port) {
  const prepared = preparePlan(plan);
  port.on('message', async ({ first, count }: WorkerRequest) => {
    try {
      await prepared;
      for (let seed = first; seed < first + count; seed++) port.postMessage({ kind: 'outcome', outcome: await runSeed(plan, seed) } satisfies WorkerReply);
      port.postMessage({ kind: 'chunk-done' } satisfies WorkerReply);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      port.postMessage({ kind: 'error', message, configuration: error instanceof SeedConfigurationError } satisfies WorkerReply);
    }
  });
}
