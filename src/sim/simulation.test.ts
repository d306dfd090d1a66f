import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getWord, wordBytes, type Fabric } from '../fabric/index.js';
import { TraceRecorder } from '../trace/recorder.js';
import type { TraceEvent, TraceHeader, TraceSink } from '../trace/format.js';
import { Simulation, latencyModel, type SimulationConfig } from './index.js';

/** A small world: p0 writes a 4-word record over and over, p1 and p2 read it. */
function tearingWorld(seed: number, trace?: TraceSink, latency = 'uniform:0.5:1.5'): Simulation {
  const simulation = new Simulation({
    scenario: 'tearing',
    seed,
    params: { seed },
    processCount: 3,
    memoryCount: 1,
    regions: [{ name: 'record', size: 32, policy: 'single-writer', owner: 0 }],
    latency: latencyModel(latency),
    horizon: 10_000,
    ...(trace ? { trace } : {}),
  });
  simulation.spawn(0, async (fabric) => {
    for (let round = 1n; round <= 40n; round++) {
      const record = new Uint8Array(32);
      for (let offset = 0; offset < 32; offset += 8) record.set(wordBytes(round), offset);
      await fabric.write({ memory: 0, region: 'record', offset: 0 }, record);
    }
  });
  for (const reader of [1, 2]) {
    simulation.spawn(reader, async (fabric) => {
      for (let index = 0; index < 60; index++) {
        const op = fabric.history.invoke('read', null);
        const bytes = await fabric.read({ memory: 0, region: 'record', offset: 0 }, 32);
        const words = [0, 8, 16, 24].map((offset) => Number(getWord(bytes, offset)));
        fabric.history.ok(op, words);
      }
    });
  }
  return simulation;
}

async function traceOf(seed: number): Promise<string> {
  const recorder = new TraceRecorder(true);
  await tearingWorld(seed, recorder).run();
  return recorder.text();
}

