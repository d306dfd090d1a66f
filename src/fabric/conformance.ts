import assert from 'node:assert/strict';
import { PermissionDenied } from './errors.js';
import { getWord, wordBytes } from './bytes.js';
import type { Fabric } from './fabric.js';
import { forEachMemory, majority, quorum } from './quorum.js';
import type { MemoryId, ProcessId, RegionSpec } from './types.js';

/**
 * The fabric conformance suite, written once against the contract so that
 * every backend (simulator, worker threads, TCP) runs the very same cases.
 *
 * A case is data plus functions of this module only: its world (processes,
 * memories, regions, memories crashed before the start), one body per
 * process (which may run in another thread or OS process, and returns a
 * JSON-serialisable result), and a check over the bodies' results. A backend
 * runs every body to completion and hands the results to `check`.
 */
export interface ConformanceCase {
  readonly name: string;
  readonly processCount: number;
  readonly memoryCount: number;
  readonly regions: readonly RegionSpec[];
  /** Memories crashed before any process starts. */
  readonly crashedMemories?: readonly MemoryId[];
  /** One body per process that runs (processes without a body stay idle). */
  readonly bodies: Readonly<Record<ProcessId, (fabric: Fabric) => Promise<unknown>>>;
  /** Throws (node:assert) when the results break the contract. */
  readonly check: (results: Readonly<Record<ProcessId, unknown>>) => void;
}

const word = (memory: MemoryId, region: string, offset = 0) => ({ memory, region, offset });

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; code?: string; message: string } | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    const failure = error as { name: string; code?: string; message: string };
    return { name: failure.name, ...(failure.code ? { code: failure.code } : {}), message: failure.message };
  }
}

async function readWord(fabric: Fabric, memory: MemoryId, region: string, offset = 0): Promise<string> {
  return getWord(await fabric.read(word(memory, region, offset), 8), 0).toString();
}

