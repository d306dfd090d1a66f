import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunOptions, type RunReport } from './index.js';
import { bftAdversarySweeps as cases } from './bftAdversarySweeps.js';

/**
 * bft mutants the sweep catches with a named adversary of the catalogue
 * (and, where §6 says "p0 decides, pauses", a pause at p0's first decision),
 * as `mnm sweep bft --mutant M --adversary A [--pause …]` runs them (unit latency, seeds
 * from 1, stopping at the first violation); the same adversary on correct
 * code over the same seeds is clean. The other mutants need their §6
 * interleaving (a pause timed after a decision, one message dropped) and are
 * caught by scripted schedules (bftMutantsNormal.test.ts,
 * bftMutantsViewChange.test.ts, bftTransfer.test.ts, stateTransfer.test.ts).
 */
async function firstViolation(options: Omit<RunOptions, 'seed'>, seeds: number): Promise<RunReport | undefined> {
  for (let seed = 1; seed <= seeds; seed++) {
    const report = await runScenario({ ...options, seed }, 'off');
    if (!report.ok) return report;
  }
  return undefined;
}

const base = { protocol: 'bft', latency: 'unit', faults: 'crash', ops: 4, f: 1 } as const;

describe('bft mutants caught by the sweep with a named adversary', () => {
  for (const [mutant, adversary, extra, properties] of cases) {
    it(`mnm sweep bft --mutant ${mutant} --adversary ${adversary}${extra.pause ? ` --pause ${extra.pause}` : ''} catches it within 10 seeds; correct code stays clean there`, async () => {
      const caught = await firstViolation({ ...base, ...extra, mutant, adversary }, 10);
      assert.ok(caught, 'no violation in 10 seeds');
      const found = [...caught.violations.map((violation) => violation.property), ...(caught.linearizable === false ? ['linearizability'] : [])];
      assert.ok(found.some((property) => properties.includes(property)), JSON.stringify(caught.violations));
      const correct = await runScenario({ ...base, ...extra, adversary, seed: caught.seed }, 'off');
      assert.equal(correct.ok, true, `seed ${caught.seed} without the mutant: ${JSON.stringify(correct.violations)}`);
    });
  }
});
