import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../sim/index.js';
import { resolveOptions } from '../../scenarios/index.js';
import { livenessOwed } from '../../scenarios/bft.js';
import { bftMixedRunOptions, drawBftCrashes } from './bftMix.js';
import { runSeed, seedOptions, sweepPlanOf } from './seedRun.js';
import { addOutcome, emptyTally } from './sweepTally.js';
import { bftSetup, testSlotBytes } from '../../scenarios/bftSetup.js';

function crashed(list: string | undefined, kind: 'p' | 'm'): number[] {
  return (list ?? '')
    .split(',')
    .filter((token) => token.startsWith(kind))
    .map((token) => Number(/^[pm](\d+)/.exec(token)?.[1]));
}

describe('the bft sweep draw (bftMix.ts)', () => {
  it('crashes at most f replicas, the leader among them, and at most a minority of memories; without the switch, followers only', () => {
    let followers = 0;
    let memories = 0;
    let leaders = 0;
    let chains = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const options = bftMixedRunOptions(seed, {});
      const f = options.f as number;
      const processes = crashed(options.crash, 'p');
      const memoryCrashes = crashed(options.crash, 'm');
      assert.ok(processes.length <= f, `seed ${seed}: ${options.crash}`);
      assert.ok(processes.every((process) => process >= 0 && process <= 2 * f), `seed ${seed}: replicas only: ${options.crash}`);
      assert.equal(new Set(processes).size, processes.length);
      assert.ok(memoryCrashes.length <= Math.floor(((options.memories as number) - 1) / 2), `seed ${seed}: a minority of memories: ${options.crash}`);
      assert.equal(options.faults, 'none', 'every fault is explicit, so liveness is judged');
      followers += processes.filter((process) => process !== 0).length;
      if (processes.includes(0)) leaders++;
      if (processes.includes(0) && processes.includes(1)) chains++;
      memories += memoryCrashes.length;
      // Each drawn configuration is one the scenario accepts, and owes liveness (memory crashes included) unless paused.
      const resolved = resolveOptions(options);
      // A seed that pauses a replica at a decision (drawDecisionPause) is judged on safety only.
      assert.equal(livenessOwed(resolved, 2 * f + 1, f), options.pause === undefined, `seed ${seed}: liveness judged unless paused: ${options.crash} ${options.pause}`);
      const followersOnly = drawBftCrashes(new Prng(seed, 'followers'), f, options.memories as number, 1, { leaderCrashes: false });
      assert.ok(!crashed(followersOnly, 'p').includes(0), `seed ${seed}: with the switch off, p0 never crashes: ${followersOnly}`);
    }
    assert.ok(followers > 0 && memories > 0, 'the draw crashes followers and memories');
    assert.ok(leaders > 0, 'the leader is among the crashable');
    assert.ok(chains > 0, 'at f = 2, some seeds crash the leader and the next leader');
  });

  it('is a pure function of the seed, and what the caller fixed stays', () => {
    assert.deepEqual(bftMixedRunOptions(7, {}), bftMixedRunOptions(7, {}));
    const fixed = bftMixedRunOptions(7, { f: 2, clients: 1, window: 4, latency: 'lan' });
    assert.equal(fixed.f, 2);
    assert.equal(fixed.clients, 1);
    assert.equal(fixed.window, 4);
    assert.equal(fixed.latency, 'lan');
    // A mixed sweep of bft uses this draw.
    assert.deepEqual(seedOptions(sweepPlanOf({ protocol: 'bft', seed: 1, latency: 'unit', faults: 'crash' }, { f: 1 }), 9), bftMixedRunOptions(9, { f: 1 }));
  });

  it('drawn seeds with a follower, or the leader, and memories crashed run clean on the simulator', async () => {
    const plan = sweepPlanOf({ protocol: 'bft', seed: 1, latency: 'unit', faults: 'crash' }, { f: 1 });
    // Seed 36 (f fixed at 1): 3 clients × 3 calls, tail latency; p1 crashes at 121.82, m2 and m0 of five memories.
    // Seed 2: 1 client × 4 calls, rdma; the leader p0 crashes at 9.72 (a view change), m2 and m1 of five memories.
    for (const [seed, process] of [[36, 1], [2, 0]] as const) {
      const options = seedOptions(plan, seed);
      assert.ok(crashed(options.crash, 'p').includes(process) && crashed(options.crash, 'm').length >= 1, options.crash);
      const outcome = await runSeed(plan, seed);
      assert.deepEqual(outcome.failure?.violations ?? [], [], `seed ${seed}`);
      assert.equal(outcome.ok, true, `seed ${seed}`);
    }
  });

  it('--slots K sizes the streams (C = 4096 as the spec tests), and a sweep counts a run ended for stream-full apart', async () => {
    const setup = bftSetup(resolveOptions({ protocol: 'bft', seed: 1, f: 1, latency: 'unit', faults: 'none', slots: 1024 }));
    assert.equal(setup.layout.messages, 1024);
    assert.equal(setup.layout.shape.messageCapacity, testSlotBytes);
    assert.throws(() => resolveOptions({ protocol: 'bft', seed: 1, f: 1, latency: 'unit', faults: 'none', slots: 2 ** 32 }), /--slots 4294967296: a bft stream holds K < 2\^32 blocks/);
    // 3 blocks cannot hold 2 clients × 4 calls: the run ends with stream-full, safety still judged, liveness not owed.
    const plan = sweepPlanOf({ protocol: 'bft', seed: 1, latency: 'unit', faults: 'none', f: 1, ops: 4, slots: 3 }, undefined);
    const outcome = await runSeed(plan, 1);
    assert.equal(outcome.sized, true);
    assert.equal(outcome.ok, true, JSON.stringify(outcome.failure?.violations));
    const tally = emptyTally(1);
    addOutcome(tally, outcome);
    addOutcome(tally, await runSeed(sweepPlanOf({ protocol: 'bft', seed: 1, latency: 'unit', faults: 'none', f: 1, ops: 1 }, undefined), 2));
    assert.deepEqual([tally.runs, tally.sized, tally.violations], [2, 1, 0]);
  });
});
