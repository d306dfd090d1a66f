import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions } from '../../scenarios/index.js';
import { bftScenario } from '../../scenarios/bft.js';
import { bftByzantineOf, crashedReplicas } from '../../scenarios/bftAdversarySetup.js';
import { bftClientAdversaries } from '../../protocols/byzantine/bft/adversaryCatalogue.js';
import { streamAdversaries } from '../../protocols/byzantine/bft/byzantineStream.js';
import { bftMixedRunOptions } from './bftMix.js';

describe('the bft sweep draw: Byzantine replicas, clients and pauses (bftMix.ts)', () => {
  it('draws 0..f Byzantine replicas minus the crashed ones, off them, the whole catalogue and pauses at decisions; every draw is a run the scenario accepts', () => {
    let byzantineSeeds = 0;
    let cleanSeeds = 0;
    let paused = 0;
    const streams = new Set<string>();
    const clients = new Set<string>();
    for (let seed = 1; seed <= 300; seed++) {
      const options = bftMixedRunOptions(seed, {});
      const resolved = resolveOptions(options);
      const f = options.f as number;
      assert.doesNotThrow(() => bftScenario.validate?.(resolved), `seed ${seed}: ${options.adversary} / ${options.crash}`);
      const byzantine = bftByzantineOf(resolved, f);
      const processes = [...byzantine.replicas.map((placement) => placement.process), ...byzantine.streams.keys()];
      const crashed = crashedReplicas(options.crash, 2 * f + 1);
      assert.ok(processes.length + crashed.size <= f);
      assert.ok(processes.every((process) => !crashed.has(process)));
      assert.ok(byzantine.clients.length < (options.clients as number), 'one correct client remains');
      for (const name of byzantine.streams.values()) streams.add(name);
      for (const name of byzantine.clients) clients.add(name);
      if (options.pause !== undefined) {
        assert.match(options.pause, /^p\d+@note:bft-decide(#[23])?\+\d+$/);
        paused++;
      }
      if (processes.length > 0) byzantineSeeds++;
      else cleanSeeds++;
    }
    assert.ok(byzantineSeeds > 0 && cleanSeeds > 0, `${byzantineSeeds} seeds with Byzantine replicas, ${cleanSeeds} without`);
    assert.deepEqual([...streams].sort(), [...streamAdversaries].sort(), 'every stream-level strategy is drawn');
    assert.deepEqual([...clients].sort(), Object.keys(bftClientAdversaries).sort(), 'every client strategy is drawn');
    assert.ok(paused > 20 && paused < 120, `${paused} of 300 seeds pause a replica at a decision`);
  });

  it('a fixed --crash is what the adversary draw avoids; a fixed --adversary stays', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const options = bftMixedRunOptions(seed, { f: 1, crash: 'p2@0' });
      const byzantine = bftByzantineOf(resolveOptions(options), 1);
      assert.deepEqual([byzantine.replicas, [...byzantine.streams]], [[], []], `seed ${seed}: f = 1 with a crash leaves no room for a Byzantine replica`);
    }
    assert.equal(bftMixedRunOptions(5, { adversary: 'silent' }).adversary, 'silent');
  });
});
