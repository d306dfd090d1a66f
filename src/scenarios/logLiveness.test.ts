import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from './index.js';

/**
 * Runs that once ended with a live process still waiting at the horizon,
 * faults within tolerance, safety intact: replayed so the cause stays fixed.
 */
describe('consensus logs: termination after long faults', () => {
  it("Multi-Paxos: a leader paused for 116 units does not learn its own pause as the network's phase latency", async () => {
    // p0's phase spanning its pause (18.7 → 134.7) once set "the slowest phase" to 119 and, with
    // the doublings of the partition that followed, pushed its timeout beyond the run: the prepare
    // the partition dropped was never retried (protocols/common/stallDetector.ts).
    const report = await runScenario({ protocol: 'multi-paxos', seed: 50459, n: 2, memories: 0, latency: 'tail:1:30:0.1', faults: 'all', horizon: 5800, ops: 4, workload: 'stable', tear: 1 }, 'off');
    assert.deepEqual(report.faults.filter((fault) => fault.startsWith('pause')), ['pause p0@18.74+116'], 'the schedule this test is about');
    assert.deepEqual(report.violations, []);
    assert.equal(report.end, 'done');
  });

  it('PMP-log: timeouts doubled by an early partition come back down once phases complete', async () => {
    // Without the decay, p0's phase 1 — refused at one memory, two memories crashed — waited out a
    // 15,000-unit timeout and then backed off twice as long: the log sat idle for 37,000 units.
    const report = await runScenario({ protocol: 'pmp-log', seed: 90025, n: 5, memories: 5, latency: 'uniform:1:40', faults: 'all', horizon: 41000, ops: 4, workload: 'storm' }, 'off');
    assert.deepEqual(report.violations, []);
    assert.equal(report.end, 'done');
  });

  it('PMP-log: a record torn for good by a mid-write crash neither stalls readers nor hides what was accepted', async () => {
    // p0 crashes in the middle of a slot write; the simulator leaves that write cut short for good.
    // With one copy per slot every reader re-read the torn slot forever (a termination violation);
    // with two, the write tore only the copy not holding p0's last record (logSlot.ts).
    const report = await runScenario({ protocol: 'pmp-log', seed: 104, n: 3, memories: 4, latency: 'uniform:0.5:20', faults: 'all', horizon: 20500, ops: 4, workload: 'stable' }, 'off');
    assert.ok(report.faults.some((fault) => fault.endsWith('mid-write')), `the schedule this test is about: ${report.faults.join('; ')}`);
    assert.deepEqual(report.violations, []);
    assert.equal(report.end, 'done');
  });
});
