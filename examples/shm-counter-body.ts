/**
 * The body of every process of shm-counter.ts. A real backend loads it by
 * module URL inside each worker thread, so it shares nothing with the
 * coordinator but the fabric: it exports a factory `(args, process) => body`.
 */
import type { Fabric } from 'mnm';

export interface CounterArgs {
  readonly increments: number;
}

/** Each process adds 1 to word 0 of region `counter` on m0 `increments` times; returns the largest count it saw. */
export function counterBody(args: unknown, _process: number): (fabric: Fabric) => Promise<number> {
  const { increments } = args as CounterArgs;
  return async (fabric) => {
    let seen = 0n;
    for (let index = 0; index < increments; index++) {
      const previous = await fabric.faa({ memory: 0, region: 'counter', offset: 0 }, 1n);
      seen = previous + 1n;
    }
    return Number(seen);
  };
}
