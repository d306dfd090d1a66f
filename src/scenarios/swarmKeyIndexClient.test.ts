import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getWord } from '../fabric/index.js';
import { Simulation, latencyModel, type Fault } from '../sim/index.js';
import { swarmMemoryWatcher } from '../protocols/swarm/invariants.js';
import { keyPlace } from '../protocols/swarm/keyIndex.js';
import { KeyIndexClient, keyIndexLoad, keyIndexRegion, keyIndexRegionName } from '../protocols/swarm/keyIndexClient.js';
import { swarmLayout, swarmRegions } from '../protocols/swarm/layout.js';
import type { SwarmLayoutConfig } from '../protocols/swarm/memorySet.js';

const keys = Array.from({ length: 40 }, (_, index) => `user:${index * 31}`);
const config: SwarmLayoutConfig = { region: 'kv', memories: [0, 1, 2], f: 1, clients: 2, records: 48, entries: 2, valueMax: 16, keyMax: 16, inPlace: true };
const layout = swarmLayout(config);

/** Keys whose fingerprints collide (16 bits: a few hundred keys suffice). */
function collidingPair(): [string, string] {
  const seen = new Map<number, string>();
  for (let index = 0; ; index++) {
    const fingerprint = keyPlace(`c${index}`, 1).fingerprint;
    const earlier = seen.get(fingerprint);
    if (earlier !== undefined) return [earlier, `c${index}`];
    seen.set(fingerprint, `c${index}`);
  }
}

async function lookups(loaded: readonly string[], asked: readonly string[], options: { buckets?: number; faults?: Fault[]; seed?: number; latency?: string } = {}) {
  const load = keyIndexLoad(loaded, layout, options.buckets);
  const simulation = new Simulation({
    scenario: 'test:key-index',
    seed: options.seed ?? 1,
    params: {},
    processCount: 2,
    memoryCount: 3,
    regions: [...swarmRegions(config), keyIndexRegion('kv', load.buckets, config.memories)],
    latency: latencyModel(options.latency ?? 'unit'),
    horizon: 10_000,
    preload: load.contents,
    faults: options.faults ?? [],
    memoryWatcher: swarmMemoryWatcher(config),
  });
  const found: { key: string; record: number | null; candidates: number[]; roundTrips: number; took: number }[] = [];
  simulation.spawn(0, async (fabric) => {
    const client = new KeyIndexClient(fabric, { layout, buckets: load.buckets });
    for (const key of asked) {
      const candidates = await client.candidates(key);
      const start = fabric.now();
      const record = await client.lookup(key);
      found.push({ key, record, candidates, roundTrips: client.lastRoundTrips, took: fabric.now() - start });
    }
  });
  const result = await simulation.run();
  return { found, result, load, simulation };
}

describe('SWARM-KV key index on the memories', () => {
  it('loads the index and every KEY at every memory before the run; a lookup finds each key\'s record in 2 round trips', async () => {
    const { found, result, load, simulation } = await lookups(keys, [...keys, 'stranger']);
    assert.equal(result.end, 'done');
    assert.deepEqual(result.memoryViolations, []);
    for (const entry of found.slice(0, keys.length)) {
      assert.equal(entry.record, load.records.get(entry.key), entry.key);
      assert.equal(entry.roundTrips, 2);
      assert.equal(entry.took, 4, 'unit latency: two READ round trips');
    }
    // A key never loaded: no record; 1 round trip when no fingerprint matched, 2 when a KEY had to say no.
    const stranger = found[keys.length];
    assert.equal(stranger.record, null);
    assert.equal(stranger.roundTrips, stranger.candidates.length === 0 ? 1 : 2);
    // The same bytes at every memory: the index, and KEY j in record j.
    for (const memory of [0, 1, 2]) {
      assert.deepEqual(simulation.memory(memory).snapshot(keyIndexRegionName('kv')), load.contents[0].bytes);
      const rec = simulation.memory(memory).snapshot(layout.recordRegion);
      assert.equal(getWord(rec, layout.keyOffset(7)) & 0xffffffffn, BigInt(new TextEncoder().encode(keys[7]).length));
    }
  });

  it('with fingerprints colliding, reads every candidate\'s KEY and picks the right record', async () => {
    const [a, b] = collidingPair();
    const { found, result } = await lookups(['x', a, b, 'y'], [a, b], { buckets: 1 });
    assert.equal(result.end, 'done');
    assert.deepEqual(found.map((entry) => [entry.key, entry.record, entry.candidates]), [[a, 1, [1, 2]], [b, 2, [1, 2]]]);
  });

  it('answers while f memories are down: the first memory to answer is enough', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { found, result, load } = await lookups(keys, keys.slice(0, 10), { seed, latency: 'uniform:1:5', faults: [{ kind: 'crash-memory', at: 0, memory: seed % 3 }] });
      assert.equal(result.end, 'done', `seed ${seed}`);
      for (const entry of found) assert.equal(entry.record, load.records.get(entry.key));
    }
  });

  it('refuses a load that does not fit: more keys than records, a key over keyMax', () => {
    assert.throws(() => keyIndexLoad(Array.from({ length: 49 }, (_, index) => `k${index}`), layout), /49 keys do not fit 48 records/);
    assert.throws(() => keyIndexLoad(['a-key-of-seventeen'], layout), /keyMax = 16/);
  });

  it('the index region is read-only to every process', async () => {
    const load = keyIndexLoad(keys, layout);
    const simulation = new Simulation({
      scenario: 'test:key-index',
      seed: 1,
      params: {},
      processCount: 2,
      memoryCount: 3,
      regions: [keyIndexRegion('kv', load.buckets, config.memories)],
      latency: latencyModel('unit'),
      horizon: 100,
    });
    let refused = '';
    simulation.spawn(1, async (fabric) => {
      await fabric.write({ memory: 0, region: 'kv.index', offset: 0 }, new Uint8Array(8)).catch((error: unknown) => (refused = String(error)));
    });
    await simulation.run();
    assert.match(refused, /permission denied/);
  });
});
