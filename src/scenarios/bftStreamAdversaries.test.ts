import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunOptions } from './index.js';
import { placeStreamStrategies, streamStrategyNames } from './bftByzantineStreams.js';
import { parseBftAdversaries } from './bftByzantineClients.js';

/**
 * The stream-level replica adversaries of the bft catalogue (§6) on p0,
 * the leader of view 0 (byzantineStream.ts): each shows an effect in some
 * seed of a small range and never breaks agreement, validity, integrity,
 * the KV history's linearizability or liveness (`report.ok`). Strategies
 * that race the correct replicators' reads (splitter, swapper) need a
 * latency model with spread (`rdma`); the others run on `unit`. More seeds
 * and f = 2 behind MNM_LONG.
 */

const long = process.env.MNM_LONG === '1';

interface Details {
  calls: { ok: number; info: number };
  adversaryEffects: Record<string, string[]>;
}

const cases: { strategy: string; latency: string; seeds: number[] }[] = [
  { strategy: 'torn-writer', latency: 'unit', seeds: [1] },
  { strategy: 'ahead-writer', latency: 'unit', seeds: [1] },
  { strategy: 'stream-burner', latency: 'unit', seeds: [1] },
  { strategy: 'stream-splitter', latency: 'unit', seeds: [1, 2, 3] },
  { strategy: 'hash-swapper', latency: 'rdma', seeds: [1, 2] },
];

async function effectIn(strategy: string, latency: string, seeds: readonly number[], f: number): Promise<string[]> {
  const effects: string[] = [];
  for (const seed of seeds) {
    const options: RunOptions = { protocol: 'bft', seed, latency, faults: 'none', ops: 2, f, adversary: strategy };
    const report = await runScenario(options, 'off');
    assert.equal(report.ok, true, `${strategy} seed ${seed} f=${f}: ${JSON.stringify(report.violations)}`);
    assert.equal(report.linearizable, true, `${strategy} seed ${seed}: KV history not linearizable`);
    const details = report.details as unknown as Details;
    // Every correct client's call completed (liveness owed: one Byzantine replica, no crash).
    assert.equal(details.calls.ok, 4, `${strategy} seed ${seed}: ${JSON.stringify(details.calls)}`);
    effects.push(...(details.adversaryEffects[strategy] ?? []));
    if (effects.length > 0 && !long) break;
  }
  return effects;
}

describe('bft stream-level Byzantine replicas (§6)', () => {
  it('places the first on the leader p0, the next ones on p2f, p2f−1, …, at most f; parses cb:NAME', () => {
    assert.deepEqual([...placeStreamStrategies(['hash-swapper', 'torn-writer'], 2)], [[0, 'hash-swapper'], [4, 'torn-writer']]);
    assert.throws(() => placeStreamStrategies(['hash-swapper', 'torn-writer'], 1), /exceed f = 1/);
    assert.deepEqual(parseBftAdversaries('cb:flip-replicator,big-client', streamStrategyNames), { replica: ['cb:flip-replicator'], client: ['big-client'] });
    assert.throws(() => parseBftAdversaries('cb:nothing', streamStrategyNames), /unknown strategy 'cb:nothing'/);
  });

  for (const { strategy, latency, seeds } of cases) {
    it(`${strategy} (f = 1, ${latency}) has an effect and breaks nothing`, async () => {
      const effects = await effectIn(strategy, latency, long ? [...seeds, 4, 5, 6] : seeds, 1);
      assert.ok(effects.length > 0, `${strategy}: no effect in seeds ${seeds.join(', ')}`);
    });
  }

  const atF2 = long ? cases : cases.filter((entry) => entry.strategy === 'torn-writer');
  for (const { strategy, latency, seeds } of atF2) {
    it(`${strategy} (f = 2, ${latency}) has an effect and breaks nothing`, async () => {
      const effects = await effectIn(strategy, latency, seeds, 2);
      assert.ok(effects.length > 0, `${strategy}: no effect at f = 2`);
    });
  }
});
