import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getWord, setWord, type Fabric, type HistoryEvent } from '../fabric/index.js';
import { Simulation, parseHolds, type Fault } from '../sim/index.js';
import { latencyModel } from '../sim/latency.js';
import { swarmRegions } from '../protocols/swarm/layout.js';
import type { SwarmLayoutConfig } from '../protocols/swarm/memorySet.js';
import type { SafeGuessMutant } from '../protocols/swarm/mutants.js';
import { SafeGuessRegister } from '../protocols/swarm/safeGuess.js';
import { TimestampsExhausted } from '../protocols/swarm/timestampClock.js';
import { SwarmMemories } from '../protocols/swarm/swarmMemories.js';
import { swarmMemoryWatcher } from '../protocols/swarm/invariants.js';
import { checkRunLinearizable } from './linearizable.js';
import { runScenario } from './index.js';

/**
 * Safe-Guess's scripted schedules (spec swarm.md §8): interleavings random
 * sweeps rarely reach, written with holds (docs/schedules.md) on f = 1,
 * memories A = m0, B = m1, C = m2, unit latency. Each runs the correct
 * protocol (linearizable) and the mutant it is named for (not).
 */
const layout: SwarmLayoutConfig = { region: 'sg', memories: [0, 1, 2], f: 1, clients: 4, records: 1, entries: 16, valueMax: 16, keyMax: 0, inPlace: true };
/** Unit latency: RTT 2, tick RTT/3. */
const tick = 2 / 3;

function encode(value: number): Uint8Array {
  const bytes = new Uint8Array(16);
  setWord(bytes, 0, BigInt(value));
  setWord(bytes, 8, ~BigInt(value));
  return bytes;
}

function decode(bytes: Uint8Array | null): number | null {
  if (bytes === null) return null;
  const value = getWord(bytes, 0);
  assert.equal(getWord(bytes, 8), ~value & ((1n << 64n) - 1n), 'a read returned a garbled value');
  return Number(value);
}

/** A client of the register; `ticksAhead` shifts its clock (a skewed clock, in ticks). */
function client(fabric: Fabric, process: number, mutant: SafeGuessMutant | undefined, ticksAhead = 0): SafeGuessRegister {
  const memories = new SwarmMemories(fabric, { ...layout, client: process, fetchTimeout: 8 }, { checksumWithoutTs: mutant === 'checksum-without-ts' });
  return new SafeGuessRegister(memories, () => fabric.clock() + ticksAhead * tick, { tick, ...(mutant ? { mutant } : {}) });
}

async function write(fabric: Fabric, register: SafeGuessRegister, value: number): Promise<void> {
  const op = fabric.history.invoke('write', value);
  await register.write(encode(value));
  fabric.history.ok(op, value);
}

async function read(fabric: Fabric, register: SafeGuessRegister): Promise<number | null> {
  const op = fabric.history.invoke('read', null);
  const value = decode(await register.read());
  fabric.history.ok(op, value);
  return value;
}

interface ScheduleResult {
  readonly history: readonly HistoryEvent[];
  readonly linearizable: boolean;
  readonly unfinished: readonly number[];
  /** What p3 (the last reader) returned. */
  readonly lastRead: unknown;
  /** The memory watcher's findings (invariants.ts, checked after every verb): property names, in order. */
  readonly memoryFindings: readonly string[];
}

/** A schedule's seed (default 1: the seed draws latencies' ties and, with a tear window, when each word of a write lands). */
interface ScheduleOptions {
  readonly seed?: number;
  readonly tearFraction?: number;
}