describe('simulator', () => {
  it('is deterministic: the same seed gives the same trace, byte for byte', async () => {
    for (const seed of [1, 2, 99]) assert.equal(await traceOf(seed), await traceOf(seed), `seed ${seed}`);
  });

  it('different seeds give different schedules', async () => {
    const traces = new Set<string>();
    for (let seed = 1; seed <= 10; seed++) traces.add(await traceOf(seed));
    assert.equal(traces.size, 10);
  });

  it('makes torn reads observable at word granularity', async () => {
    let torn = 0;
    let mixed = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const result = await tearingWorld(seed).run();
      torn += result.counters.tornReads;
      for (const event of result.history) {
        if (event.type !== 'ok') continue;
        const words = event.value as number[];
        // Only whole words mix: each word is one of the written rounds.
        if (new Set(words).size > 1) mixed++;
      }
    }
    assert.ok(torn > 0, 'some reads overlapped a landing write');
    assert.ok(mixed > 0, 'some reads saw words of two different writes');
  });

  it('a writer sees its own multi-word write whole, and so does anyone who reads after it completed', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const simulation = new Simulation({
        scenario: 'own-write',
        seed,
        params: {},
        processCount: 2,
        memoryCount: 1,
        regions: [{ name: 'record', size: 64, policy: 'open' }],
        latency: latencyModel('rdma'),
        horizon: 10_000,
      });
      const seen: string[] = [];
      simulation.spawn(0, async (fabric) => {
        for (let round = 1; round <= 20; round++) {
          await fabric.write({ memory: 0, region: 'record', offset: 0 }, new Uint8Array(64).fill(round));
          seen.push(Buffer.from(await fabric.read({ memory: 0, region: 'record', offset: 0 }, 64)).toString('hex'));
          fabric.send(1, new Uint8Array([round]));
        }
      });
      simulation.spawn(1, async (fabric) => {
        for (let round = 1; round <= 20; round++) {
          const message = await fabric.receive();
          const bytes = await fabric.read({ memory: 0, region: 'record', offset: 0 }, 64);
          assert.ok(bytes.every((byte) => byte >= message.data[0]), `seed ${seed}: a read after the write completed saw an older word`);
        }
      });
      const result = await simulation.run();
      assert.deepEqual(result.errors, []);
      seen.forEach((hex, index) => assert.equal(hex, Buffer.from(new Uint8Array(64).fill(index + 1)).toString('hex')));
    }
  });

  it('injects faults where asked: a crashed memory at its time, a crashed process, a pause', async () => {
    const events: TraceEvent[] = [];
    const sink: TraceSink = { header: (_header: TraceHeader) => {}, event: (event) => events.push(event) };
    const config: SimulationConfig = {
      scenario: 'faults',
      seed: 3,
      params: {},
      processCount: 3,
      memoryCount: 2,
      regions: [{ name: 'cell', size: 8, policy: 'open' }],
      latency: latencyModel('unit'),
      horizon: 500,
      trace: sink,
      faults: [
        { kind: 'crash-memory', at: 10, memory: 1 },
        { kind: 'crash-process', at: 20, process: 2 },
        { kind: 'pause', at: 30, process: 0, duration: 50 },
      ],
    };
    const simulation = new Simulation(config);
    const answered: { memory: number; at: number }[] = [];
    const body = (fabric: Fabric) => async () => {
      for (let round = 0; round < 40; round++) {
        for (const memory of [0, 1]) {
          fabric.read({ memory, region: 'cell', offset: 0 }, 8).then(() => answered.push({ memory, at: fabric.now() }));
        }
        await fabric.sleep(2);
      }
    };
    const progress: number[] = [];
    simulation.spawn(0, async (fabric) => {
      await body(fabric)();
      progress.push(fabric.now());
    });
    let p2Rounds = 0;
    simulation.spawn(2, async (fabric) => {
      for (;;) {
        await fabric.sleep(1);
        p2Rounds++;
      }
    });
    const result = await simulation.run();
    const faults = events.filter((event) => event.type === 'fault');
    assert.deepEqual(
      faults.map((event) => [event.t, (event as { fault: string }).fault, (event as { target: string }).target]),
      [
        [10, 'crash', 'm1'],
        [20, 'crash', 'p2'],
        [30, 'pause', 'p0'],
      ],
    );
    assert.ok(answered.some((answer) => answer.memory === 1), 'm1 answered before its crash');
    assert.ok(answered.filter((answer) => answer.memory === 1).every((answer) => answer.at <= 11), 'm1 never answers a verb that reached it after its crash');
    assert.ok(p2Rounds <= 20, 'p2 stopped at its crash');
    assert.ok(!answered.some((answer) => answer.at > 30 && answer.at < 80), 'nothing woke p0 during its pause');
    assert.deepEqual(result.crashedMemories, [1]);
    assert.deepEqual(result.crashedProcesses, [2]);
    assert.equal(result.end, 'done');
    assert.ok(progress[0] >= 80, 'p0 resumed after its pause');
  });

  it('drops messages across a partition until it heals', async () => {
    const simulation = new Simulation({
      scenario: 'partition',
      seed: 1,
      params: {},
      processCount: 2,
      memoryCount: 0,
      regions: [],
      latency: latencyModel('unit'),
      horizon: 1000,
      faults: [{ kind: 'partition', at: 5, duration: 10, side: [1] }],
    });
    const received: number[] = [];
    simulation.spawn(0, async (fabric) => {
      for (let round = 0; round < 30; round++) {
        fabric.send(1, new Uint8Array([round]));
        await fabric.sleep(1);
      }
    });
    simulation.spawn(1, async (fabric) => {
      fabric.onMessage((message) => received.push(message.data[0]));
      await fabric.sleep(100);
    });
    await simulation.run();
    const sentDuringPartition = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    assert.ok(sentDuringPartition.every((round) => !received.includes(round)), `received ${received}`);
    assert.ok(received.includes(4) && received.includes(15) && received.includes(29));
  });

  it('rejects bad configurations with clear messages', () => {
    const base = { scenario: 'bad', seed: 1, params: {}, processCount: 2, memoryCount: 1, latency: latencyModel('unit'), horizon: 10 };
    assert.throws(() => new Simulation({ ...base, regions: [{ name: 'r', size: 12, policy: 'open' }] }), /multiple of 8/);
    assert.throws(() => new Simulation({ ...base, regions: [{ name: 'r', size: 8, policy: 'single-writer' }] }), /needs an owner/);
    assert.throws(() => new Simulation({ ...base, regions: [{ name: 'r', size: 8, policy: 'open', memories: [3] }] }), /m3 does not exist/);
    assert.throws(() => new Simulation({ ...base, seed: -1, regions: [] }), /seed/);
    assert.throws(() => latencyModel('fast'), /accepted: unit, rdma, lan/);
  });
});
