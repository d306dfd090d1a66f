import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getWord, wordBytes } from '../fabric/index.js';
import type { MemoryWatcher } from '../sim/index.js';
import { addScenario } from './registry.js';
import { resolveOptions, runScenario } from './runner.js';
import type { Scenario } from './scenario.js';

/** A watcher that flags any word of region `words` going down. */
const neverDecreases: MemoryWatcher = (change) => {
  const found = [];
  for (let at = 0; at < change.length; at += 8) {
    const before = getWord(change.before, at);
    const after = getWord(change.after, at);
    if (after < before) found.push({ property: 'word-decreased', detail: `word ${(change.offset + at) / 8} went from ${before} to ${after}` });
  }
  return found;
};

/**
 * A toy scenario: word 0 of every memory starts at 10 (preloaded); p0 reads
 * it and writes 11 — or 5 under mutant `lower`, which the memory watcher
 * must report through the runner, as `mnm run --json` and sweeps see it.
 */
const toy: Scenario = {
  name: 'test:memory-watch',
  summary: 'a word that must never decrease',
  mutants: { lower: 'writes a smaller value' },
  defaults: { n: 1, memories: 2, ops: 1 },
  validate() {},
  tolerance: () => ({ processes: 0, memories: 0 }),
  regions: () => [{ name: 'words', size: 32, policy: 'open' }],
  preload: () => [{ region: 'words', offset: 0, bytes: wordBytes(10n) }],
  memoryWatcher: () => neverDecreases,
  body: (options) => async (fabric) => {
    for (let memory = 0; memory < options.memories; memory++) {
      const op = fabric.history.invoke('read', null);
      fabric.history.ok(op, Number(getWord(await fabric.read({ memory, region: 'words', offset: 0 }, 8), 0)));
      await fabric.write({ memory, region: 'words', offset: 0 }, wordBytes(options.mutant === 'lower' ? 5n : 11n));
    }
  },
  check: (history) =>
    history.flatMap((event) => (event.type === 'ok' && event.value !== 10 ? [{ property: 'preloaded', detail: `read ${String(event.value)}, not the preloaded 10` }] : [])),
};

addScenario(toy, 'file:///test/memory-watch-scenario.js');

describe('memory watchers through the runner', () => {
  it('a scenario\'s watcher findings are the run\'s violations, naming the verb; its preload is in place', async () => {
    const clean = await runScenario({ protocol: toy.name, seed: 1, latency: 'unit', faults: 'none' });
    assert.deepEqual(clean.violations, []);
    assert.ok(clean.ok);
    const broken = await runScenario({ protocol: toy.name, seed: 1, latency: 'unit', faults: 'none', mutant: 'lower' });
    assert.ok(!broken.ok);
    assert.deepEqual(
      broken.violations.map((violation) => violation.property),
      ['word-decreased', 'word-decreased'],
    );
    assert.match(broken.violations[0].detail, /^word 0 went from 10 to 5 — after p0's write \(verb 1\) on m0 words\[0\.\.8\) at t=3/);
    assert.match(broken.violations[1].detail, /on m1 words/);
    assert.deepEqual(broken.violations[0].involved, { processes: [0] });
  });

  it('the same seed gives the same findings and the same trace with the watcher as the scenario always runs it', async () => {
    const one = await runScenario({ protocol: toy.name, seed: 4, latency: 'uniform:1:3', faults: 'none', mutant: 'lower' }, 'full');
    const two = await runScenario({ protocol: toy.name, seed: 4, latency: 'uniform:1:3', faults: 'none', mutant: 'lower' }, 'full');
    assert.deepEqual(one.violations, two.violations);
    assert.equal(one.trace, two.trace);
  });

  it('a real backend refuses a scenario that preloads its memories', () => {
    assert.throws(() => resolveOptions({ protocol: toy.name, seed: 1, latency: 'unit', faults: 'none', backend: 'shm' }), /--backend shm: test:memory-watch loads its memories before the run, which only the simulator does so far/);
  });
});
