import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Fabric, RegionSpec } from '../fabric/index.js';
import { EntryTooLarge, InvalidLogConfig, LogClosed, LogFull, UnknownMemory } from '../protocols/common/logErrors.js';
import { logTimingFor, type LogOptions } from '../protocols/consensus/consensusLog.js';
import { DiskPaxosLog, diskPaxosLogRegions } from '../protocols/consensus/diskPaxosLog.js';
import { MultiPaxosLog } from '../protocols/consensus/multiPaxos.js';
import { ProtectedPaxosLog, protectedPaxosLogRegions } from '../protocols/consensus/protectedPaxosLog.js';
import { fromNumber } from '../protocols/consensus/numberValue.js';
import { Simulation, unitLatency } from '../sim/index.js';
import { runScenario } from './index.js';

const options: LogOptions = { capacity: 8, entries: 32, window: 1, timing: logTimingFor(1) };
const memories = [0, 1, 2];

/** Runs `body` on p0 of a 3-process, 3-memory simulation with unit delays. */
async function onSimulator(regions: RegionSpec[], body: (fabric: Fabric) => Promise<void>) {
  const simulation = new Simulation({ scenario: 'log-test', seed: 1, params: {}, processCount: 3, memoryCount: 3, regions, latency: unitLatency, horizon: 5000 });
  simulation.spawn(0, body);
  const result = await simulation.run();
  assert.deepEqual(result.errors, []);
  return result;
}

describe('consensus logs: the steady state', () => {
  it("decide each entry in the lecture's delays with a stable leader: PMP 2, Disk Paxos 4 (pipelined 2), Multi-Paxos 2", async () => {
    const expected: Record<string, number> = { 'pmp-log': 2, 'disk-paxos-log': 4, 'disk-paxos-pipelined-log': 2, 'multi-paxos': 2 };
    for (const protocol of Object.keys(expected)) {
      for (const f of [1, 2]) {
        const report = await runScenario({ protocol, seed: 2, f, latency: 'unit', faults: 'none', workload: 'stable', ops: 5 }, 'off');
        assert.equal(report.ok, true, `${protocol} f=${f}: ${JSON.stringify(report.violations)}`);
        assert.equal(report.details.medianDelays, expected[protocol], `${protocol} f=${f}`);
        assert.equal(report.details.attempts, 1, `${protocol} f=${f}: one phase 1 (p0's pre-prepared ballot) for the whole log`);
      }
    }
  });

  it('PMP-log: a stable leader spends one write per memory per entry — no read, no permission request, no message but the announcement', async () => {
    const config = { ...options, region: 'log', memories };
    await onSimulator(protectedPaxosLogRegions(config, 3), async (fabric) => {
      const log = new ProtectedPaxosLog(fabric, config);
      await log.append(fromNumber(1));
      const before = log.cost;
      for (let value = 2; value <= 11; value++) await log.append(fromNumber(value));
      const after = log.cost;
      assert.equal(after.verbs - before.verbs, 10 * memories.length);
      assert.equal(after.permissionRequests - before.permissionRequests, 0);
      // The decision's announcement to the followers goes out unmetered (like Ω's heartbeats); the meter counts the phases' own traffic.
      assert.equal(after.messages - before.messages, 0);
      assert.deepEqual(log.decided.map((entry) => entry.index), [...Array(11).keys()]);
    });
  });

  it('pipelines a window of appends at consecutive indices', async () => {
    for (const window of [1, 4]) {
      const config = { ...options, window, region: 'log', memories };
      let finished = 0;
      await onSimulator(protectedPaxosLogRegions(config, 3), async (fabric) => {
        const log = new ProtectedPaxosLog(fabric, config);
        const indices = await Promise.all(Array.from({ length: 8 }, (_, value) => log.append(fromNumber(value))));
        assert.deepEqual(indices, [...Array(8).keys()]);
        finished = fabric.now();
      });
      // Virtual time: 8 decisions of 2 delays each one after the other, or 2 batches of 4 in flight.
      assert.equal(finished, window === 1 ? 16 : 4, `window ${window}`);
    }
  });

  it('every live process delivers the same log, appended from every process', async () => {
    const config = { ...options, window: 2 };
    const logs: number[][] = [[], [], []];
    const simulation = new Simulation({ scenario: 'log-test', seed: 3, params: {}, processCount: 3, memoryCount: 0, regions: [], latency: unitLatency, horizon: 5000 });
    for (const process of [0, 1, 2]) {
      simulation.spawn(process, async (fabric) => {
        const log = new MultiPaxosLog(fabric, config);
        await Promise.all([1, 2, 3].map((k) => log.append(fromNumber(100 * process + k))));
        for await (const entry of log.entries()) {
          logs[process].push(Number(new DataView(entry.value.buffer, entry.value.byteOffset).getBigUint64(0, true)));
          if (entry.index === 8) break;
        }
      });
    }
    const result = await simulation.run();
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.unfinished, []);
    assert.equal(new Set(logs[0]).size, 9);
    assert.deepEqual(logs[1], logs[0]);
    assert.deepEqual(logs[2], logs[0]);
  });
});

