import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation, type Fault } from '../sim/index.js';
import { latencyModel } from '../sim/latency.js';
import { getWord } from '../fabric/index.js';
import { swarmLayout, swarmRegions } from '../protocols/swarm/layout.js';
import type { SwarmLayoutConfig } from '../protocols/swarm/memorySet.js';
import { SwarmMemories } from '../protocols/swarm/swarmMemories.js';
import { packWord, verifiedWord, withSlot, wordKey } from '../protocols/swarm/word.js';

/** SWARM's memory layer (swarmMemories.ts) on the simulator: batches, steps, publish, write-back, fetch. */
const layoutConfig: SwarmLayoutConfig = { region: 's', memories: [0, 1, 2], f: 1, clients: 3, records: 2, entries: 2, valueMax: 16, keyMax: 0, inPlace: true };

function simulation(seed: number, latency: string, config: SwarmLayoutConfig = layoutConfig, faults: Fault[] = []): Simulation {
  return new Simulation({ scenario: 'test:swarm-memories', seed, params: {}, processCount: 3, memoryCount: 3, regions: swarmRegions(config), latency: latencyModel(latency), horizon: 10_000, faults, tearFraction: 1 });
}

function memoriesOf(fabric: Parameters<Parameters<Simulation['spawn']>[1]>[0], client: number, config: SwarmLayoutConfig = layoutConfig): SwarmMemories {
  return new SwarmMemories(fabric, { ...config, client, fetchTimeout: 4 });
}

const value = (byte: number) => new Uint8Array([byte, byte, byte]);

