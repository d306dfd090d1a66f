import { QuorumFailed, TimedOut } from './errors.js';
import type { Fabric } from './fabric.js';
import type { MemoryId } from './types.js';

/** The smallest majority of `count`. */
export function majority(count: number): number {
  return Math.floor(count / 2) + 1;
}

/** One success of a quorum: which task and what it gave. */
export interface QuorumSuccess<T> {
  readonly index: number;
  readonly value: T;
}

export interface QuorumOptions {
  /** Reject with `TimedOut` when the quorum is not reached within this duration. Needs `timers`. */
  readonly timeout?: number;
  readonly timers?: Pick<Fabric, 'setTimer'>;
}

/**
 * "For every … in parallel, until `needed` completed": starts every task at
 * once, resolves with the first `needed` successes (in completion order),
 * rejects with `QuorumFailed` as soon as `needed` can no longer be reached,
 * and leaves the stragglers running in the background (their results are
 * ignored; their failures are swallowed so they cannot surface as unhandled).
 */
export function quorum<T>(tasks: readonly (() => Promise<T>)[], needed: number, options: QuorumOptions = {}): Promise<QuorumSuccess<T>[]> {
  if (!Number.isInteger(needed) || needed < 0 || needed > tasks.length) {
    return Promise.reject(new RangeError(`quorum: needed ${needed} of ${tasks.length} tasks`));
  }
  if (needed === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const successes: QuorumSuccess<T>[] = [];
    const failures: { index: number; error: unknown }[] = [];
    let settled = false;
    let cancelTimer: (() => void) | undefined;
    const finish = (outcome: () => void) => {
      settled = true;
      cancelTimer?.();
      outcome();
    };
    if (options.timeout !== undefined) {
      if (!options.timers) throw new RangeError('quorum: a timeout needs timers (pass the fabric)');
      const timeout = options.timeout;
      cancelTimer = options.timers.setTimer(timeout, () => {
        if (!settled) finish(() => reject(new TimedOut(`quorum of ${needed}/${tasks.length} (${successes.length} succeeded)`, timeout)));
      });
    }
    tasks.forEach((task, index) => {
      let promise: Promise<T>;
      try {
        promise = task();
      } catch (error) {
        promise = Promise.reject(error);
      }
      promise.then(
        (value) => {
          if (settled) return;
          successes.push({ index, value });
          if (successes.length === needed) finish(() => resolve(successes));
        },
        (error: unknown) => {
          if (settled) return;
          failures.push({ index, error });
          if (failures.length > tasks.length - needed) finish(() => reject(new QuorumFailed(needed, tasks.length, failures)));
        },
      );
    });
  });
}

/** `quorum` over memories: runs `task(m)` for every memory in `memories`, until `needed` succeeded. */
export function forEachMemory<T>(
  memories: readonly MemoryId[],
  needed: number,
  task: (memory: MemoryId) => Promise<T>,
  options: QuorumOptions = {},
): Promise<(QuorumSuccess<T> & { readonly memory: MemoryId })[]> {
  return quorum(
    memories.map((memory) => () => task(memory)),
    needed,
    options,
  ).then((successes) => successes.map((success) => ({ ...success, memory: memories[success.index] })));
}
