import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunOptions } from './index.js';

/** Long sweeps (MNM_LONG=1) multiply the number of seeds. */
const scale = process.env.MNM_LONG ? 25 : 1;
const algorithms = ['paxos', 'sm-paxos', 'disk-paxos', 'disk-paxos-pipelined', 'pmp'] as const;

describe('crash-fault consensus', () => {
  it("decides in the lecture's delays with a stable leader: Paxos 2, Disk Paxos 4, PMP 2", async () => {
    const expected: Record<string, number> = { paxos: 2, 'sm-paxos': 4, 'disk-paxos': 4, 'disk-paxos-pipelined': 2, pmp: 2 };
    for (const algorithm of algorithms) {
      for (const f of [1, 2]) {
        const report = await runScenario({ protocol: algorithm, seed: 1, f, latency: 'unit', faults: 'none', workload: 'stable' }, 'hash');
        assert.equal(report.ok, true, `${algorithm} f=${f}`);
        const decision = report.details.decision as { delays: number; process: number };
        assert.equal(decision.delays, expected[algorithm], `${algorithm} f=${f}`);
        assert.equal(decision.process, 0);
      }
    }
  });

  it('pmp decides with all processes but one crashed and a minority of memories crashed', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      for (const crash of ['p1@0,p2@0,m0@0', 'p0@0,p1@0,m2@3', 'p0@5,p2@1,m1@2']) {
        const report = await runScenario({ protocol: 'pmp', seed, n: 3, memories: 3, latency: 'rdma', faults: 'none', crash }, 'off');
        assert.equal(report.ok, true, `seed ${seed}, crash ${crash}: ${JSON.stringify(report.violations)}`);
        assert.equal(report.withinTolerance, true);
      }
    }
  });

  it('beyond the bound: never a wrong decision, at most blocked', async () => {
    const beyond: [string, Partial<RunOptions>, string][] = [
      ['pmp', { n: 3, memories: 3 }, 'm0@#,m1@#'],
      ['disk-paxos', { n: 3, memories: 3 }, 'm1@#,m2@#'],
      ['paxos', { n: 3 }, 'p1@#,p2@#'],
    ];
    for (const [protocol, sizes, pattern] of beyond) {
      let blocked = 0;
      for (let seed = 1; seed <= 60 * scale; seed++) {
        const crash = pattern.replace(/#/g, () => String(seed % 9));
        const report = await runScenario({ protocol, seed, ...sizes, latency: 'uniform:0.5:3', faults: 'none', workload: 'contention', crash, horizon: 400 }, 'off');
        assert.deepEqual(report.violations, [], `${protocol} seed ${seed} crash ${crash}`);
        if (report.blocked) blocked++;
      }
      assert.ok(blocked > 0, `${protocol}: crashes beyond the bound block some runs`);
    }
  });
});
