import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, scenarios, type RunOptions, type RunReport } from '../index.js';

/**
 * Every mutant of the broadcast scenarios is caught: by the sweep exactly as
 * `mnm sweep <protocol> --mutant M --adversary all --faults all` runs it
 * (unit latency, seeds from 1, stopping at the first violation), and by a
 * named adversary that targets it.
 */
async function firstViolation(options: Omit<RunOptions, "seed">, seeds: number): Promise<RunReport | undefined> {
  for (let seed = 1; seed <= seeds; seed++) {
    const report = await runScenario({ ...options, seed }, 'off');
    if (!report.ok) return report;
  }
  return undefined;
}

const safety = ['consistency', 'validity', 'integrity', 'totality'];

describe('Byzantine broadcast: mutants are caught', () => {
  it('lists every mutant of cb and rb (mnm mutants)', () => {
    const listed = scenarios.flatMap((scenario) => Object.keys(scenario.mutants).map((mutant) => `${scenario.name}:${mutant}`));
    for (const mutant of ['cb:no-check', 'cb:changing-replicator', 'cb:skip-signature-check', 'cb:rewritten-record', 'rb:skip-signature-check']) assert.ok(listed.includes(mutant), mutant);
  });

  // The sweep itself must catch every mutant: the `all` draw staggers the correct processes' starts, so a sender can
  // rewrite between readers, and the `all` fault profile adds pauses longer than every timeout.
  const sweeps: [string, string, string][] = [
    ['cb', 'rewritten-record', 'consistency'],
    ['cb', 'changing-replicator', 'consistency'],
    ['cb', 'no-check', 'consistency'],
    ['cb', 'skip-signature-check', 'validity'],
    ['rb', 'skip-signature-check', 'integrity'],
  ];
  for (const [protocol, mutant, property] of sweeps) {
    it(`mnm sweep ${protocol} --mutant ${mutant} --adversary all --faults all catches it within 2000 seeds`, async () => {
      const caught = await firstViolation({ protocol, mutant, adversary: 'all', latency: 'unit', faults: 'all' }, 2000);
      assert.ok(caught, 'no violation in 2000 seeds');
      assert.ok(caught.violations.some((violation) => violation.property === property || (property !== 'consistency' && safety.includes(violation.property))), JSON.stringify(caught.violations));
    });
  }

  const cases: [string, string, string, number][] = [
    ['cb', 'rewritten-record', 'equivocating-sender', 1],
    ['cb', 'rewritten-record', 'equivocating-sender', 2],
    ['cb', 'no-check', 'equivocating-sender', 1],
    ['cb', 'no-check', 'equivocating-sender', 2],
    ['cb', 'changing-replicator', 'equivocating-sender', 1],
    ['cb', 'changing-replicator', 'equivocating-sender', 2],
    ['cb', 'skip-signature-check', 'forged-copy', 1],
    ['rb', 'skip-signature-check', 'forged-copy', 2],
    ['bracha', 'small-echo-quorum', 'equivocating-sender', 1],
  ];
  for (const [protocol, mutant, adversary, f] of cases) {
    it(`${protocol} --mutant ${mutant} (f = ${f}, --adversary ${adversary})`, async () => {
      const caught = await firstViolation({ protocol, f, mutant, adversary, latency: 'uniform:0.5:3', faults: 'none' }, 150);
      assert.ok(caught, 'no violation in 150 seeds');
      assert.ok(caught.violations.some((violation) => safety.includes(violation.property)), JSON.stringify(caught.violations));
      const again = await runScenario(caught.params, 'off');
      assert.deepEqual(again.violations, caught.violations, 'the violation replays');
    });
  }
});
