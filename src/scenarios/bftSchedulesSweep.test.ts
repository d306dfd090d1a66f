import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { bftMutants } from '../protocols/byzantine/bft/mutants.js';
import { runSweep } from '../cli/sweep/runSweep.js';
import { sweepPlanOf } from '../cli/sweep/seedRun.js';
import { bftSchedules, findBftSchedule } from './bftSchedules/index.js';
import { sweptWithAdversary } from './bftAdversarySweeps.js';

/**
 * Issue 16's "every mutant caught by the sweep": each §6 mutant is caught
 * either by a sweep with a named adversary of the catalogue
 * (bftMutantsSweep.test.ts) or by a sweep of its §6 schedule over seeds
 * (`mnm sweep bft --schedule M --mutant M`). Each schedule's test runs it at
 * one seed in the default suite (bftMutants*.test.ts, bftTransfer*.test.ts);
 * behind MNM_LONG=1 every schedule is swept here over seeds 1..10, and must
 * catch its mutant in every seed while correct code stays clean in every seed.
 */

const long = Boolean(process.env.MNM_LONG);
const seeds = 10;

describe('bft §6 mutants: each is caught by a sweep', () => {
  it('every mutant has a named-adversary sweep or a §6 schedule', () => {
    const uncaught = Object.keys(bftMutants).filter((mutant) => !sweptWithAdversary.includes(mutant) && !findBftSchedule(mutant));
    assert.deepEqual(uncaught, [], 'mutants with neither a catching sweep nor a schedule');
  });

  it('every schedule names a known mutant and a scenario of its name', () => {
    for (const schedule of bftSchedules) {
      assert.ok(schedule.mutant in bftMutants, schedule.mutant);
      assert.equal(schedule.scenario.name, `bft-schedule-${schedule.mutant}`);
      assert.ok(schedule.caughtAs.length > 0, schedule.mutant);
    }
  });

  describe(`each schedule swept over seeds 1..${seeds} (MNM_LONG=1)`, { skip: long ? false : `schedule sweeps (${bftSchedules.length} schedules × ${seeds} seeds × 2): MNM_LONG=1` }, () => {
    for (const schedule of bftSchedules) {
      it(`mnm sweep bft --schedule ${schedule.mutant} [--mutant ${schedule.mutant}]: caught in every seed as ${schedule.caughtAs.join(' or ')}; correct code clean`, async () => {
        const base = { protocol: schedule.scenario.name, seed: 1, latency: 'unit', faults: 'none', ...schedule.options } as const;
        const options = { workers: Math.max(1, availableParallelism()), stop: false, maxFailures: seeds, signal: new AbortController().signal };
        const broken = (await runSweep(sweepPlanOf({ ...base, mutant: schedule.mutant }, undefined), { first: 1, count: seeds }, options)).tally;
        const correct = (await runSweep(sweepPlanOf(base, undefined), { first: 1, count: seeds }, options)).tally;
        assert.deepEqual(correct.failures.map((failure) => `${failure.replay}: ${JSON.stringify(failure.violations)}`), [], 'correct code is clean');
        assert.equal(broken.violations, seeds, `caught in ${broken.violations} of ${seeds} seeds`);
        for (const failure of broken.failures) {
          assert.ok(failure.violations.some((violation) => schedule.caughtAs.includes(violation.property)), `${failure.replay}: ${JSON.stringify(failure.violations)}`);
        }
      });
    }
  });
});
