import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunOptions } from './index.js';
import { decisionsOf, scheduleRuns, violatedProperties } from './bftSchedules/scheduleRuns.js';
import { recordsSchedules } from './bftSchedules/records.js';
import type { BftSchedule } from './bftSchedules/index.js';

/**
 * The §2.1 (record-layer) mutants of specs/bft-consensus.md §6, each a
 * variant of the consistent broadcast's records or checks that a bft
 * replica's stream runs (protocols/byzantine/mutants.ts), caught by its
 * interleaving: `torn-blocks` by the `torn-writer` adversary (a run, as
 * `mnm run bft --mutant torn-blocks --adversary torn-writer` does), the
 * others by their schedules (bftSchedules/records.ts, scripts in which
 * b = p0 writes its own stream's slots by hand, run as their scenarios by
 * name, with their pause or holds). The same schedule runs clean on
 * correct code.
 */

function schedule(mutant: string): BftSchedule {
  const found = recordsSchedules.find((candidate) => candidate.mutant === mutant);
  assert.ok(found, `a records schedule for ${mutant}`);
  return found;
}

describe('bft mutants of the record layer (§2.1), caught by their interleavings', () => {
  it("unchecked-value: hash-swapping b; p1 delivers A, p2 B at b's k = 1 (and k = 2); agreement at 0", async () => {
    const { correct, broken } = await scheduleRuns(schedule('unchecked-value'));
    const [decided, brokenDecided] = [decisionsOf(correct), decisionsOf(broken)];
    assert.ok(decided.get(1)?.has(0), 'correct p1 decides A at 0');
    assert.ok(!decided.get(2)?.has(0), "correct p2 never delivers b's k = 1 (B is not what the records certify): nothing decided");
    assert.ok(brokenDecided.get(1)?.has(0) && brokenDecided.get(2)?.has(0), 'both decide at 0 under the mutant');
    assert.notEqual(brokenDecided.get(1)?.get(0), brokenDecided.get(2)?.get(0));
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  it('rewritten-record: b signs two PREPAREs (and COMMITs) as k; p1 checks A, then its record follows B under its checked bit; p2 delivers A, p1 B; agreement at 0', async () => {
    const { correct, broken } = await scheduleRuns(schedule('rewritten-record'));
    const [decided, brokenDecided] = [decisionsOf(correct), decisionsOf(broken)];
    assert.ok(!decided.get(1)?.has(0), "correct p1 never delivers b's k = 1 (one checked record per value, and a signed conflict)");
    assert.ok(brokenDecided.get(1)?.has(0) && brokenDecided.get(2)?.has(0), 'both decide at 0 under the mutant');
    assert.notEqual(brokenDecided.get(1)?.get(0), brokenDecided.get(2)?.get(0));
    assert.ok(violatedProperties(broken).includes('agreement'), JSON.stringify(broken.violations));
  });

  // Caught in each of seeds 1–10 (10 of 10) and clean on correct code in each; a stuck run is slow (it runs to the clients'
  // give-up). The default suite catches it at seed 1 in bftMutantsSweep.test.ts (the same run); MNM_LONG runs seeds 1–5 here.
  const long = process.env.MNM_LONG === '1';
  it('torn-blocks: a torn-writer b = p0 leaves a torn copy of its blocks for good; waiting for clean copies stalls every stream at that k (liveness), seeds 1–5', { skip: long ? false : 'seed 1 runs in bftMutantsSweep.test.ts; seeds 1–5: MNM_LONG=1' }, async () => {
    const base: RunOptions = { protocol: 'bft', seed: 1, latency: 'unit', faults: 'none', ops: 4, f: 1, adversary: 'torn-writer' };
    const seeds = [1, 2, 3, 4, 5];
    for (const seed of seeds) {
      const correct = await runScenario({ ...base, seed }, 'off');
      assert.equal(correct.ok, true, `correct code, seed ${seed}: ${JSON.stringify(correct.violations)}`);
      const broken = await runScenario({ ...base, seed, mutant: 'torn-blocks' }, 'off');
      assert.ok(broken.violations.some((violation) => violation.property === 'liveness'), `torn-blocks, seed ${seed}: ${JSON.stringify(broken.violations)}`);
    }
  });
});
