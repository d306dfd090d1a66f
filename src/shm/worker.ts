import { parentPort, workerData } from 'node:worker_threads';
import { ShmFabric } from './shmFabric.js';
import type { BodyFactory, BodyReference } from '../realtime/operationJournal.js';
import type { SharedWorld } from './sharedWorld.js';

/**
 * The entry of one process's worker thread. It builds the process's fabric
 * on the shared world, loads the body from its module (so the body is built
 * here, from data, sharing nothing with other processes), says `ready`, runs
 * the body when the coordinator says `start`, and reports `done` or `error`.
 * It keeps serving (message handlers, timers) until it is terminated.
 */
export interface WorkerInput {
  readonly world: SharedWorld;
  readonly self: number;
  readonly seed: number;
  readonly unitMicroseconds: number;
  readonly body: BodyReference;
}

export type WorkerReport =
  | { readonly type: 'ready'; readonly idle: boolean }
  | { readonly type: 'done'; readonly result: unknown }
  | { readonly type: 'error'; readonly message: string };

const input = workerData as WorkerInput;
const port = parentPort;
if (!port) throw new Error('shm worker: started outside a worker thread');

const fabric = new ShmFabric(input.world, input.self, input.seed, input.unitMicroseconds);
const report = (message: WorkerReport) => port.postMessage(message);

try {
  const module = (await import(input.body.module)) as Record<string, unknown>;
  const factory = module[input.body.export] as BodyFactory | undefined;
  if (typeof factory !== 'function') throw new Error(`module ${input.body.module} exports no function '${input.body.export}'`);
  const body = factory(input.body.args, input.self);
  port.on('message', (message: { type: 'start'; epoch: string }) => {
    if (message.type !== 'start') return;
    fabric.start(BigInt(message.epoch));
    if (!body) return;
    body(fabric).then(
      (result) => report({ type: 'done', result: result === undefined ? null : result }),
      (error: unknown) => report({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  // The clock thread of sub-millisecond timers boots in milliseconds: before the run's start, not inside it.
  await fabric.ready();
  report({ type: 'ready', idle: body === undefined });
} catch (error) {
  report({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
