import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../index.js';

/**
 * The long sweeps (MNM_LONG=1): 20,000 seeds per broadcast protocol with
 * every adversary combination and every fault profile drawn by seed — the
 * same runs as `mnm sweep cb|rb --f F --seeds N --adversary all --faults all`.
 * f = 2 runs cost about three times f = 1, hence the split.
 */
const long = Boolean(process.env.MNM_LONG);
const plan: readonly { readonly f: number; readonly seeds: number }[] = [
  { f: 1, seeds: 16_000 },
  { f: 2, seeds: 4_000 },
];

describe('Byzantine broadcast: long sweeps', { skip: long ? false : 'set MNM_LONG=1' }, () => {
  for (const protocol of ['cb', 'rb'] as const) {
    it(`${protocol}: ${plan.reduce((total, part) => total + part.seeds, 0)} seeds of --adversary all --faults all, no violation`, async () => {
      for (const { f, seeds } of plan) {
        const violating: string[] = [];
        for (let seed = 1; seed <= seeds; seed++) {
          const report = await runScenario({ protocol, seed, f, adversary: 'all', latency: 'unit', faults: 'all' }, 'off');
          if (!report.ok && violating.length < 5) violating.push(`mnm run ${protocol} --seed ${seed} --f ${f} --adversary all --faults all: ${JSON.stringify(report.violations)}`);
        }
        assert.deepEqual(violating, [], `${protocol} --f ${f}`);
      }
    });
  }
});
