import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions } from '../../scenarios/index.js';
import { bftScenario } from '../../scenarios/bft.js';
import { bftAdversariesOf, crashedReplicas } from '../../scenarios/bftAdversarySetup.js';
import { bftMixedRunOptions } from './bftMix.js';

describe('the bft sweep draw: Byzantine replicas (bftMix.ts adversary rule)', () => {
  it('draws 0..f Byzantine strategies minus the crashed replicas, off them, and every draw is a run the scenario accepts', () => {
    let byzantineSeeds = 0;
    let cleanSeeds = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const options = bftMixedRunOptions(seed, {});
      const resolved = resolveOptions(options);
      const f = options.f as number;
      assert.doesNotThrow(() => bftScenario.validate?.(resolved), `seed ${seed}: ${options.adversary} / ${options.crash}`);
      const placed = bftAdversariesOf(resolved, f);
      const crashed = crashedReplicas(options.crash, 2 * f + 1);
      assert.ok(placed.length + crashed.size <= f);
      assert.ok(placed.every((placement) => !crashed.has(placement.process)));
      if (placed.length > 0) byzantineSeeds++;
      else cleanSeeds++;
    }
    assert.ok(byzantineSeeds > 0 && cleanSeeds > 0, `${byzantineSeeds} seeds with Byzantine replicas, ${cleanSeeds} without`);
  });

  it('a fixed --crash is what the adversary draw avoids; a fixed --adversary stays', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const options = bftMixedRunOptions(seed, { f: 1, crash: 'p2@0' });
      assert.equal(options.adversary, undefined, `seed ${seed}: f = 1 with a crash leaves no room`);
    }
    assert.equal(bftMixedRunOptions(5, { adversary: 'silent' }).adversary, 'silent');
  });
});
