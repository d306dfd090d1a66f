import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Fabric, RegionSpec } from '../fabric/index.js';
import { Simulation } from '../sim/simulation.js';
import { latencyModel } from '../sim/latency.js';
import { checkRunLinearizable } from './linearizable.js';
import { SwarmKv, swarmKvLayoutConfig, swarmKvRegions, type SwarmKvAlgorithm, type SwarmKvLayout } from '../protocols/swarm/swarmKv.js';
import { SwarmKvStopped, UnknownKey } from '../protocols/swarm/swarmKvErrors.js';
import { TimestampsExhausted } from '../protocols/swarm/timestampClock.js';
import { timestampMax } from '../protocols/swarm/word.js';
import { bucketOffset, bucketSize, buildIndex, keyPlace, lookupCandidates } from '../protocols/swarm/keyIndex.js';

/**
 * SWARM-KV's client on the simulator (spec swarm.md §6, §7): round trips on
 * key-cache hits and misses, unknown keys, and linearizability per key with
 * entry reuse. The scenario (scenarios/swarmKv.test.ts) sweeps faults.
 */
const keys = Array.from({ length: 16 }, (_, rank) => `k${rank}`);

function layoutFor(clients: number, extra: Partial<SwarmKvLayout> = {}): SwarmKvLayout {
  return { region: 'kv', memories: [0, 1, 2], f: 1, clients, keyCount: keys.length, ...extra };
}

function world(seed: number, regions: RegionSpec[], clients: number, latency = 'unit'): Simulation {
  return new Simulation({ scenario: 'test:swarm-kv', seed, params: {}, processCount: clients, memoryCount: 3, regions, latency: latencyModel(latency), horizon: 100_000, cutShortWrites: true });
}

/** A loaded store for process `client` (round trip 2: unit latency). */
async function store(fabric: Fabric, layout: SwarmKvLayout, client: number): Promise<SwarmKv> {
  const kv = new SwarmKv(fabric, { ...layout, client, roundTrip: 2 });
  await kv.load(keys);
  return kv;
}

interface Cost {
  readonly call: string;
  readonly roundTrips: number;
  readonly hit: boolean;
}

/** One client's calls, one after another with a pause between them (no contention), with each call's cost. */
async function costsOf(algorithm: SwarmKvAlgorithm, calls: (kv: SwarmKv, cost: (call: string) => void) => Promise<void>): Promise<Cost[]> {
  const layout = layoutFor(1, { algorithm });
  const simulation = world(1, swarmKvRegions(layout), 1);
  const costs: Cost[] = [];
  simulation.spawn(0, async (fabric) => {
    const kv = await store(fabric, layout, 0);
    await calls(kv, (call) => costs.push({ call, roundTrips: kv.lastRoundTrips, hit: kv.lastCacheHit }));
  });
  const result = await simulation.run();
  assert.deepEqual(result.errors, []);
  assert.equal(result.end, 'done');
  assert.equal(checkRunLinearizable(result.history, 'kv').verdict, 'linearizable');
  return costs;
}