export const conformanceCases: readonly ConformanceCase[] = [
  {
    name: 'a verb without permission fails and changes nothing',
    processCount: 3,
    memoryCount: 1,
    regions: [
      { name: 'listed', size: 16, policy: 'access-list', access: { 0: 'read-write', 1: 'read' } },
      { name: 'owned', size: 16, policy: 'single-writer', owner: 0 },
    ],
    bodies: {
      0: async (fabric) => {
        await fabric.write(word(0, 'listed'), wordBytes(7n));
        await fabric.write(word(0, 'owned'), wordBytes(9n));
        fabric.send(1, new Uint8Array([1]));
        await fabric.receive(); // p1 finished its attempts
        return { listed: await readWord(fabric, 0, 'listed'), owned: await readWord(fabric, 0, 'owned') };
      },
      1: async (fabric) => {
        await fabric.receive();
        const attempts = [
          await errorOf(fabric.write(word(0, 'listed'), wordBytes(1n))),
          await errorOf(fabric.cas(word(0, 'listed'), 7n, 2n)),
          await errorOf(fabric.faa(word(0, 'listed'), 3n)),
          await errorOf(fabric.write(word(0, 'owned'), wordBytes(4n))),
          await errorOf(fabric.requestPermission({ memory: 0, region: 'owned' }, 'read-write')),
          await errorOf(fabric.requestPermission({ memory: 0, region: 'listed' }, 'read-write')),
        ];
        const reads = [await readWord(fabric, 0, 'listed'), await readWord(fabric, 0, 'owned')];
        fabric.send(0, new Uint8Array([1]));
        return { attempts, reads };
      },
      2: async (fabric) => errorOf(fabric.read(word(0, 'listed'), 8)),
    },
    check(results) {
      const p1 = results[1] as { attempts: { code?: string }[]; reads: string[] };
      for (const attempt of p1.attempts) assert.equal(attempt?.code, 'permission-denied', JSON.stringify(attempt));
      assert.deepEqual(p1.reads, ['7', '9'], 'p1 reads the unchanged values');
      assert.deepEqual(results[0], { listed: '7', owned: '9' }, 'denied verbs changed nothing');
      assert.equal((results[2] as { code?: string }).code, 'permission-denied', 'a process with no access cannot read');
    },
  },
  {
    name: 'after a revoke completes, no write of the old holder lands',
    processCount: 2,
    memoryCount: 1,
    regions: [{ name: 'guarded', size: 64, policy: 'exclusive-writer', owner: 0 }],
    bodies: {
      0: async (fabric) => {
        // The old holder keeps writing, pipelined, until it is refused.
        let accepted = 0;
        let denied = 0;
        for (let round = 0; round < 400 && denied === 0; round++) {
          const batch = Array.from({ length: 4 }, (_, index) => fabric.write(word(0, 'guarded', 8 * index), wordBytes(BigInt(1000 + round))).then(() => 1, (error) => (error instanceof PermissionDenied ? 0 : Promise.reject(error))));
          for (const outcome of await Promise.all(batch)) outcome === 1 ? accepted++ : denied++;
        }
        return { accepted, denied };
      },
      1: async (fabric) => {
        await fabric.sleep(3);
        await fabric.requestPermission({ memory: 0, region: 'guarded' }, 'read-write');
        const marker = wordBytes(42n);
        await Promise.all(Array.from({ length: 8 }, (_, index) => fabric.write(word(0, 'guarded', 8 * index), marker)));
        const seen: string[] = [];
        for (let check = 0; check < 20; check++) {
          const bytes = await fabric.read(word(0, 'guarded'), 64);
          for (let offset = 0; offset < 64; offset += 8) seen.push(getWord(bytes, offset).toString());
        }
        return { seen: [...new Set(seen)] };
      },
    },
    check(results) {
      const holder = results[0] as { accepted: number; denied: number };
      assert.ok(holder.denied > 0, 'the old holder is refused after the revoke');
      assert.deepEqual((results[1] as { seen: string[] }).seen, ['42'], 'only the new holder\'s writes are visible after its request completed');
    },
  },
  {
    // Mu's straggler: a deposed leader's permission request lands after a newer leader's grant.
    name: 'ordered-exclusive-writer: a late, lower request is refused and changes nothing',
    processCount: 2,
    memoryCount: 2,
    regions: [{ name: 'log', size: 16, policy: 'ordered-exclusive-writer', owner: 1 }],
    bodies: {
      0: async (fabric) => {
        const log = { memory: 0, region: 'log' };
        await fabric.requestPermission(log, 'read-write', { proposal: 5n });
        await fabric.write(word(0, 'log'), wordBytes(1n));
        fabric.send(1, new Uint8Array([1]));
        await fabric.receive(); // p1's lower request, write and request without a number were refused
        await fabric.write(word(0, 'log'), wordBytes(2n));
        const reGrant = await errorOf(fabric.requestPermission(log, 'read-write', { proposal: 5n }));
        const withoutProposal = await errorOf(fabric.requestPermission(log, 'read-write'));
        await fabric.write(word(0, 'log', 8), wordBytes(3n));
        return { reGrant, withoutProposal, final: [await readWord(fabric, 0, 'log'), await readWord(fabric, 0, 'log', 8)] };
      },
      1: async (fabric) => {
        await fabric.receive();
        const log = { memory: 0, region: 'log' };
        const lower = await errorOf(fabric.requestPermission(log, 'read-write', { proposal: 3n }));
        const write = await errorOf(fabric.write(word(0, 'log'), wordBytes(9n)));
        const withoutProposal = await errorOf(fabric.requestPermission(log, 'read-write'));
        const outOfRange = await errorOf(fabric.requestPermission(log, 'read-write', { proposal: -1n }));
        const seen = await readWord(fabric, 0, 'log');
        // Each memory keeps its own highest granted number: m1 has granted nothing above 0 yet.
        const otherMemory = await errorOf(fabric.requestPermission({ memory: 1, region: 'log' }, 'read-write', { proposal: 3n }));
        await fabric.write(word(1, 'log'), wordBytes(4n));
        fabric.send(0, new Uint8Array([1]));
        return { lower, write, withoutProposal, outOfRange, seen, otherMemory, otherMemoryWord: await readWord(fabric, 1, 'log') };
      },
    },
    check(results) {
      const holder = results[0] as { reGrant: unknown; withoutProposal: { code?: string; message: string } | null; final: string[] };
      const late = results[1] as Record<'lower' | 'write' | 'withoutProposal' | 'outOfRange', { name: string; code?: string; message: string } | null> & { seen: string; otherMemory: unknown; otherMemoryWord: string };
      assert.equal(late.lower?.code, 'permission-denied', 'a request lower than the highest granted is refused');
      assert.match(late.lower?.message ?? '', /\b3\b.*\b5\b/, 'the refusal names both numbers');
      assert.equal(late.write?.code, 'permission-denied', 'the refused requester (the owner at creation, revoked by the grant) cannot write');
      assert.equal(late.withoutProposal?.code, 'permission-denied', 'a write request without a proposal is refused');
      assert.match(late.withoutProposal?.message ?? '', /proposal/, 'and the refusal says why');
      assert.equal(late.outOfRange?.name, 'RangeError', 'a proposal outside u64 is refused before it travels');
      assert.equal(late.seen, '1', 'the refused write changed nothing');
      assert.equal(late.otherMemory, null, 'another memory judges by its own highest granted number');
      assert.equal(late.otherMemoryWord, '4');
      assert.equal(holder.reGrant, null, 'an equal proposal is granted again (a leader re-requesting)');
      assert.equal(holder.withoutProposal?.code, 'permission-denied', 'even the holder must carry a proposal');
      assert.deepEqual(holder.final, ['2', '3'], 'the holder\'s writes still land after every refusal');
    },
  },
  {
    name: 'policies other than ordered-exclusive-writer ignore the proposal',
    processCount: 2,
    memoryCount: 1,
    regions: [
      { name: 'plain', size: 8, policy: 'exclusive-writer', owner: 0 },
      { name: 'shared', size: 8, policy: 'open' },
    ],
    bodies: {
      0: async (fabric) => {
        await fabric.receive(); // p1 was granted 'plain' with proposal 9
        const lower = await errorOf(fabric.requestPermission({ memory: 0, region: 'plain' }, 'read-write', { proposal: 1n }));
        const write = await errorOf(fabric.write(word(0, 'plain'), wordBytes(6n)));
        const open = await errorOf(fabric.requestPermission({ memory: 0, region: 'shared' }, 'read-write', { proposal: 0n }));
        fabric.send(1, new Uint8Array([1]));
        return { lower, write, open };
      },
      1: async (fabric) => {
        await fabric.requestPermission({ memory: 0, region: 'plain' }, 'read-write', { proposal: 9n });
        fabric.send(0, new Uint8Array([1]));
        await fabric.receive();
        const write = await errorOf(fabric.write(word(0, 'plain'), wordBytes(7n)));
        return { write, value: await readWord(fabric, 0, 'plain') };
      },
    },
    check(results) {
      assert.deepEqual(results[0], { lower: null, write: null, open: null }, 'a lower number is granted under exclusive-writer and open');
      const revoked = results[1] as { write: { code?: string } | null; value: string };
      assert.equal(revoked.write?.code, 'permission-denied', 'exclusive-writer revoked p1 as usual');
      assert.equal(revoked.value, '6');
    },
  },
  {
    name: 'verbs from one process to one memory take effect in issue order',
    processCount: 1,
    memoryCount: 2,
    regions: [{ name: 'fifo', size: 8, policy: 'open' }],
    bodies: {
      0: async (fabric) => {
        const completions: number[] = [];
        const pending: Promise<unknown>[] = [];
        for (let index = 1; index <= 50; index++) {
          pending.push(fabric.write(word(index % 2, 'fifo'), wordBytes(BigInt(index))).then(() => completions.push(index)));
        }
        const last = await Promise.all([readWord(fabric, 0, 'fifo'), readWord(fabric, 1, 'fifo')]);
        await Promise.all(pending);
        const perMemory = [completions.filter((index) => index % 2 === 0), completions.filter((index) => index % 2 === 1)];
        return { last, perMemory };
      },
    },
    check(results) {
      const { last, perMemory } = results[0] as { last: string[]; perMemory: number[][] };
      assert.deepEqual(last, ['50', '49'], 'a read issued after the writes sees the last of them');
      for (const order of perMemory) assert.deepEqual(order, [...order].sort((a, b) => a - b), 'completions arrive in issue order');
    },
  },
  {
    name: 'a crashed memory never answers, and a majority quorum still resolves',
    processCount: 1,
    memoryCount: 3,
    regions: [{ name: 'replica', size: 8, policy: 'open' }],
    crashedMemories: [2],
    bodies: {
      0: async (fabric) => {
        const memories = [0, 1, 2];
        const written = await forEachMemory(memories, majority(3), (memory) => fabric.write(word(memory, 'replica'), wordBytes(5n)));
        const read = await forEachMemory(memories, majority(3), (memory) => fabric.read(word(memory, 'replica'), 8));
        const crashedRead = await errorOf(fabric.read(word(2, 'replica'), 8, { timeout: 50 }));
        const all = await errorOf(quorum(memories.map((memory) => () => fabric.read(word(memory, 'replica'), 8)), 3, { timeout: 50, timers: fabric }));
        const failed = await errorOf(quorum([() => Promise.reject(new Error('a')), () => Promise.reject(new Error('b')), () => new Promise<never>(() => {})], 2));
        return {
          writtenBy: written.map((success) => success.memory).sort(),
          readValues: read.map((success) => getWord(success.value, 0).toString()),
          crashedRead,
          all,
          failed,
        };
      },
    },
    check(results) {
      const outcome = results[0] as { writtenBy: number[]; readValues: string[]; crashedRead: { code?: string }; all: { code?: string }; failed: { code?: string } };
      assert.deepEqual(outcome.writtenBy, [0, 1], 'the two live memories form the majority');
      assert.deepEqual(outcome.readValues, ['5', '5']);
      assert.equal(outcome.crashedRead?.code, 'timed-out', 'the crashed memory is noticed only by a timeout');
      assert.equal(outcome.all?.code, 'timed-out', 'a quorum of all three cannot complete');
      assert.equal(outcome.failed?.code, 'quorum-failed', 'a quorum rejects as soon as it cannot be reached');
    },
  },
  {
    name: 'cas and faa are atomic under concurrency',
    processCount: 4,
    memoryCount: 1,
    regions: [{ name: 'counters', size: 16, policy: 'open' }],
    bodies: Object.fromEntries(
      Array.from({ length: 4 }, (_, process) => [
        process,
        async (fabric: Fabric) => {
          const previous: string[] = [];
          for (let index = 0; index < 25; index++) previous.push((await fabric.faa(word(0, 'counters', 8), 1n)).toString());
          let increments = 0;
          while (increments < 25) {
            const seen = getWord(await fabric.read(word(0, 'counters'), 8), 0);
            if ((await fabric.cas(word(0, 'counters'), seen, seen + 1n)) === seen) increments++;
          }
          return { previous };
        },
      ]),
    ),
    check(results) {
      const previous = Object.values(results).flatMap((result) => (result as { previous: string[] }).previous);
      assert.equal(new Set(previous).size, 100, 'every faa returned a distinct previous value');
      assert.deepEqual([...previous].map(Number).sort((a, b) => a - b), Array.from({ length: 100 }, (_, index) => index));
    },
  },
  {
    name: 'final counters after concurrent cas/faa',
    processCount: 3,
    memoryCount: 1,
    regions: [{ name: 'counters', size: 16, policy: 'open' }],
    bodies: {
      0: async (fabric) => {
        await Promise.all([
          (async () => {
            for (let index = 0; index < 30; index++) await fabric.faa(word(0, 'counters', 8), 2n);
          })(),
          (async () => {
            let done = 0;
            while (done < 30) {
              const seen = getWord(await fabric.read(word(0, 'counters'), 8), 0);
              if ((await fabric.cas(word(0, 'counters'), seen, seen + 1n)) === seen) done++;
            }
          })(),
        ]);
        fabric.send(1, new Uint8Array([0]));
        return null;
      },
      1: async (fabric) => {
        let done = 0;
        while (done < 30) {
          const seen = getWord(await fabric.read(word(0, 'counters'), 8), 0);
          if ((await fabric.cas(word(0, 'counters'), seen, seen + 1n)) === seen) done++;
        }
        for (let index = 0; index < 30; index++) await fabric.faa(word(0, 'counters', 8), 2n);
        await fabric.receive();
        await fabric.sleep(5);
        return [await readWord(fabric, 0, 'counters'), await readWord(fabric, 0, 'counters', 8)];
      },
    },
    check(results) {
      assert.deepEqual(results[1], ['60', '120'], 'no increment was lost');
    },
  },
  {
    name: 'out-of-bounds, misaligned and unknown addresses are rejected with clear messages',
    processCount: 1,
    memoryCount: 2,
    regions: [{ name: 'small', size: 16, policy: 'open', memories: [0] }],
    bodies: {
      0: async (fabric) => ({
        beyond: await errorOf(fabric.read(word(0, 'small', 12), 8)),
        negative: await errorOf(fabric.write(word(0, 'small', -8), wordBytes(1n))),
        misaligned: await errorOf(fabric.cas(word(0, 'small', 4), 0n, 1n)),
        unknown: await errorOf(fabric.read(word(0, 'nothing'), 8)),
        elsewhere: await errorOf(fabric.read(word(1, 'small'), 8)),
        after: await readWord(fabric, 0, 'small', 8),
      }),
    },
    check(results) {
      const outcome = results[0] as Record<string, { code?: string; message: string } | string>;
      for (const key of ['beyond', 'negative', 'misaligned', 'unknown', 'elsewhere']) {
        const failure = outcome[key] as { code?: string; message: string };
        assert.equal(failure?.code, 'bad-address', `${key}: ${JSON.stringify(failure)}`);
      }
      assert.match((outcome.beyond as { message: string }).message, /\[12, 20\).*'small'.*size 16/);
      assert.match((outcome.misaligned as { message: string }).message, /not 8-byte aligned/);
      assert.match((outcome.unknown as { message: string }).message, /no region 'nothing'/);
      assert.equal(outcome.after, '0', 'nothing was written');
    },
  },
  {
    name: 'messages reach their receiver, handler or inbox',
    processCount: 3,
    memoryCount: 0,
    regions: [],
    bodies: {
      0: async (fabric) => {
        for (let index = 0; index < 5; index++) fabric.send(1, new Uint8Array([index]));
        fabric.send(2, new Uint8Array([9, 9]));
        const reply = await fabric.receive();
        return { from: reply.from, data: [...reply.data] };
      },
      1: async (fabric) => {
        const got: number[] = [];
        for (let index = 0; index < 5; index++) got.push((await fabric.receive()).data[0]);
        fabric.send(0, new Uint8Array([7]));
        return got.sort();
      },
      2: async (fabric) => {
        const message = await new Promise<{ from: number; data: number[] }>((resolve) => fabric.onMessage((received) => resolve({ from: received.from, data: [...received.data] })));
        return message;
      },
    },
    check(results) {
      assert.deepEqual(results[0], { from: 1, data: [7] });
      assert.deepEqual(results[1], [0, 1, 2, 3, 4]);
      assert.deepEqual(results[2], { from: 0, data: [9, 9] });
    },
  },
  {
    // Timers below a millisecond (Mu's heartbeat on shm is 250 µs): real backends' own timers have a 1 ms grain, so
    // shm runs them on a clock thread. In the conformance unit of real backends (1 µs), 300 and 900 are such timers.
    name: 'timers below a millisecond fire, re-arm from their callback, and a cancelled one never fires',
    processCount: 1,
    memoryCount: 0,
    regions: [],
    bodies: {
      0: async (fabric) => {
        const start = fabric.now();
        const fired: { duration: number; elapsed: number }[] = [];
        const all = [900, 300, 3000].map((duration) => new Promise<void>((resolve) => fabric.setTimer(duration, () => {
          fired.push({ duration, elapsed: fabric.now() - start });
          resolve();
        })));
        const cancel = fabric.setTimer(600, () => fired.push({ duration: 600, elapsed: fabric.now() - start }));
        cancel();
        // A periodic tick, re-armed from its own callback (a main loop).
        const ticks: number[] = [];
        await new Promise<void>((resolve) => {
          const tick = () => {
            ticks.push(fabric.now() - start);
            if (ticks.length === 5) resolve();
            else fabric.setTimer(200, tick);
          };
          fabric.setTimer(200, tick);
        });
        await Promise.all(all);
        await fabric.sleep(1000);
        return { fired, ticks };
      },
    },
    check(results) {
      const { fired, ticks } = results[0] as { fired: { duration: number; elapsed: number }[]; ticks: number[] };
      assert.deepEqual(fired.map((one) => one.duration).sort((a, b) => a - b), [300, 900, 3000], 'each timer fired once, the cancelled one never');
      // No order is asserted: a woken thread on a loaded 2-core machine may be milliseconds late, more than the gaps here.
      // Never early — less Node's 1 ms timer grain (setTimeout counts from the event loop's cached time), i.e. 1000 units of 1 µs.
      for (const one of fired) assert.ok(one.elapsed >= one.duration - 1000, `the ${one.duration} timer fired at ${one.elapsed}`);
      assert.equal(ticks.length, 5);
      ticks.forEach((at, k) => assert.ok(at >= 200 * (k + 1) - 1000, `tick ${k + 1} at ${at}`));
    },
  },
];