async function runSchedule(holds: string, mutant: SafeGuessMutant | undefined, bodies: (mutant: SafeGuessMutant | undefined) => ((fabric: Fabric) => Promise<void>)[], faults: Fault[] = [], options: ScheduleOptions = {}): Promise<ScheduleResult> {
  const world = new Simulation({
    scenario: 'test:safe-guess-schedule',
    seed: options.seed ?? 1,
    ...(options.tearFraction === undefined ? {} : { tearFraction: options.tearFraction }),
    // As in the safe-guess scenario: buffers only grow, notif never decreases, Invariant D, fields in range.
    memoryWatcher: swarmMemoryWatcher(layout),
    params: {},
    processCount: 4,
    memoryCount: 3,
    regions: swarmRegions(layout),
    latency: latencyModel('unit'),
    horizon: 500,
    faults,
    holds: parseHolds(holds, { processCount: 4, memoryCount: 3 }),
    // SG_TRACE=1 prints the schedule's trace events (to see which verb a hold's #K counts).
    ...(process.env.SG_TRACE ? { trace: { header: () => undefined, event: (event: unknown) => console.log(JSON.stringify(event, (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value))) } } : {}),
  });
  bodies(mutant).forEach((body, process) => world.spawn(process, body));
  const result = await world.run();
  const verdict = checkRunLinearizable(result.history, 'register').verdict;
  const lastRead = result.history.filter((event) => event.process === 3 && event.type === 'ok').at(-1)?.value;
  return { history: result.history, linearizable: verdict === 'linearizable', unfinished: result.unfinished, lastRead, memoryFindings: result.memoryViolations.map((finding) => finding.property) };
}

