import { Worker } from 'node:worker_threads';
import { HistoryError, type checkLinearizability } from '../../check/index.js';
import type { CheckReply, CheckRequest } from './linearizabilityWorker.js';

/**
 * `checkLinearizability` on a worker thread: resolves with its result, or
 * with 'interrupted' as soon as `signal` aborts (the worker is terminated).
 * A history the model refuses rejects with the same HistoryError as the
 * synchronous call.
 */
export function checkOffThread(request: CheckRequest, signal: AbortSignal, onProgress: (done: number, total: number) => void): Promise<ReturnType<typeof checkLinearizability> | 'interrupted'> {
  const worker = new Worker(new URL('./linearizabilityWorker.js', import.meta.url), { workerData: request });
  return new Promise<ReturnType<typeof checkLinearizability> | 'interrupted'>((resolve, reject) => {
    if (signal.aborted) resolve('interrupted');
    signal.addEventListener('abort', () => resolve('interrupted'), { once: true });
    worker.on('message', (reply: CheckReply) => {
      if (reply.kind === 'progress') onProgress(reply.done, reply.total);
      else if (reply.kind === 'result') resolve(reply.result);
      else reject(new HistoryError(reply.line, reply.message));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`the check's worker exited with code ${code}`)));
  }).finally(() => void worker.terminate());
}
