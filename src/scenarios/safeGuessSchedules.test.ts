import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getWord, setWord, type Fabric, type HistoryEvent } from '../fabric/index.js';
import { Simulation, parseHolds } from '../sim/index.js';
import { latencyModel } from '../sim/latency.js';
import { swarmRegions } from '../protocols/swarm/layout.js';
import type { SwarmLayoutConfig } from '../protocols/swarm/memorySet.js';
import type { SafeGuessMutant } from '../protocols/swarm/mutants.js';
import { SafeGuessRegister } from '../protocols/swarm/safeGuess.js';
import { SwarmMemories } from '../protocols/swarm/swarmMemories.js';
import { checkRunLinearizable } from './linearizable.js';

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
  const memories = new SwarmMemories(fabric, { ...layout, client: process, fetchTimeout: 8 });
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
}

async function runSchedule(holds: string, mutant: SafeGuessMutant | undefined, bodies: (mutant: SafeGuessMutant | undefined) => ((fabric: Fabric) => Promise<void>)[]): Promise<ScheduleResult> {
  const world = new Simulation({
    scenario: 'test:safe-guess-schedule',
    seed: 1,
    params: {},
    processCount: 4,
    memoryCount: 3,
    regions: swarmRegions(layout),
    latency: latencyModel('unit'),
    horizon: 500,
    faults: [],
    holds: parseHolds(holds, { processCount: 4, memoryCount: 3 }),
    ...(process.env.SG_TRACE ? { trace: { header: () => undefined, event: (event: unknown) => console.log(JSON.stringify(event, (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value))) } } : {}),
  });
  bodies(mutant).forEach((body, process) => world.spawn(process, body));
  const result = await world.run();
  const verdict = checkRunLinearizable(result.history, 'register').verdict;
  const lastRead = result.history.filter((event) => event.process === 3 && event.type === 'ok').at(-1)?.value;
  return { history: result.history, linearizable: verdict === 'linearizable', unfinished: result.unfinished, lastRead };
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
});