describe('SWARM-KV round trips (spec §7: unit latency, no contention, clocks in sync)', () => {
  it('Safe-Guess: a miss get costs 2 (lookup, then the READ whose first scan checks the KEY), a miss put 3 (lookup, KEY READ, W1); hits 1', async () => {
    const costs = await costsOf('safe-guess', async (kv, cost) => {
      assert.equal(await kv.get('k3'), '');
      cost('get k3');
      await kv.put('k3', 'three');
      cost('put k3');
      assert.equal(await kv.get('k3'), 'three');
      cost('get k3');
      await kv.put('k5', 'five');
      cost('put k5');
      await kv.put('k5', 'FIVE');
      cost('put k5');
      assert.equal(await kv.get('k5'), 'FIVE');
      cost('get k5');
      await kv.delete('k5');
      cost('delete k5');
      assert.equal(await kv.get('k5'), '');
      cost('get k5');
    });
    assert.deepEqual(
      costs.map((cost) => `${cost.call}: ${cost.roundTrips} ${cost.hit ? 'hit' : 'miss'}`),
      ['get k3: 2 miss', 'put k3: 1 hit', 'get k3: 1 hit', 'put k5: 3 miss', 'put k5: 1 hit', 'get k5: 1 hit', 'delete k5: 1 hit', 'get k5: 1 hit'],
    );
  });

  it('DM-ABD under the store: In-n-Out puts 2, gets 1; out of place (the baseline) puts 2, gets 2; misses add the lookup (and the KEY READ for puts)', async () => {
    const script = async (kv: SwarmKv, cost: (call: string) => void) => {
      await kv.put('k1', 'one');
      cost('put miss');
      await kv.put('k1', 'uno');
      cost('put hit');
      assert.equal(await kv.get('k1'), 'uno');
      cost('get hit');
      assert.equal(await kv.get('k2'), '');
      cost('get miss (unwritten)');
    };
    const inPlace = await costsOf('dm-abd', script);
    assert.deepEqual(inPlace.map((cost) => cost.roundTrips), [4, 2, 1, 2]);
    const outOfPlace = await costsOf('dm-abd-out-of-place', script);
    // An unwritten key's read fetches nothing: its max is ⊥.
    assert.deepEqual(outOfPlace.map((cost) => cost.roundTrips), [4, 2, 2, 2]);
  });
});

describe('SWARM-KV unknown keys', () => {
  /** A key outside the space whose fingerprint matches a loaded key's slot in a bucket it reads: only the KEY tells them apart. */
  function collidingStranger(layout: SwarmKvLayout): string {
    const config = swarmKvLayoutConfig(layout);
    const image = buildIndex(keys, config.buckets).indexBytes;
    for (let attempt = 0; ; attempt++) {
      const stranger = `s${attempt}`;
      const { first, second } = keyPlace(stranger, config.buckets);
      const both = new Uint8Array(2 * bucketSize);
      both.set(image.subarray(bucketOffset(first), bucketOffset(first) + bucketSize), 0);
      both.set(image.subarray(bucketOffset(second), bucketOffset(second) + bucketSize), bucketSize);
      if (lookupCandidates(both, stranger).length > 0) return stranger;
    }
  }

  it('refuses a key outside the loaded space with UnknownKey (code unknown-key, fail in the history), even on an fp collision, and loses nothing', async () => {
    // Two buckets hold all 16 keys: a stranger's fp meets a slot in about 1 of 4,096 tries.
    const layout = layoutFor(1, { buckets: 2 });
    const stranger = collidingStranger(layout);
    const simulation = world(2, swarmKvRegions(layout), 1);
    const refusals: string[] = [];
    const refuse = async (call: Promise<unknown>, kv: SwarmKv, operation: string, key: string) => {
      await assert.rejects(call, (error: unknown) => error instanceof UnknownKey && error.code === 'unknown-key' && error.operation === operation && error.message.includes(JSON.stringify(key)));
      refusals.push(`${operation} ${key.split(' ')[0]}: ${kv.lastRoundTrips}`);
    };
    simulation.spawn(0, async (fabric) => {
      const kv = await store(fabric, layout, 0);
      await kv.put('k0', 'zero');
      for (const key of keys) await kv.put(key, `value of ${key}`);
      await refuse(kv.get('nope'), kv, 'get', 'nope');
      await refuse(kv.put(stranger, 'must not land'), kv, 'put', stranger);
      await refuse(kv.get(stranger), kv, 'get', stranger);
      await refuse(kv.delete('a key far longer than keyMax bytes'), kv, 'delete', 'a key far longer than keyMax bytes');
      for (const key of keys) assert.equal(await kv.get(key), `value of ${key}`);
    });
    const result = await simulation.run();
    assert.deepEqual(result.errors, []);
    // get nope: the lookup finds no fp (1). The stranger: lookup, then the KEY READ of a put (2) or the get's checked scan (1 + 1).
    assert.deepEqual(refusals, ['get nope: 1', `put ${stranger}: 2`, `get ${stranger}: 2`, 'delete a: 0']);
    assert.equal(result.history.filter((event) => event.type === 'fail').length, 4);
    assert.equal(checkRunLinearizable(result.history, 'kv').verdict, 'linearizable');
  });
});

