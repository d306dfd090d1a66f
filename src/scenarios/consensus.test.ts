import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Fabric } from '../fabric/index.js';
import { EntryTooLarge, LogClosed } from '../protocols/common/logErrors.js';
import { logTimingFor } from '../protocols/consensus/consensusLog.js';
import { fromNumber, toNumber } from '../protocols/consensus/numberValue.js';
import { ProtectedPaxosLog, protectedPaxosLogRegions } from '../protocols/consensus/protectedPaxosLog.js';
import { propose } from '../protocols/consensus/singleDecree.js';
import { Simulation, unitLatency } from '../sim/index.js';
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

describe('single-decree consensus as the one-entry log (propose over append)', () => {
  const config = { capacity: 8, entries: 1, window: 1, timing: logTimingFor(1), region: 'consensus', memories: [0, 1, 2] };

  /** Runs `body` on every process of a 3-process, 3-memory PMP simulation (unit delays, p0 leads). */
  async function onEveryProcess(body: (fabric: Fabric, log: ProtectedPaxosLog) => Promise<void>) {
    const simulation = new Simulation({ scenario: 'one-entry-test', seed: 1, params: {}, processCount: 3, memoryCount: 3, regions: protectedPaxosLogRegions(config, 3), latency: unitLatency, horizon: 2000 });
    for (let process = 0; process < 3; process++) simulation.spawn(process, (fabric) => body(fabric, new ProtectedPaxosLog(fabric, config)));
    const result = await simulation.run();
    assert.deepEqual(result.errors, []);
  }

  it("every process returns entry 0, the leader's input; the others' appends found the log full", async () => {
    const returned = new Map<number, number>();
    const logs = new Map<number, number[]>();
    await onEveryProcess(async (fabric, log) => {
      returned.set(fabric.self, toNumber(await propose(log, fromNumber(100 + fabric.self))));
      logs.set(fabric.self, log.decided.map((entry) => toNumber(entry.value)));
      await log.close();
    });
    assert.deepEqual([...returned].sort(([a], [b]) => a - b), [[0, 100], [1, 100], [2, 100]]);
    for (const process of [0, 1, 2]) assert.deepEqual(logs.get(process), [100], `p${process}'s log holds one entry, p0's`);
  });

  it('a proposal after the decision returns it at once; errors other than a full log are the caller\'s', async () => {
    const late = new Map<number, number>();
    await onEveryProcess(async (fabric, log) => {
      await propose(log, fromNumber(100 + fabric.self));
      // The log is full now: this append is refused on the spot, and the answer is still entry 0.
      late.set(fabric.self, toNumber(await propose(log, fromNumber(200 + fabric.self))));
      await assert.rejects(propose(log, new Uint8Array(9)), EntryTooLarge);
      await log.close();
      await assert.rejects(propose(log, fromNumber(300)), LogClosed);
    });
    assert.deepEqual([...late.values()], [100, 100, 100]);
  });
});
