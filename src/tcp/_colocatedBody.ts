import type { Fabric, ProcessId } from '../fabric/index.js';

/**
 * The body of the co-located memory test (loaded by name in each OS
 * process). p0 tells p1 to wedge; p1 then blocks its own event loop for
 * `holdMilliseconds` of wall time (a wedged replica). p0 waits a tenth of
 * that (for the message to arrive), reads m1 with a timeout of another tenth,
 * then reads again without one. With m1 served by p1's own event loop the
 * first read times out and the second answers once p1 lets go; with m1 on
 * a node of its own both answer.
 */
export function wedgedHost(args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  const { holdMilliseconds } = args as { holdMilliseconds: number };
  const tenthMicroseconds = (holdMilliseconds * 1000) / 10;
  const cell = { memory: 1, region: 'cell', offset: 0 };
  if (process === 1) {
    return async (fabric) => {
      await fabric.receive();
      const until = Date.now() + holdMilliseconds;
      while (Date.now() < until) {
        // Busy on purpose: nothing else on this event loop runs meanwhile.
      }
      return 'released';
    };
  }
  if (process === 0) {
    return async (fabric) => {
      const outcome = (error: Error) => error.name;
      fabric.send(1, new Uint8Array([1]));
      await fabric.sleep(tenthMicroseconds);
      const during = await fabric.read(cell, 8, { timeout: tenthMicroseconds }).then(() => 'answered', outcome);
      const after = await fabric.read(cell, 8).then(() => 'answered', outcome);
      return { during, after };
    };
  }
  return undefined;
}