describe('SWARM-KV under contention', () => {
  it('writers and readers on hot keys with E = 2 entries per log: every key linearizable over many seeds, entries reused', async () => {
    for (const algorithm of ['safe-guess', 'dm-abd', 'dm-abd-out-of-place'] as const) {
      let reused = 0;
      for (let seed = 1; seed <= 12; seed++) {
        const layout = layoutFor(4, { entries: 2, algorithm });
        const simulation = world(seed, swarmKvRegions(layout), 4, 'uniform:1:5');
        const puts = new Map<string, number>();
        for (let client = 0; client < 4; client++) {
          simulation.spawn(client, async (fabric) => {
            const kv = await store(fabric, layout, client);
            for (let call = 0; call < 12; call++) {
              const key = `k${Math.floor(fabric.random() * 2)}`;
              if (fabric.random() < 0.5) {
                await kv.put(key, `p${client}.${call}`);
                puts.set(`${client}/${key}`, (puts.get(`${client}/${key}`) ?? 0) + 1);
              } else await kv.get(key);
            }
          });
        }
        const result = await simulation.run();
        assert.deepEqual(result.errors, [], `${algorithm} seed ${seed}`);
        assert.equal(result.end, 'done', `${algorithm} seed ${seed}`);
        const verdict = checkRunLinearizable(result.history, 'kv');
        assert.equal(verdict.verdict, 'linearizable', `${algorithm} seed ${seed}: ${verdict.explanation}`);
        // A writer with more than E = 2 puts to a key rewrote one of its entries of that key.
        for (const count of puts.values()) if (count > 2) reused++;
      }
      assert.ok(reused > 0, `${algorithm}: some writer reused an entry`);
    }
  });
});

describe('SWARM-KV out of timestamps (spec §3: fail-stop, never wrap)', () => {
  it('a put that would need a ts past 40 bits ends unknown (info), and the client refuses every later call', async () => {
    const layout = layoutFor(1);
    const simulation = world(4, swarmKvRegions(layout), 1);
    const outcomes: string[] = [];
    simulation.spawn(0, async (fabric) => {
      // The epoch far in the past puts the clock 24 ticks (of 2/3) short of 2^40 at the start; Δ as large lets the guess follow it.
      const kv = new SwarmKv(fabric, { ...layout, client: 0, roundTrip: 2, epoch: -Number(timestampMax - 24n) * (2 / 3), delta: 1n << 40n });
      await kv.load(keys);
      for (let call = 0; call < 20; call++) {
        try {
          await kv.put('k1', `v${call}`);
          outcomes.push('ok');
        } catch (error) {
          outcomes.push(error instanceof TimestampsExhausted ? 'ts-exhausted' : error instanceof SwarmKvStopped ? 'stopped' : String(error));
        }
      }
    });
    const result = await simulation.run();
    assert.deepEqual(result.errors, []);
    const exhausted = outcomes.indexOf('ts-exhausted');
    assert.ok(exhausted > 0, outcomes.join(' '));
    assert.deepEqual(outcomes.slice(0, exhausted), new Array(exhausted).fill('ok'));
    assert.deepEqual(outcomes.slice(exhausted + 1), new Array(outcomes.length - exhausted - 1).fill('stopped'));
    assert.deepEqual(result.history.filter((event) => event.type !== 'invoke').map((event) => event.type), [...new Array(exhausted).fill('ok'), 'info']);
    assert.equal(checkRunLinearizable(result.history, 'kv').verdict, 'linearizable');
  });
});
