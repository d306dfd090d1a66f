import { getWord, type Fabric, type ProcessId } from '../fabric/index.js';

/**
 * The body of the real backends' host-crash tests (loaded by name inside the
 * workers or OS processes). Host h1 (p1 and m1) is crashed by the test's
 * fault at `crashAt` while p1 bumps a counter on m0 without pause; p0 reads
 * m1 before the crash and again at `checkAt` (with a timeout: a crashed
 * memory never answers), then checks that the counter stopped moving.
 */
export function hostCrash(args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  const { checkAt, settle } = args as { checkAt: number; settle: number };
  const cell = (memory: number) => ({ memory, region: 'cell', offset: 0 });
  if (process === 0) {
    return async (fabric) => {
      const before = await fabric.read(cell(1), 8).then(() => 'answered');
      await fabric.sleep(Math.max(0, checkAt - fabric.now()));
      const after = await fabric.read(cell(1), 8, { timeout: settle }).then(
        () => 'answered',
        (error: Error) => error.name,
      );
      const first = getWord(await fabric.read(cell(0), 8), 0);
      await fabric.sleep(settle);
      const second = getWord(await fabric.read(cell(0), 8), 0);
      return { before, after, bumped: first > 0n, stopped: first === second };
    };
  }
  if (process === 1) {
    return async (fabric) => {
      for (let round = 0; ; round++) {
        await fabric.faa(cell(0), 1n);
        if (round % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    };
  }
  return undefined;
}
