import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../sim/index.js';
import { resolveOptions } from '../../scenarios/index.js';
import { livenessOwed } from '../../scenarios/bft.js';
import { bftMixedRunOptions, drawBftCrashes } from './bftMix.js';
import { runSeed, seedOptions, sweepPlanOf } from './seedRun.js';

function crashed(list: string | undefined, kind: 'p' | 'm'): number[] {
  return (list ?? '')
    .split(',')
    .filter((token) => token.startsWith(kind))
    .map((token) => Number(/^[pm](\d+)/.exec(token)?.[1]));
}

describe('the bft sweep draw (bftMix.ts)', () => {
  it('crashes followers only (at most f) and at most a minority of memories; leader crashes behind the switch', () => {
    let followers = 0;
    let memories = 0;
    let leaders = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const options = bftMixedRunOptions(seed, {});
      const f = options.f as number;
      const processes = crashed(options.crash, 'p');
      const memoryCrashes = crashed(options.crash, 'm');
      assert.ok(processes.length <= f, `seed ${seed}: ${options.crash}`);
      assert.ok(processes.every((process) => process >= 1 && process <= 2 * f), `seed ${seed}: followers only: ${options.crash}`);
      assert.equal(new Set(processes).size, processes.length);
      assert.ok(memoryCrashes.length <= Math.floor(((options.memories as number) - 1) / 2), `seed ${seed}: a minority of memories: ${options.crash}`);
      assert.equal(options.faults, 'none', 'every fault is explicit, so liveness is judged');
      followers += processes.length;
      memories += memoryCrashes.length;
      // Each drawn configuration is one the scenario accepts, and owes liveness (memory crashes included).
      const resolved = resolveOptions(options);
      assert.equal(livenessOwed(resolved, 2 * f + 1, f), true, `seed ${seed}: liveness judged: ${options.crash}`);
      const withLeaders = drawBftCrashes(new Prng(seed, 'leaders'), f, options.memories as number, 1, { leaderCrashes: true });
      if (crashed(withLeaders, 'p').includes(0)) leaders++;
    }
    assert.ok(followers > 0 && memories > 0, 'the draw crashes followers and memories');
    assert.ok(leaders > 0, 'with the switch on, the leader is among the crashable');
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

  it('a drawn seed with a follower and a memory crashed runs clean on the simulator', async () => {
    const plan = sweepPlanOf({ protocol: 'bft', seed: 1, latency: 'unit', faults: 'crash' }, { f: 1 });
    // Seed 49 (f fixed at 1): two clients, two calls each; p1 crashes at 13.4, m0 at 82.78 and m1 at 0 of five memories.
    const options = seedOptions(plan, 49);
    assert.ok(crashed(options.crash, 'p').length === 1 && crashed(options.crash, 'm').length >= 1, options.crash);
    const outcome = await runSeed(plan, 49);
    assert.deepEqual(outcome.failure?.violations ?? [], []);
    assert.equal(outcome.ok, true);
  });
});