describe('SWARM memory layer on the simulator', () => {
  it('publish then scan on one memory, with no await between them, is one batch: the scan sees the CAS (every seed, latency model)', async () => {
    for (const latency of ['uniform:1:4', 'tail:1:30:0.2', 'rdma']) {
      for (let seed = 1; seed <= 15; seed++) {
        const world = simulation(seed, latency);
        const seen: bigint[] = [];
        const word = packWord({ timestamp: 5n, writer: 1, verified: false });
        world.spawn(1, async (fabric) => {
          const memories = memoriesOf(fabric, 1);
          const published = memories.publish(0, 2, word, value(7));
          const scan = await memories.scan(0, 2);
          seen.push(scan.buffers[1], scan.max);
          await published;
          assert.equal(memories.cacheOf(0, 2).known, wordKey(word));
        });
        assert.equal((await world.run()).end, 'done');
        assert.deepEqual(seen, [withSlot(word, 0), withSlot(word, 0)], `${latency} seed ${seed}`);
      }
    }
  });

  it('lays a new word out as [entry in its own log; IP if VERIFIED; CAS meta], a promotion as [IP; CAS] keeping the slot', async () => {
    const world = simulation(1, 'unit');
    const x = packWord({ timestamp: 9n, writer: 2, verified: false });
    world.spawn(2, async (fabric) => {
      const memories = memoriesOf(fabric, 2);
      await memories.publish(1, 0, x, value(1));
      const layout = memories.layout;
      assert.equal(getWord(world.memory(0).snapshot('s.rec'), layout.inPlaceOffset(1)), 0n, 'a GUESSED word writes no IP');
      await memories.publish(1, 0, verifiedWord(x), value(1));
      const rec = world.memory(0).snapshot('s.rec');
      assert.equal(getWord(rec, layout.metaOffset(1, 2)), withSlot(verifiedWord(x), 0));
      assert.equal(getWord(rec, layout.inPlaceOffset(1)), withSlot(verifiedWord(x), 0));
      const y = packWord({ timestamp: 10n, writer: 2 });
      await memories.publish(1, 0, y, value(2));
      assert.equal(getWord(world.memory(0).snapshot('s.rec'), layout.metaOffset(1, 2)), withSlot(y, 1), 'the next entry');
      const log = world.memory(0).snapshot('s.log.2');
      assert.equal(getWord(log, layout.entryOffset(1, 0)), withSlot(x, 0), 'the entry keeps the GUESSED word: the sum leaves V out');
      assert.equal(getWord(log, layout.entryOffset(1, 1)), withSlot(y, 1));
      const scan = await memories.scan(1, 0);
      assert.deepEqual(memories.validValue(1, y, scan.inPlace), value(2));
    });
    assert.equal((await world.run()).end, 'done');
  });

  it('another process may not write a log that is not its own (single-writer)', async () => {
    const world = simulation(1, 'unit');
    let refused = '';
    world.spawn(0, async (fabric) => {
      await fabric.write({ memory: 0, region: 's.log.1', offset: 0 }, new Uint8Array(8)).catch((error: unknown) => (refused = String(error)));
    });
    await world.run();
    assert.match(refused, /permission denied/);
  });

  it('a step resolves with f+1 results while the rest run on and still update the caches', async () => {
    const world = simulation(3, 'uniform:1:20');
    world.spawn(0, async (fabric) => {
      const writer = memoriesOf(fabric, 0);
      const word = packWord({ timestamp: 3n, writer: 0 });
      await Promise.all([0, 1, 2].map((memory) => writer.publish(0, memory, word, value(3))));
      const reader = memoriesOf(fabric, 1);
      const scans = await reader.step((memory) => reader.scan(0, memory));
      assert.equal(scans.size, 2);
      assert.ok(reader.knownHolders(0, word) >= 2);
      await fabric.sleep(50);
      assert.equal(reader.knownHolders(0, word), 3, 'the third answer came after the step and taught the cache');
    });
    assert.equal((await world.run()).end, 'done');
  });

  it('publishInBackground reaches every memory without being waited for; a step rejects on a failure (a bug, never a fault)', async () => {
    const world = simulation(4, 'uniform:1:4');
    world.spawn(0, async (fabric) => {
      const layer = memoriesOf(fabric, 0);
      const word = packWord({ timestamp: 6n, writer: 0 });
      layer.publishInBackground(1, word, value(6));
      assert.equal(layer.knownHolders(1, word), 0, 'nothing completed yet');
      await fabric.sleep(20);
      assert.equal(layer.knownHolders(1, word), 3);
      await assert.rejects(
        layer.step((memory) => (memory === 1 ? Promise.reject(new Error('bug at m1')) : layer.scan(1, memory))),
        /bug at m1/,
      );
    });
    assert.equal((await world.run()).end, 'done');
  });

  it('writeBack publishes a copy at every memory not known to hold it until f+1 do (1 round trip), then costs 0', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const world = simulation(seed, 'uniform:1:4');
      const m = packWord({ timestamp: 4n, writer: 0 });
      world.spawn(0, async (fabric) => {
        await memoriesOf(fabric, 0).publish(0, 0, m, value(4));
      });
      world.spawn(1, async (fabric) => {
        await fabric.sleep(10);
        const reader = memoriesOf(fabric, 1);
        const scan = await reader.scan(0, 0);
        assert.equal(scan.max, m);
        assert.equal(reader.knownHolders(0, m), 1);
        assert.equal(await reader.writeBack(0, m, value(4)), 1);
        assert.ok(reader.knownHolders(0, m) >= 2);
        assert.equal(await reader.writeBack(0, m, value(4)), 0);
        await fabric.sleep(20);
        const holding = [0, 1, 2].filter((memory) => wordKey(maxOfRecord(world, memory)) >= wordKey(m)).length;
        assert.equal(holding, 3, 'the copy went to every lagging memory, not only f+1 of them');
        // The copy is the reader's own word: its slot names the reader's entry, where the value is.
        assert.equal(getWord(world.memory(1).snapshot('s.rec'), reader.layout.metaOffset(0, 1)), withSlot(m, 0));
      });
      assert.equal((await world.run()).end, 'done', `seed ${seed}`);
    }
  });

  it('fetch reads the entry a buffer names, at most once per (id, memory, entry); a timed-out fetch stays outstanding and its late answer counts', async () => {
    const outOfPlace = { ...layoutConfig, inPlace: false };
    const world = simulation(1, 'unit', outOfPlace, [{ kind: 'slow-link', at: 20, process: 1, memory: 0, duration: 30 }]);
    const m = packWord({ timestamp: 8n, writer: 0 });
    world.spawn(0, async (fabric) => {
      await memoriesOf(fabric, 0, outOfPlace).publish(0, 0, m, value(8));
    });
    world.spawn(1, async (fabric) => {
      await fabric.sleep(10);
      const reader = memoriesOf(fabric, 1, outOfPlace);
      const scan = await reader.scan(0, 0);
      assert.equal(scan.inPlace, null);
      assert.deepEqual(await reader.operation().fetch(0, m, [scan]), value(8), 'a prompt answer');
      await fabric.sleep(10);
      const book = reader.operation();
      const started = fabric.now();
      assert.equal(await book.fetch(0, m, [scan]), null, 'the slow link: timed out');
      assert.equal(fabric.now() - started, 4);
      assert.equal(await book.fetch(0, m, [scan]), null, 'no second fetch of the same entry, and the first still out');
      await fabric.sleep(40);
      assert.deepEqual(await book.fetch(0, m, [scan]), value(8), 'the late answer counts');
      assert.equal(await book.fetch(0, packWord({ timestamp: 9n, writer: 0 }), [scan]), null, 'nothing shows that id: fails at once');
    });
    assert.equal((await world.run()).end, 'done');
  });

  it('fetch takes a valid IP among the scans without a verb; a stale IP does not count', async () => {
    const world = simulation(1, 'unit');
    const m = packWord({ timestamp: 8n, writer: 0 });
    world.spawn(0, async (fabric) => {
      const writer = memoriesOf(fabric, 0);
      await writer.publish(0, 1, m, value(8));
      const scan = await writer.scan(0, 1);
      assert.deepEqual(await writer.operation().fetch(0, m, [scan]), value(8));
      assert.equal(await writer.operation().fetch(0, verifiedWord(packWord({ timestamp: 7n, writer: 2 })), [scan]), null);
    });
    assert.equal((await world.run()).end, 'done');
  });

  it('notif: READ and CAS update the per-(record, memory, writer) cache', async () => {
    const world = simulation(1, 'unit');
    world.spawn(0, async (fabric) => {
      const reader = memoriesOf(fabric, 0);
      assert.equal(await reader.readNotif(1, 2, 1), 0n);
      assert.equal(await reader.casNotif(1, 2, 1, 0n, 40n), 0n);
      assert.equal(reader.cachedNotif(1, 2, 1), 40n);
      assert.equal(reader.cachedNotif(0, 2, 1), 0n, 'another record says nothing');
      assert.equal(reader.cachedNotif(1, 1, 1), 0n, 'another memory says nothing');
      assert.equal(await reader.casNotif(1, 2, 1, 0n, 50n), 40n, 'a failed CAS teaches the value found');
      assert.equal(reader.cachedNotif(1, 2, 1), 40n);
      const other = memoriesOf(fabric, 2);
      assert.equal(await other.readNotif(1, 2, 1), 40n);
    });
    assert.equal((await world.run()).end, 'done');
  });

  it('a broken owned CAS (someone wrote this client\'s buffer) is an Error, never acted on', async () => {
    const world = simulation(1, 'unit');
    let failure = '';
    world.spawn(0, async (fabric) => {
      const layout = swarmLayout(layoutConfig);
      await fabric.cas({ memory: 0, region: 's.rec', offset: layout.metaOffset(0, 1) }, 0n, packWord({ timestamp: 99n, writer: 1 }));
    });
    world.spawn(1, async (fabric) => {
      await fabric.sleep(10);
      const victim = memoriesOf(fabric, 1);
      await victim.publish(0, 0, packWord({ timestamp: 1n, writer: 1 }), value(1)).catch((error: unknown) => (failure = String(error)));
    });
    await world.run();
    assert.match(failure, /owned CAS failed/);
  });
});

function maxOfRecord(world: Simulation, memory: number): bigint {
  const rec = world.memory(memory).snapshot('s.rec');
  let max = 0n;
  for (let writer = 0; writer < 3; writer++) {
    const word = getWord(rec, 8 * writer);
    if (wordKey(word) > wordKey(max)) max = word;
  }
  return max;
}