describe('Safe-Guess scripted schedules (spec §8)', () => {
  /**
   * `first-sight`: Z (p0) writes z, FAST on {A, B} (its verbs to C held);
   * W (p1), whose clock is behind, starts after Z returned and guesses x < z.
   * R (p2) reads concurrently: its one scan reads A before z and C after x
   * (B held), so its max is x. A reader that locks x at first sight
   * establishes notif[W] = id(x), W's W2 finds it and W stands at x, below
   * z that returned before W began: the last read (p3) returns z. The
   * correct reader helps x and rescans instead; W goes to W3.
   */
  const firstSight = [
    'p0 write m0 until p2 read m0', // z reaches A only after R's first scan read it
    'p0 write m2 until p3 note done', // z never reaches C
    'p2 read m1 until p3 note done', // R's steps answer from A and C
    'p2 read m2 until p1 cas m2', // R's scan reads C after x landed
    // W's W2 notif READs (its 2nd read at A and C; at B its 3rd, after W1's scan and the fetch of z) wait for R's
    // second scan there — a lock's scan, behind its CAS, for the mutant; a rescan after the help publish, correct.
    'p1 read m0 #2 until p2 read m0 #2',
    'p1 read m2 #2 until p2 read m2 #2',
    'p1 read m1 #3 until p3 note done',
  ].join('; ');

  /** How W's write ended (FAST, notified at W2, or W3). */
  let wPath = '';

  function firstSightBodies(mutant: SafeGuessMutant | undefined): ((fabric: Fabric) => Promise<void>)[] {
    let zReturned: () => void = () => undefined;
    const zDone = new Promise<void>((resolve) => (zReturned = resolve));
    let wReturned: () => void = () => undefined;
    const wDone = new Promise<void>((resolve) => (wReturned = resolve));
    return [
      async (fabric) => {
        await write(fabric, client(fabric, 0, mutant, 1000), 1);
        zReturned();
      },
      async (fabric) => {
        await zDone;
        const register = client(fabric, 1, mutant);
        await write(fabric, register, 2);
        wPath = register.lastOperation.fast ? 'fast' : register.lastOperation.notified ? 'notified' : 'fresh';
        wReturned();
      },
      async (fabric) => {
        await read(fabric, client(fabric, 2, mutant));
      },
      async (fabric) => {
        await wDone;
        await fabric.sleep(4);
        await read(fabric, client(fabric, 3, mutant));
        fabric.note('done');
      },
    ];
  }

  it('first-sight: the correct reader helps x and rescans; W goes to W3 and the history is linearizable', async () => {
    const result = await runSchedule(firstSight, undefined, firstSightBodies);
    assert.deepEqual(result.memoryFindings, [], 'the memory invariants hold');
    assert.deepEqual(result.unfinished, []);
    assert.equal(result.lastRead, 2, "the last read returns W's value");
    assert.equal(wPath, 'fresh', 'no reader locked x: W went to W3');
    assert.equal(result.linearizable, true);
  });

  it('first-sight: notify-on-first-sight lets W stand at x below a returned z (not linearizable)', async () => {
    const result = await runSchedule(firstSight, 'notify-on-first-sight', firstSightBodies);
    assert.equal(wPath, 'notified', "R's first-sight lock made W stand at x");
    assert.equal(result.lastRead, 1, "the last read returns z's value: W's write is lost");
    assert.equal(result.linearizable, false, JSON.stringify(result.history.map((event) => [event.process, event.type, event.f, event.value])));
  });
  /**
   * `v-u-v`: W (p1, clock behind) writes v with a stale x that lands at A, B
   * and C, its W1 scans held until U's m is at A and B (at C W's scan is
   * held for good). R (p2, answering from A and C) sees x twice, locks it
   * and returns v. U (p0) then writes u, FAST on {A, B}. W's W1 shows m at
   * both responders: x is the max at none of them. The correct W2 finds
   * R's notification at A and stands at x (below m: v, v, u, u). Skipping
   * the lock (`stale-guess-without-lock`), W3 puts y with v above u, so the
   * last read (p3) returns v after u's write returned: v, u, v.
   */
  const vuv = [
    'p1 read m0 until p0 cas m0', // W's W1 scan at A after m landed there
    'p1 read m1 until p0 cas m1', // and at B
    'p1 read m2 until p3 note done', // W1's responders are A and B
    'p2 read m1 until p3 note done', // R answers from A and C
    'p0 write m2 until p3 note done', // m never reaches C
  ].join('; ');

  function vuvBodies(mutant: SafeGuessMutant | undefined): ((fabric: Fabric) => Promise<void>)[] {
    let rReturned: () => void = () => undefined;
    const rDone = new Promise<void>((resolve) => (rReturned = resolve));
    let uReturned: () => void = () => undefined;
    const uDone = new Promise<void>((resolve) => (uReturned = resolve));
    let wReturned: () => void = () => undefined;
    const wDone = new Promise<void>((resolve) => (wReturned = resolve));
    return [
      async (fabric) => {
        await rDone;
        await write(fabric, client(fabric, 0, mutant, 1000), 1);
        uReturned();
      },
      async (fabric) => {
        const register = client(fabric, 1, mutant);
        await write(fabric, register, 2);
        wPath = register.lastOperation.fast ? 'fast' : register.lastOperation.notified ? 'notified' : 'fresh';
        wReturned();
      },
      async (fabric) => {
        // After x landed at A and C (unit latency: at 1).
        await fabric.sleep(2);
        const register = client(fabric, 2, mutant);
        await read(fabric, register);
        rLocks = register.lastOperation.locks;
        rReturned();
      },
      async (fabric) => {
        await uDone;
        await wDone;
        await read(fabric, client(fabric, 3, mutant));
        fabric.note('done');
      },
    ];
  }

  /** How many locks R's read took. */
  let rLocks = 0;

  it('v-u-v: R locks the stale x, W finds the notification at W2 and stands at x below u (linearizable)', async () => {
    const result = await runSchedule(vuv, undefined, vuvBodies);
    assert.deepEqual(result.memoryFindings, [], 'the memory invariants hold');
    assert.deepEqual(result.unfinished, []);
    assert.equal(rLocks, 1, 'R saw x twice and locked it');
    assert.equal(wPath, 'notified');
    assert.equal(result.lastRead, 1, "u is the last write: the last read returns u's value");
    assert.equal(result.linearizable, true);
  });

  it('v-u-v: stale-guess-without-lock skips W2 and W3 puts v above u (not linearizable)', async () => {
    const result = await runSchedule(vuv, 'stale-guess-without-lock', vuvBodies);
    assert.equal(wPath, 'fresh');
    assert.equal(result.lastRead, 2, "the last read returns v again after u's write returned");
    assert.equal(result.linearizable, false);
  });
  it('v-u-v also catches fence-with-own-word (its fence puts v above m) and notif-of-conflicting-word (W2 watches U\'s notif, misses R\'s lock), not the other mutants', async () => {
    for (const mutant of ['fence-with-own-word', 'notif-of-conflicting-word'] as const) {
      const result = await runSchedule(vuv, mutant, vuvBodies);
      assert.equal(result.linearizable, false, mutant);
    }
    for (const mutant of ['lock-lowers-notif', 'same-writer-returns-latest', 'read-without-write-back', 'fetch-id-once', 'notif-any-key'] as const) {
      const result = await runSchedule(vuv, mutant, vuvBodies);
      assert.equal(result.linearizable, true, mutant);
    }
  });

  /**
   * `fetch-once-crash`: W (p1) publishes x1 at A and C (its verbs to B held)
   * and crashes; R (p2) reads: its first step answers from A and B (its scan
   * at C held), sees x1 at A and fetches it there; A crashes before the
   * fetch arrives. R's next step answers from B and C and shows x1 at C:
   * the correct fetch book sends a fetch there (a new (id, memory, entry))
   * and R returns v1; `fetch-id-once` sends nothing for an id it fetched
   * before, and R retries for ever (a liveness failure).
   */
  const fetchOnceCrash = [
    'p1 write m1 until p3 note done', // x1 never reaches B
    'p2 read m2 until p2 read m1 #2', // R's first scan at C answers only with its second step
  ].join('; ');
  const fetchOnceFaults: Fault[] = [
    { kind: 'crash-process', at: 1.5, process: 1 },
    { kind: 'crash-memory', at: 4.5, memory: 0 },
  ];

  function fetchOnceBodies(mutant: SafeGuessMutant | undefined): ((fabric: Fabric) => Promise<void>)[] {
    return [
      async () => undefined,
      async (fabric) => {
        await write(fabric, client(fabric, 1, mutant), 1);
      },
      async (fabric) => {
        await fabric.sleep(2);
        await read(fabric, client(fabric, 2, mutant));
      },
      async (fabric) => {
        await fabric.sleep(400);
        fabric.note('done');
      },
    ];
  }

  it('fetch-once-crash: the correct read fetches x1 again at C and returns v1', async () => {
    const result = await runSchedule(fetchOnceCrash, undefined, fetchOnceBodies, fetchOnceFaults);
    assert.deepEqual(result.memoryFindings, [], 'the memory invariants hold');
    assert.deepEqual(result.unfinished, []);
    const reads = result.history.filter((event) => event.process === 2 && event.type === 'ok');
    assert.deepEqual(reads.map((event) => event.value), [1]);
  });

  it('fetch-once-crash: fetch-id-once never fetches x1 at C and the read never returns', async () => {
    const result = await runSchedule(fetchOnceCrash, 'fetch-id-once', fetchOnceBodies, fetchOnceFaults);
    assert.deepEqual(result.unfinished, [2]);
  });
  /**
   * `notif-revert` (spec §8): c (p0) writes m, FAST on {A, B}; its
   * promotion is held (at A until R's write u returned, at B until R's
   * second scan there). R (p1, answering from A and B) sees m twice; its
   * notif READ at B waits until Q (p2, answering from B and C) has locked
   * c's next write x5 there, so R's cache holds n_B = id(x5) > id(m). The
   * correct lock says *later* at once; `lock-lowers-notif` CASes notif[c]
   * at B from id(x5) down to id(m). R then writes u (clock ahead: u > x5).
   * c's W1 for x5 sees u; its W2 answers from A and B: the correct W2 finds
   * Q's notification at B and stands at x5 below u; the mutant's finds
   * none, and W3 puts y5 above u: Q read v5, u was written, the last read
   * (p3) gets v5 again.
   */
  const notifRevert = [
    'p0 write m0 #2 until p1 note go', // c's promotion at A (and x5 behind it) after R's u returned
    // R's reads at B: its first scan, the fetch of m's entry, its second scan, its notif READ.
    'p0 write m1 #2 until p1 read m1 #3', // c's promotion at B after R's second scan there
    'p1 read m2 until p3 note done', // R answers from A and B
    'p1 read m1 #4 until p2 cas m1 #2', // R's notif READ at B after Q's lock CAS there (Q's first CAS at B publishes its help)
    'p2 read m0 until p3 note done', // Q answers from B and C
    'p2 read m1 until p0 cas m1 #3', // Q reads B once x5 is there
    'p2 read m2 until p0 cas m2 #3', // and C
    'p0 read m1 #2 until p1 note go', // c's W1 scan for x5 at B sees u
    'p0 read m2 #3 until p3 note done', // c's W2 answers from A and B
  ].join('; ');

  function notifRevertBodies(mutant: SafeGuessMutant | undefined): ((fabric: Fabric) => Promise<void>)[] {
    let cReturned: () => void = () => undefined;
    const cDone = new Promise<void>((resolve) => (cReturned = resolve));
    let rReturned: () => void = () => undefined;
    const rDone = new Promise<void>((resolve) => (rReturned = resolve));
    return [
      async (fabric) => {
        const register = client(fabric, 0, mutant);
        await write(fabric, register, 1);
        await write(fabric, register, 5);
        wPath = register.lastOperation.fast ? 'fast' : register.lastOperation.notified ? 'notified' : 'fresh';
        cReturned();
      },
      async (fabric) => {
        await fabric.sleep(2);
        const register = client(fabric, 1, mutant, 1000);
        await read(fabric, register);
        await write(fabric, register, 7);
        fabric.note('go');
        rReturned();
      },
      async (fabric) => {
        await read(fabric, client(fabric, 2, mutant));
      },
      async (fabric) => {
        await cDone;
        await rDone;
        await read(fabric, client(fabric, 3, mutant));
        fabric.note('done');
      },
    ];
  }

  it('notif-revert: the correct lock on m says later (n_B = id(x5)); c stands at x5 below u (linearizable)', async () => {
    const result = await runSchedule(notifRevert, undefined, notifRevertBodies);
    assert.deepEqual(result.memoryFindings, [], 'the memory invariants hold');
    assert.deepEqual(result.unfinished, []);
    assert.equal(wPath, 'notified');
    assert.equal(result.lastRead, 7);
    assert.equal(result.linearizable, true);
  });

  it('notif-revert: lock-lowers-notif lowers notif[c] at B, c misses Q\'s lock and y5 lands above u (not linearizable)', async () => {
    const result = await runSchedule(notifRevert, 'lock-lowers-notif', notifRevertBodies);
    // The memory watcher sees the CAS that lowers notif[c] at B (F4's premise), whatever the history.
    assert.deepEqual(result.memoryFindings, ['notif-never-decreases']);
    assert.equal(wPath, 'fresh');
    assert.equal(result.lastRead, 5);
    assert.equal(result.linearizable, false);
  });

  /**
   * `torn-ip` (spec §8, `checksum-without-ts`): W (p0) writes v1 (x1, FAST,
   * promoted to x1|V: IP := entry(x1|V, v1)) and then v2 (x2, FAST; x2|V's
   * promotion writes IP := entry(x2|V, v2) at A at t = 9). R2 (p1) read
   * x1|V at B and C (W's promotion at C held until then, so C shows x1) and
   * writes it back to A and C; its verbs to A wait until x2|V's CAS is at A,
   * so R2's IP write of entry(x1|V, v1) lands at A *over* x2|V's, word by
   * word (tear window = the whole completion delay), and its CAS is held
   * until R's scan. R (p3) starts after write(v2) returned; its scan at A
   * (0.55 after t = 9) finds meta max x2|V and IP with word 0 still x2|V's
   * but checksum, len and value already x1's (seed 6 draws the landing
   * times: word 0 lands last). The correct checksum covers id(x1) ≠ id(x2):
   * A's IP is invalid, R takes B's IP (x2|V, v2). Without the ts in the sum
   * (writer ‖ j ‖ len ‖ value) x1's sum is x2's: R returns v1 after
   * write(v2) returned — not linearizable.
   */
  const tornIp = [
    'p0 write m2 #2 until p1 read m2', // x1|V's promotion at C after R2's scan there
    "p1 read m0 until p0 cas m0 #4", // R2's scan and write-back at A after x2|V's promotion landed there
    'p1 cas m0 until p3 read m0', // R2's CAS at A (which would land its IP write) after R's scan
    'p3 read m1 until p3 read m0 completes', // R's scans: A's answer first
    'p3 read m2 until p2 note never', // R answers from A and B
  ].join('; ');
  const tornIpOptions: ScheduleOptions = { seed: 6, tearFraction: 1 };

  function tornIpBodies(mutant: SafeGuessMutant | undefined): ((fabric: Fabric) => Promise<void>)[] {
    let wReturned: () => void = () => undefined;
    const wDone = new Promise<void>((resolve) => (wReturned = resolve));
    return [
      async (fabric) => {
        const register = client(fabric, 0, mutant);
        await write(fabric, register, 1);
        await fabric.sleep(6 - fabric.now());
        await write(fabric, register, 2);
        wReturned();
      },
      async (fabric) => {
        await fabric.sleep(4);
        await read(fabric, client(fabric, 1, mutant));
      },
      async () => undefined,
      async (fabric) => {
        await wDone;
        await fabric.sleep(0.55);
        await read(fabric, client(fabric, 3, mutant));
      },
    ];
  }

  it('torn-ip: the correct checksum rejects A\'s torn IP (x2|V\'s word, x1\'s sum and value); R returns v2 (linearizable)', async () => {
    const result = await runSchedule(tornIp, undefined, tornIpBodies, [], tornIpOptions);
    assert.deepEqual(result.unfinished, []);
    assert.equal(result.lastRead, 2);
    assert.equal(result.linearizable, true);
    assert.deepEqual(result.memoryFindings, []);
  });

  it('torn-ip: checksum-without-ts takes the torn IP for x2|V and returns v1 after write(v2) returned (not linearizable)', async () => {
    const result = await runSchedule(tornIp, 'checksum-without-ts', tornIpBodies, [], tornIpOptions);
    assert.deepEqual(result.unfinished, []);
    assert.equal(result.lastRead, 1, "R returns x1's value under x2|V");
    assert.equal(result.linearizable, false);
  });

  /**
   * `ts-wrap` (spec §8, `ts-wraps`): Δ = 2^38 and U's (p0) clock far ahead,
   * so its guesses climb by Δ — 2^38, 2^39, 3·2^38 — and its fourth write
   * takes the clock, 2^40 − 1, the largest ts that fits. W (p1, clock in
   * sync) then writes: its guess is far below U's word, W2 finds no
   * notification, and W3's fresh ts is 2^40. The correct clock stops W
   * (ts-exhausted after W1's verbs: the outcome is unknown, recorded as
   * info), and the last read (p3) returning U's fourth value is
   * linearizable; `ts-wraps` masks it to 1: y = (1, W, VERIFIED) lands
   * below U's word, W's write returns ok and is lost — the read returns 4.
   */
  /** W's write: 'ok', or 'unknown' when ts-exhausted stopped it after its first verbs. */
  let wOutcome = '';
  /** U's fourth ts. */
  let uLast = 0n;

  function tsWrapBodies(mutant: SafeGuessMutant | undefined): ((fabric: Fabric) => Promise<void>)[] {
    let uReturned: () => void = () => undefined;
    const uDone = new Promise<void>((resolve) => (uReturned = resolve));
    let wReturned: () => void = () => undefined;
    const wDone = new Promise<void>((resolve) => (wReturned = resolve));
    const delta = 1n << 38n;
    return [
      async (fabric) => {
        // U's fourth write starts at t = 6 (each FAST write takes one round trip): its clock then reads 2^40 − 1 ticks (half a tick of margin).
        const ahead = (2 ** 40 - 1 + 0.5) * tick - 6;
        const register = new SafeGuessRegister(new SwarmMemories(fabric, { ...layout, client: 0, fetchTimeout: 8 }), () => fabric.clock() + ahead, { tick, delta, ...(mutant ? { mutant } : {}) });
        for (const value of [1, 2, 3, 4]) await write(fabric, register, value);
        uLast = register.clock.last;
        uReturned();
      },
      async (fabric) => {
        await uDone;
        const register = new SafeGuessRegister(new SwarmMemories(fabric, { ...layout, client: 1, fetchTimeout: 8 }), () => fabric.clock(), { tick, delta, ...(mutant ? { mutant } : {}) });
        const op = fabric.history.invoke('write', 5);
        try {
          await register.write(encode(5));
          fabric.history.ok(op, 5);
          wOutcome = 'ok';
        } catch (error) {
          if (!(error instanceof TimestampsExhausted) || !error.outcomeUnknown) throw error;
          fabric.history.info(op, 5);
          wOutcome = 'unknown';
        }
        wReturned();
      },
      async () => undefined,
      async (fabric) => {
        await wDone;
        await read(fabric, client(fabric, 3, mutant));
      },
    ];
  }

  it('ts-wrap: U\'s fourth ts is 2^40 − 1; W\'s W3 would need 2^40 and stops with an unknown outcome (linearizable)', async () => {
    const result = await runSchedule('', undefined, tsWrapBodies);
    assert.deepEqual(result.memoryFindings, [], 'the memory invariants hold');
    assert.deepEqual(result.unfinished, []);
    assert.equal(uLast, (1n << 40n) - 1n, "U's fourth write took the largest ts");
    assert.equal(wOutcome, 'unknown');
    assert.equal(result.lastRead, 4);
    assert.equal(result.linearizable, true);
  });

  it('ts-wrap: ts-wraps masks W3\'s 2^40 to 1, y lands below U\'s word and W\'s returned write is lost (not linearizable)', async () => {
    const result = await runSchedule('', 'ts-wraps', tsWrapBodies);
    assert.equal(uLast, (1n << 40n) - 1n);
    assert.equal(wOutcome, 'ok');
    assert.equal(result.lastRead, 4, "the read after W's write returned gets U's value");
    assert.equal(result.linearizable, false);
  });
});


