import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../scenarios/index.js';
import { runSummary } from './report.js';

/** Numbers with more than three decimals: the raw floating-point noise the summaries must not print. */
const longDecimal = /\d\.\d{4,}/;

describe('run summary', () => {
  it('names the Byzantine processes and their strategies', async () => {
    const report = await runScenario({ protocol: 'cb', seed: 3, f: 1, latency: 'unit', faults: 'none', adversary: 'all', mutant: 'no-check' });
    const placements = report.details.byzantine as { process: number; adversary: string }[];
    assert.ok(placements.length > 0, 'the run has a Byzantine process');
    const line = runSummary(report).split('\n').find((text) => text.startsWith('byzantine:'));
    assert.ok(line, runSummary(report));
    for (const placement of placements) assert.ok(line.includes(`p${placement.process} ${placement.adversary}`), line);
  });

  it('says when every process of a Byzantine scenario is correct, and says nothing for other scenarios', async () => {
    const correct = await runScenario({ protocol: 'cb', seed: 1, f: 1, latency: 'unit', faults: 'none' });
    assert.match(runSummary(correct), /^byzantine: none/m);
    const register = await runScenario({ protocol: 'register', seed: 1, latency: 'unit', faults: 'none' });
    assert.doesNotMatch(runSummary(register), /^byzantine:/m);
  });

  it('lists the injected faults and each process clock offset', async () => {
    const report = await runScenario({ protocol: 'register', seed: 2, latency: 'unit', faults: 'all', skew: 3, drift: 40 });
    assert.ok(report.faults.length > 0);
    const summary = runSummary(report);
    assert.ok(summary.includes(`faults:    ${report.faults.join('; ')}`), summary);
    const clocks = summary.split('\n').find((text) => text.startsWith('clocks:'));
    assert.ok(clocks, summary);
    for (let process = 0; process < report.params.n; process++) assert.match(clocks, new RegExp(`p${process} offset [+-][0-9.]+ drift [+-][0-9.]+ppm`));
  });

  it('rounds floats: a run whose metrics carry floating-point noise prints none of it', async () => {
    // Seed 3 of the register under every fault: a pause makes a read's latency 12.030000000000001 delays.
    const report = await runScenario({ protocol: 'register', seed: 3, latency: 'unit', faults: 'all' });
    assert.match(JSON.stringify(report.metrics), longDecimal, 'the run still has a float to round');
    const summary = runSummary(report);
    const noisy = summary.split('\n').filter((line) => !line.startsWith('trace:') && longDecimal.test(line));
    assert.deepEqual(noisy, []);
  });
});
