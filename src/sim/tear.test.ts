import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { wordBytes } from '../fabric/index.js';
import type { TraceEvent, TraceHeader, TraceSink } from '../trace/format.js';
import { Simulation, latencyModel } from './index.js';

/**
 * p0 writes an 8-word record over and over; p1 reads it all the time. Under a
 * wide latency model (delays from 1 to 20), the default tear window (0.9 ×
 * the minimum delay) is short, a fraction of each write's own completion
 * delay is long.
 */
function tearingRun(seed: number, tearFraction?: number) {
  const events: TraceEvent[] = [];
  const sink: TraceSink = { header: (_header: TraceHeader) => {}, event: (event) => events.push(event) };
  const simulation = new Simulation({
    scenario: 'tear-fraction',
    seed,
    params: {},
    processCount: 2,
    memoryCount: 1,
    regions: [{ name: 'record', size: 64, policy: 'open' }],
    latency: latencyModel('uniform:1:20'),
    horizon: 100_000,
    trace: sink,
    ...(tearFraction === undefined ? {} : { tearFraction }),
  });
  simulation.spawn(0, async (fabric) => {
    for (let round = 1n; round <= 30n; round++) {
      const record = new Uint8Array(64);
      for (let offset = 0; offset < 64; offset += 8) record.set(wordBytes(round), offset);
      await fabric.write({ memory: 0, region: 'record', offset: 0 }, record);
    }
  });
  simulation.spawn(1, async (fabric) => {
    for (let index = 0; index < 40; index++) await fabric.read({ memory: 0, region: 'record', offset: 0 }, 64);
  });
  return { simulation, events };
}

/** Torn reads that arrived longer after the write they overlapped than the default window allows. */
function lateTornReads(events: readonly TraceEvent[]): number {
  let lastWriteArrival = -Infinity;
  const writes = new Set(events.flatMap((event) => (event.type === 'verb.issue' && event.verb === 'write' ? [event.id] : [])));
  let late = 0;
  for (const event of events) {
    if (event.type !== 'verb.arrive') continue;
    if (writes.has(event.id)) lastWriteArrival = event.t;
    else if (event.torn && event.t - lastWriteArrival > 0.9) late++;
  }
  return late;
}

describe('tear fraction', () => {
  it('tears reads long after a write arrived, which the default window never does', async () => {
    let tornDefault = 0;
    let tornWide = 0;
    let lateWide = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const plain = tearingRun(seed);
      tornDefault += (await plain.simulation.run()).counters.tornReads;
      assert.equal(lateTornReads(plain.events), 0, `seed ${seed}: the default tears only within 0.9 × the minimum delay`);
      const wide = tearingRun(seed, 1);
      tornWide += (await wide.simulation.run()).counters.tornReads;
      lateWide += lateTornReads(wide.events);
    }
    assert.ok(lateWide > 0, 'some reads saw old words more than 0.9 after the write arrived');
    assert.ok(tornWide > 2 * tornDefault, `wider windows tear more reads (${tornWide} against ${tornDefault})`);
  });

  it('a completed write is fully visible to its writer and to any read issued after the completion', async () => {
    for (const tearFraction of [0.3, 1]) {
      for (let seed = 1; seed <= 20; seed++) {
        const simulation = new Simulation({
          scenario: 'tear-fraction-completion',
          seed,
          params: {},
          processCount: 3,
          memoryCount: 1,
          regions: [{ name: 'record', size: 64, policy: 'open' }],
          latency: latencyModel('uniform:1:20'),
          horizon: 100_000,
          tearFraction,
        });
        const whole = (round: number) => Buffer.from(new Uint8Array(64).fill(round)).toString('hex');
        simulation.spawn(0, async (fabric) => {
          for (let round = 1; round <= 20; round++) {
            await fabric.write({ memory: 0, region: 'record', offset: 0 }, new Uint8Array(64).fill(round));
            assert.equal(Buffer.from(await fabric.read({ memory: 0, region: 'record', offset: 0 }, 64)).toString('hex'), whole(round), `seed ${seed}: the writer reads its own write whole`);
            fabric.send(1, new Uint8Array([round]));
          }
        });
        simulation.spawn(1, async (fabric) => {
          for (let round = 1; round <= 20; round++) {
            const message = await fabric.receive();
            const bytes = await fabric.read({ memory: 0, region: 'record', offset: 0 }, 64);
            assert.ok(bytes.every((byte) => byte >= message.data[0]), `seed ${seed}, fraction ${tearFraction}: a read issued after the completion saw an older word`);
          }
        });
        // A third process reads all along, so some reads do overlap the windows.
        simulation.spawn(2, async (fabric) => {
          for (let index = 0; index < 30; index++) await fabric.read({ memory: 0, region: 'record', offset: 0 }, 64);
        });
        const result = await simulation.run();
        assert.deepEqual(result.errors, []);
        assert.equal(result.end, 'done');
      }
    }
  });

  it('rejects a tear fraction outside (0, 1] with a message saying what is accepted', () => {
    const base = { scenario: 'bad', seed: 1, params: {}, processCount: 1, memoryCount: 1, regions: [], latency: latencyModel('unit'), horizon: 10 };
    for (const tearFraction of [0, -0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new Simulation({ ...base, tearFraction }), (error: Error) => error instanceof RangeError && /tear fraction .* is not accepted \(accepted: a number in \(0, 1\]/.test(error.message));
    }
    assert.doesNotThrow(() => new Simulation({ ...base, tearFraction: 1 }));
  });
});