/**
 * `lock-lowers-notif` at a sweep seed, through the memory watcher: the
 * 6,000-seed mixed sweep never reaches it (reads rarely lock: background
 * promotions land first), but three clients under contention with a
 * latency tail (1 in 5 verbs 30× slower: slow promotions, so GUESSED words
 * stay the max across two scans and reads lock) do — a reader that cached a
 * later id of c in notif[c] locks c's older word and its CAS lowers notif,
 * which the watcher reports after that verb (2 of the first 150 seeds).
 */
describe('Safe-Guess: lock-lowers-notif at a sweep seed (notif watcher)', () => {
  const options = { protocol: 'safe-guess', seed: 80, n: 3, memories: 3, latency: 'tail:1:30:0.2', faults: 'none', ops: 40, workload: 'contention' } as const;

  it('seed 80: the correct protocol passes (no memory finding)', async () => {
    const report = await runScenario({ ...options }, 'off');
    assert.deepEqual(report.violations, []);
    assert.equal(report.ok, true);
  });

  it('seed 80: lock-lowers-notif CASes notif[c] down (notif-never-decreases)', async () => {
    const report = await runScenario({ ...options, mutant: 'lock-lowers-notif' }, 'off');
    assert.ok(
      report.violations.some((violation) => violation.property === 'notif-never-decreases'),
      JSON.stringify(report.violations.map((violation) => violation.property)),
    );
  });
});
