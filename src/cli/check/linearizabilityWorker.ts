import { parentPort, workerData } from 'node:worker_threads';
import { checkLinearizability, HistoryError, models, type Operation } from '../../check/index.js';

/**
 * The thread that runs `mnm check`'s search, so that the command's own
 * thread stays free to handle Ctrl-C: the search is synchronous, and a
 * signal's listener runs only when the event loop turns.
 */
export interface CheckRequest {
  readonly operations: readonly Operation[];
  readonly model: string;
  readonly timeoutMs: number;
}

export type CheckReply =
  | { readonly kind: 'progress'; readonly done: number; readonly total: number }
  | { readonly kind: 'result'; readonly result: ReturnType<typeof checkLinearizability> }
  | { readonly kind: 'history-error'; readonly line: number; readonly message: string };

const request = workerData as CheckRequest;
const port = parentPort;
if (port) {
  const deadline = performance.now() + request.timeoutMs;
  try {
    const result = checkLinearizability(request.operations, models[request.model as keyof typeof models], {
      interrupt: () => performance.now() > deadline,
      onProgress: (done, total) => port.postMessage({ kind: 'progress', done, total } satisfies CheckReply),
    });
    port.postMessage({ kind: 'result', result } satisfies CheckReply);
  } catch (error) {
    if (!(error instanceof HistoryError)) throw error;
    port.postMessage({ kind: 'history-error', line: error.line, message: error.message.replace(/^line \d+: /, '') } satisfies CheckReply);
  }
}
