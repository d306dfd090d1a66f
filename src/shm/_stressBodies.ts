import { getWord, PermissionDenied, type Fabric, type ProcessId } from '../fabric/index.js';

/**
 * Bodies of the shm stress tests (loaded by name inside the workers).
 *
 * `tearing`: p0 rewrites a 64-byte record with all words A, then all words B,
 * as fast as it can; p1 reads it and counts whole records and torn ones (some
 * words A, some B). A word that is neither A nor B would break word atomicity.
 *
 * `deadWriter`: p0 holds write access to an exclusive-writer region and
 * writes without pause until it is crashed; p1 waits until p0 is dead, then
 * takes write access (which must not wedge on whatever p0 held) and checks
 * that nothing of p0 lands afterwards.
 *
 * `orderedRace`: every process requests write access to an
 * ordered-exclusive-writer region at once, with proposal number p + 1, then
 * (after all have asked, told through p0) tries to write. Whatever the
 * interleaving, only the highest proposal may hold write access at the end:
 * a lower request that compared before the highest's grant but changed the
 * access list after it would leave a stale writer.
 */
const wordA = 0x4141414141414141n;
const wordB = 0x4242424242424242n;

export function tearing(args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  const { reads } = args as { reads: number };
  const address = { memory: 0, region: 'record', offset: 0 };
  if (process === 0) {
    return async (fabric) => {
      const a = new Uint8Array(new BigUint64Array(8).fill(wordA).buffer);
      const b = new Uint8Array(new BigUint64Array(8).fill(wordB).buffer);
      let writes = 0;
      // Stop when the reader says it is done (a message), checked between batches.
      let done = false;
      fabric.onMessage(() => (done = true));
      while (!done) {
        for (let index = 0; index < 64; index++) await fabric.write(address, writes++ % 2 === 0 ? a : b);
        await new Promise((resolve) => setImmediate(resolve));
      }
      return { writes };
    };
  }
  if (process === 1) {
    return async (fabric) => {
      let whole = 0;
      let torn = 0;
      let broken = 0;
      for (let index = 0; index < reads; index++) {
        const bytes = await fabric.read(address, 64);
        const words = Array.from({ length: 8 }, (_, word) => getWord(bytes, word * 8));
        if (words.some((word) => word !== wordA && word !== wordB && word !== 0n)) broken++;
        else if (new Set(words).size === 1) whole++;
        else torn++;
        if (index % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      fabric.send(0, new Uint8Array([1]));
      return { whole, torn, broken };
    };
  }
  return undefined;
}

export function deadWriter(_args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  const region = { memory: 0, region: 'guarded' };
  if (process === 0) {
    return async (fabric) => {
      const data = new Uint8Array(4096).fill(0xee);
      fabric.send(1, new Uint8Array([1])); // "I am writing"
      for (;;) await fabric.write({ ...region, offset: 0 }, data);
    };
  }
  if (process === 1) {
    return async (fabric) => {
      await fabric.receive();
      // p0 is crashed by the test's fault while it writes; wait long enough for that.
      await fabric.sleep(200_000);
      await fabric.requestPermission(region, 'read-write');
      const mine = new Uint8Array(4096).fill(0x11);
      await fabric.write({ ...region, offset: 0 }, mine);
      const seen = new Set<number>();
      for (let check = 0; check < 50; check++) for (const byte of await fabric.read({ ...region, offset: 0 }, 4096)) seen.add(byte);
      let deniedAfter = 0;
      try {
        await fabric.requestPermission(region, 'read-write');
      } catch (error) {
        if (error instanceof PermissionDenied) deniedAfter++;
      }
      return { seen: [...seen], deniedAfter };
    };
  }
  return undefined;
}

export function orderedRace(_args: unknown, process: ProcessId): (fabric: Fabric) => Promise<unknown> {
  const region = { memory: 0, region: 'log' };
  return async (fabric) => {
    const granted = await fabric.requestPermission(region, 'read-write', { proposal: BigInt(process + 1) }).then(
      () => true,
      (error) => (error instanceof PermissionDenied ? false : Promise.reject(error)),
    );
    if (process === 0) {
      for (let other = 1; other < fabric.processCount; other++) await fabric.receive();
      for (let other = 1; other < fabric.processCount; other++) fabric.send(other, new Uint8Array([1]));
    } else {
      fabric.send(0, new Uint8Array([1]));
      await fabric.receive();
    }
    const wrote = await fabric.write({ ...region, offset: 8 * process }, new Uint8Array(8).fill(process + 1)).then(
      () => true,
      (error) => (error instanceof PermissionDenied ? false : Promise.reject(error)),
    );
    return { granted, wrote };
  };
}