describe('a mid-write crash cuts a landing write short', () => {
  /** p0 writes an 8-word record of 1s, then one of 2s, and crashes (mid-write or not) while the 2s land; p1 reads long after. */
  async function cutRun(seed: number, midWrite: boolean): Promise<bigint[]> {
    const simulation = new Simulation({
      scenario: 'cut-short',
      seed,
      params: {},
      processCount: 2,
      memoryCount: 1,
      regions: [{ name: 'record', size: 64, policy: 'open' }],
      latency: latencyModel('unit'),
      horizon: 1000,
      tearFraction: 1,
      cutShortWrites: true,
      faults: [{ kind: 'crash-process', at: 3.5, process: 0, ...(midWrite ? { midWrite: true as const } : {}) }],
    });
    const fill = (round: bigint) => {
      const record = new Uint8Array(64);
      for (let offset = 0; offset < 64; offset += 8) record.set(wordBytes(round), offset);
      return record;
    };
    simulation.spawn(0, async (fabric) => {
      await fabric.write({ memory: 0, region: 'record', offset: 0 }, fill(1n));
      await fabric.write({ memory: 0, region: 'record', offset: 0 }, fill(2n));
    });
    let seen: bigint[] = [];
    simulation.spawn(1, async (fabric) => {
      await fabric.sleep(20);
      const bytes = await fabric.read({ memory: 0, region: 'record', offset: 0 }, 64);
      seen = Array.from({ length: 8 }, (_, word) => new DataView(bytes.buffer, bytes.byteOffset + word * 8, 8).getBigUint64(0, true));
    });
    await simulation.run();
    return seen;
  }

  it('leaves the words not landed at the crash old for good; a plain crash lets them land', async () => {
    let tornForGood = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const cut = await cutRun(seed, true);
      const plain = await cutRun(seed, false);
      assert.deepEqual(plain, Array(8).fill(2n), `seed ${seed}: an arrived write lands whole after a plain crash`);
      assert.ok(cut.every((word) => word === 1n || word === 2n), `seed ${seed}: only the two records' words`);
      if (cut.includes(1n) && cut.includes(2n)) tornForGood++;
    }
    assert.ok(tornForGood > 0, 'some mid-write crash leaves the record torn for good');
  });

  it('nothing the process sent that memory after a write cut short arrives (a batch cut short is a prefix)', async () => {
    // p0 issues an 8-word write and, without waiting for it, a one-word flag behind it on the same
    // queue pair; it crashes mid-write while the record lands. Where the record stays torn, the flag
    // must not be there: a NIC that stopped in the middle of a write sends nothing after it.
    let tornForGood = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const simulation = new Simulation({
        scenario: 'cut-short-prefix',
        seed,
        params: {},
        processCount: 2,
        memoryCount: 1,
        regions: [{ name: 'record', size: 72, policy: 'open' }],
        latency: latencyModel('unit'),
        horizon: 1000,
        tearFraction: 1,
        cutShortWrites: true,
        faults: [{ kind: 'crash-process', at: 1.5, process: 0, midWrite: true }],
      });
      simulation.spawn(0, async (fabric) => {
        const record = new Uint8Array(64);
        for (let offset = 0; offset < 64; offset += 8) record.set(wordBytes(7n), offset);
        void fabric.write({ memory: 0, region: 'record', offset: 0 }, record);
        // Issued while the record is still on its way, so it arrives while the record lands (1 to 2).
        await fabric.sleep(0.9);
        await fabric.write({ memory: 0, region: 'record', offset: 64 }, wordBytes(1n));
      });
      let words: bigint[] = [];
      simulation.spawn(1, async (fabric) => {
        await fabric.sleep(20);
        const bytes = await fabric.read({ memory: 0, region: 'record', offset: 0 }, 72);
        words = Array.from({ length: 9 }, (_, word) => new DataView(bytes.buffer, bytes.byteOffset + word * 8, 8).getBigUint64(0, true));
      });
      await simulation.run();
      const record = words.slice(0, 8);
      const torn = record.includes(0n) && record.includes(7n);
      if (torn) {
        tornForGood++;
        assert.equal(words[8], 0n, `seed ${seed}: the flag behind a torn record landed`);
      }
    }
    assert.ok(tornForGood > 0, 'some seed leaves the record torn for good');
  });
  it('a verb to another region of the same memory completes the writes before it (one queue pair per process and memory)', async () => {
    // SWARM's batch [entry in the writer's log region; CAS of its meta word in the record region]: both
    // arrive at once, the entry still landing when the CAS executes. A crash that cuts the entry short must
    // not leave the CAS landed and the entry torn: on one queue pair the entry is complete before the CAS.
    let flagLanded = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const simulation = new Simulation({
        scenario: 'cut-short-prefix-regions',
        seed,
        params: {},
        processCount: 2,
        memoryCount: 1,
        regions: [
          { name: 'log', size: 64, policy: 'open' },
          { name: 'flag', size: 8, policy: 'open' },
        ],
        latency: latencyModel('unit'),
        horizon: 1000,
        tearFraction: 1,
        cutShortWrites: true,
        faults: [{ kind: 'crash-process', at: 1.5, process: 0, midWrite: true }],
      });
      simulation.spawn(0, async (fabric) => {
        const record = new Uint8Array(64);
        for (let offset = 0; offset < 64; offset += 8) record.set(wordBytes(7n), offset);
        void fabric.write({ memory: 0, region: 'log', offset: 0 }, record);
        await fabric.cas({ memory: 0, region: 'flag', offset: 0 }, 0n, 1n);
      });
      let record: bigint[] = [];
      let flag = 0n;
      simulation.spawn(1, async (fabric) => {
        await fabric.sleep(20);
        const bytes = await fabric.read({ memory: 0, region: 'log', offset: 0 }, 64);
        record = Array.from({ length: 8 }, (_, word) => new DataView(bytes.buffer, bytes.byteOffset + word * 8, 8).getBigUint64(0, true));
        const flagBytes = await fabric.read({ memory: 0, region: 'flag', offset: 0 }, 8);
        flag = new DataView(flagBytes.buffer, flagBytes.byteOffset, 8).getBigUint64(0, true);
      });
      await simulation.run();
      if (flag === 1n) {
        flagLanded++;
        assert.ok(!record.includes(0n), `seed ${seed}: the CAS landed behind an entry left torn`);
      }
    }
    assert.ok(flagLanded > 0, 'the CAS lands in some seed');
  });
});

