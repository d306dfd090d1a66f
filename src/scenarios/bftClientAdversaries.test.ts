import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunOptions } from './index.js';
import { bftClientAdversaries, type BftClientAdversary } from '../protocols/byzantine/bft/adversaryCatalogue.js';
import { byzantineClientsOf, correctRequests, parseBftAdversaries, validateBftClientAdversaries } from './bftByzantineClients.js';

/**
 * The client adversaries of the bft catalogue (§6): each, placed on client
 * 0 of two, shows an effect in some seed of a small range, and never breaks
 * agreement, validity, integrity, the KV history's linearizability or the
 * correct client's liveness (`report.ok` carries them all). More seeds and
 * f = 2 behind MNM_LONG.
 */

const long = process.env.MNM_LONG === '1';
const base: RunOptions = { protocol: 'bft', seed: 1, latency: 'unit', faults: 'none', ops: 2, f: 1 };

interface Details {
  calls: { ok: number; info: number };
  adversaryEffects: Record<string, string[]>;
}

async function effectIn(strategy: BftClientAdversary, seeds: readonly number[], f: number): Promise<string[]> {
  const effects: string[] = [];
  for (const seed of seeds) {
    const report = await runScenario({ ...base, seed, f, adversary: strategy }, 'off');
    assert.equal(report.ok, true, `${strategy} seed ${seed} f=${f}: ${JSON.stringify(report.violations)}`);
    assert.equal(report.linearizable, true, `${strategy} seed ${seed}: KV history not linearizable`);
    const details = report.details as unknown as Details;
    // The correct client (client 1) completed its calls: liveness with a Byzantine client around.
    assert.equal(details.calls.ok, base.ops, `${strategy} seed ${seed}: ${JSON.stringify(details.calls)}`);
    effects.push(...(details.adversaryEffects[strategy] ?? []));
    if (effects.length > 0 && !long) break;
  }
  return effects;
}

describe('bft Byzantine clients (§6)', () => {
  it('parses --adversary into replica and client strategies, refusing unknown names and a run with no correct client', () => {
    assert.deepEqual(parseBftAdversaries(undefined), { replica: [], client: [] });
    assert.deepEqual(parseBftAdversaries('none'), { replica: [], client: [] });
    assert.deepEqual(parseBftAdversaries('silent, flooding-client'), { replica: ['silent'], client: ['flooding-client'] });
    assert.throws(() => parseBftAdversaries('sneaky-client'), /unknown strategy 'sneaky-client'/);
    assert.throws(() => validateBftClientAdversaries(['big-client'], 1), /no correct client of 1; pass --clients 2/);
    validateBftClientAdversaries(['big-client'], 2);
    const byzantine = byzantineClientsOf({ clients: [3, 4, 5] }, ['big-client', 'forging-client']);
    assert.deepEqual([...byzantine], [[3, 'big-client'], [4, 'forging-client']]);
    assert.equal(correctRequests({ clients: [3, 4, 5] }, byzantine, 4), 4);
  });

  it('the CLI path refuses a client adversary that leaves no correct client (exit 2 material), before running', async () => {
    await assert.rejects(runScenario({ ...base, n: 4, f: 1, clients: 1, adversary: 'big-client' } as RunOptions, 'off'), /no correct client/);
  });

  const seeds = long ? [1, 2, 3, 4, 5, 6, 7, 8] : [1, 2, 3];
  for (const strategy of Object.keys(bftClientAdversaries) as BftClientAdversary[]) {
    it(`${strategy} (f = 1) has an effect and breaks nothing`, async () => {
      const effects = await effectIn(strategy, seeds, 1);
      assert.ok(effects.length > 0, `${strategy}: no effect in seeds ${seeds.join(', ')}`);
      // Bad input is refused, not a crash: ops over 128 bytes get no REPLY, one of exactly 128 bytes is served.
      if (strategy === 'big-client') {
        assert.ok(effects.some((reason) => /refused an op of 129 bytes/.test(reason)), effects.join('; '));
        assert.ok(effects.some((reason) => /exactly 128 bytes was served/.test(reason)), effects.join('; '));
      }
    });
  }

  const atF2: BftClientAdversary[] = long ? (Object.keys(bftClientAdversaries) as BftClientAdversary[]) : ['conflicting-client', 'flooding-client'];
  {
    for (const strategy of atF2) {
      it(`${strategy} (f = 2) has an effect and breaks nothing`, async () => {
        const effects = await effectIn(strategy, long ? [1, 2, 3] : [1, 2], 2);
        assert.ok(effects.length > 0, `${strategy}: no effect at f = 2`);
      });
    }
  }
});
