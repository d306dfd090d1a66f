import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../sim/simulation.js';
import { latencyModel } from '../sim/latency.js';
import { getWord, type Fabric, type ProcessMain, type RegionSpec } from '../fabric/index.js';
import { OneMemoryMaxRegister, ReliableMaxRegister, maxRegisterRegion } from '../protocols/swarm/maxRegister.js';
import { DmAbdRegister, dmAbdRegions } from '../protocols/swarm/dmAbd.js';
import { TimestampsExhausted } from '../protocols/swarm/timestampClock.js';
import { SwarmMemories } from '../protocols/swarm/swarmMemories.js';
import { packWord, timestampMax } from '../protocols/swarm/word.js';

/** The SWARM registers driven directly on the simulator (no scenario): CAS retries, cached writes, timestamp exhaustion. */
const memories = [0, 1, 2];

function simulation(seed: number, regions: RegionSpec[], latency = 'uniform:1:4'): Simulation {
  return new Simulation({ scenario: 'test:swarm-registers', seed, params: {}, processCount: 3, memoryCount: 3, regions, latency: latencyModel(latency), horizon: 10_000 });
}

/** The fabric with a count of the one-sided verbs issued through it. */
function counted(fabric: Fabric): { readonly fabric: Fabric; readonly verbs: () => number } {
  let verbs = 0;
  const proxy = new Proxy(fabric, {
    get(target, property, receiver) {
      const member = Reflect.get(target, property, receiver) as unknown;
      if (typeof member !== 'function') return member;
      const bound = (member as (...args: unknown[]) => unknown).bind(target);
      if (property === 'read' || property === 'write' || property === 'cas' || property === 'faa') {
        return (...args: unknown[]) => {
          verbs++;
          return bound(...args);
        };
      }
      return bound;
    },
  });
  return { fabric: proxy, verbs: () => verbs };
}

describe('one-memory max register on the simulator (T < C: this section only)', () => {
  it('clients sharing one buffer each write rising values; the buffer ends at the largest, and each read is at least its reader\'s last write', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const world = simulation(seed, [maxRegisterRegion({ region: 'one', memories: [0], buffers: 1 })]);
      const problems: string[] = [];
      for (let client = 0; client < 3; client++) {
        world.spawn(client, async (fabric) => {
          const register = new OneMemoryMaxRegister(fabric, 'one', 0, 1, 0);
          for (let round = 1; round <= 5; round++) {
            const value = BigInt(10 * round + client);
            await register.write(value);
            const read = await register.read();
            if (read < value) problems.push(`p${client} wrote ${value}, then read ${read}`);
          }
        });
      }
      const result = await world.run();
      assert.equal(result.end, 'done', `seed ${seed}`);
      assert.deepEqual(problems, [], `seed ${seed}`);
      assert.equal(getWord(world.memory(0).snapshot('one'), 0), 52n, `seed ${seed}`);
    }
  });
});

describe('reliable max register on the simulator', () => {
  it('three writers sharing one buffer (T = 1 < C): every write lands, retrying its CAS while the buffer holds less', async () => {
    let retried = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const world = simulation(seed, [maxRegisterRegion({ region: 'max', memories, buffers: 1 })]);
      const reads: bigint[] = [];
      const costs: number[] = [];
      for (const [client, value] of [[0, 5n], [1, 9n], [2, 7n]] as const) {
        world.spawn(client, async (fabric) => {
          const register = new ReliableMaxRegister(fabric, { region: 'max', memories, buffers: 1, client, f: 1 });
          await register.write(value);
          costs.push(register.lastRoundTrips);
          await fabric.sleep(50);
          reads.push(await register.read());
        });
      }
      const result = await world.run();
      assert.equal(result.end, 'done', `seed ${seed}`);
      assert.deepEqual(reads, [9n, 9n, 9n], `seed ${seed}`);
      const holding = memories.filter((memory) => getWord(world.memory(memory).snapshot('max'), 0) === 9n).length;
      assert.ok(holding >= 2, `seed ${seed}: 9 on ${holding} memories`);
      if (costs.some((cost) => cost > 1)) retried++;
    }
    assert.ok(retried > 0, 'some write retried its CAS');
  });

  it('a write the cache already covers costs no round trip and no verb', async () => {
    const world = simulation(1, [maxRegisterRegion({ region: 'max', memories, buffers: 3 })], 'unit');
    const costs: number[] = [];
    const body: ProcessMain = async (plain) => {
      const { fabric, verbs } = counted(plain);
      const register = new ReliableMaxRegister(fabric, { region: 'max', memories, buffers: 3, client: 0, f: 1 });
      await register.write(8n);
      costs.push(register.lastRoundTrips);
      await fabric.sleep(10);
      const before = verbs();
      await register.write(3n);
      costs.push(register.lastRoundTrips);
      assert.equal(verbs(), before);
      assert.equal(await register.read(), 8n);
      costs.push(register.lastRoundTrips);
    };
    world.spawn(0, body);
    const result = await world.run();
    assert.equal(result.end, 'done');
    assert.deepEqual(costs, [1, 0, 1]);
  });
});