describe('consensus logs: bad input', () => {
  it('refuses a value larger than the entry capacity, writing nothing', async () => {
    const config = { ...options, region: 'log', memories };
    await onSimulator(diskPaxosLogRegions(config, 3), async (fabric) => {
      const log = new DiskPaxosLog(fabric, { ...config, pipelined: false });
      const before = log.cost.verbs;
      await assert.rejects(log.append(new Uint8Array(9)), (error: unknown) => error instanceof EntryTooLarge && /9 bytes.*at most 8 bytes/.test(error.message));
      assert.equal(log.cost.verbs, before, 'nothing issued');
      const region = await fabric.read({ memory: 0, region: 'log', offset: 0 }, 64);
      assert.deepEqual([...region], new Array(64).fill(0), 'nothing half-written');
      await log.close();
    });
  });

  it('refuses append after close(), and rejects the appends still pending', async () => {
    const config = { ...options, region: 'log', memories };
    await onSimulator(protectedPaxosLogRegions(config, 3), async (fabric) => {
      const log = new ProtectedPaxosLog(fabric, config);
      const pending = log.append(fromNumber(1));
      await log.close();
      await assert.rejects(pending, LogClosed);
      await assert.rejects(log.append(fromNumber(2)), (error: unknown) => error instanceof LogClosed && /after close\(\)/.test(error.message));
      await log.close(); // idempotent
    });
  });

  it('reports a full log', async () => {
    const config = { ...options, entries: 2, region: 'log', memories };
    await onSimulator(protectedPaxosLogRegions(config, 3), async (fabric) => {
      const log = new ProtectedPaxosLog(fabric, config);
      assert.equal(await log.append(fromNumber(1)), 0);
      assert.equal(await log.append(fromNumber(2)), 1);
      await assert.rejects(log.append(fromNumber(3)), (error: unknown) => error instanceof LogFull && /all 2 entries/.test(error.message));
    });
  });

  it('refuses an unknown memory, a missing region and bad sizes at construction', async () => {
    const config = { ...options, region: 'log', memories };
    await onSimulator(protectedPaxosLogRegions(config, 3), async (fabric) => {
      assert.throws(() => new ProtectedPaxosLog(fabric, { ...config, memories: [0, 7] }), (error: unknown) => error instanceof UnknownMemory && /m7.*m0\.\.m2/.test(error.message));
      assert.throws(() => new ProtectedPaxosLog(fabric, { ...config, memories: [0, 0, 1] }), UnknownMemory);
      assert.throws(() => new ProtectedPaxosLog(fabric, { ...config, region: 'elsewhere' }), (error: unknown) => error instanceof InvalidLogConfig && /no region 'elsewhere'/.test(error.message));
      assert.throws(() => new ProtectedPaxosLog(fabric, { ...config, entries: 64 }), (error: unknown) => error instanceof InvalidLogConfig && /need/.test(error.message));
      assert.throws(() => new ProtectedPaxosLog(fabric, { ...config, window: 0 }), InvalidLogConfig);
    });
  });
});