describe('DM-ABD on the simulator', () => {
  const config = { region: 'r', memories, f: 1, clients: 3, valueMax: 8, entries: 4, fetchTimeout: 8 };

  it('a write whose fresh timestamp would pass 40 bits fails with TimestampsExhausted before any verb; reads go on', async () => {
    const world = simulation(1, dmAbdRegions(config), 'unit');
    const outcomes: string[] = [];
    // p2 stands for a long history: its buffer holds the largest timestamp on every memory.
    world.spawn(2, async (fabric) => {
      const layer = new SwarmMemories(fabric, { ...config, records: 1, keyMax: 0, inPlace: true, client: 2 });
      await Promise.all(memories.map((memory) => layer.publish(0, memory, packWord({ timestamp: timestampMax, writer: 2 }), new Uint8Array([42]))));
    });
    world.spawn(0, async (plain) => {
      const { fabric, verbs } = counted(plain);
      await fabric.sleep(10);
      const register = new DmAbdRegister(fabric, { ...config, client: 0 });
      await register.write(new Uint8Array([1])).then(
        () => outcomes.push('written'),
        (error: unknown) => outcomes.push(error instanceof TimestampsExhausted ? 'exhausted' : String(error)),
      );
      assert.equal(verbs(), 3, 'only the scan was sent');
      outcomes.push(String((await register.read())?.[0]));
    });
    const result = await world.run();
    assert.equal(result.end, 'done');
    assert.deepEqual(outcomes, ['exhausted', '42']);
  });

  it('uncontended: a write takes 2 round trips; an In-n-Out read 1 (IP), an out-of-place read 2 (scan, fetch); reads see the last write', async () => {
    for (const inPlace of [true, false]) {
      const world = simulation(2, dmAbdRegions({ ...config, inPlace }), 'uniform:1:3');
      const costs: string[] = [];
      world.spawn(0, async (fabric) => {
        const register = new DmAbdRegister(fabric, { ...config, inPlace, client: 0 });
        for (const byte of [5, 6, 7]) {
          await register.write(new Uint8Array([byte]));
          costs.push(`w${register.lastRoundTrips}`);
          await fabric.sleep(10);
        }
      });
      world.spawn(1, async (fabric) => {
        const register = new DmAbdRegister(fabric, { ...config, inPlace, client: 1 });
        assert.equal(await register.read(), null, 'the initial value, before any write');
        await fabric.sleep(200);
        for (let round = 0; round < 2; round++) {
          assert.deepEqual(await register.read(), new Uint8Array([7]));
          costs.push(`r${register.lastRoundTrips}/${register.lastFetches}`);
        }
      });
      const result = await world.run();
      assert.equal(result.end, 'done');
      assert.deepEqual(costs, ['w2', 'w2', 'w2', ...(inPlace ? ['r1/0', 'r1/0'] : ['r2/1', 'r2/1'])], `inPlace ${inPlace}`);
    }
  });
});
