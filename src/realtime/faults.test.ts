import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { realBackendFaults, type Fault } from '../fabric/faults.js';
import { drawFaults } from '../sim/faults.js';
import { Prng } from '../sim/prng.js';
import { runShm } from '../shm/runShm.js';
import { runTcp } from '../tcp/runTcp.js';
import type { RealRunConfig, RealRunResult } from './realRun.js';

describe('one fault type for every backend', () => {
  it('the real backends take the crashes of the simulator’s own draw as they are', () => {
    const drawn: Fault[] = drawFaults('crash', { processes: 1, memories: 1 }, { processCount: 3, memoryCount: 3, window: 50 }, new Prng(4, 'faults'));
    assert.ok(drawn.length > 0, 'seed 4 draws some crash');
    assert.deepEqual(realBackendFaults(drawn, 'shm'), drawn);
  });

  it('refuses what a real backend cannot inject, naming the fault and what is accepted', () => {
    const pause: Fault = { kind: 'pause', at: 3, process: 1, duration: 10 };
    assert.throws(() => realBackendFaults([{ kind: 'crash-memory', at: 1, memory: 0 }, pause], 'tcp'), /^Error: fault 'pause p1@3\+10' cannot be injected on the tcp backend \(accepted: crash-process, crash-memory, crash-host;/);
  });

  it('runShm refuses a partition before it starts a worker', async () => {
    const partition: Fault = { kind: 'partition', at: 0, duration: 5, side: [0] };
    await assert.rejects(
      runShm({ processCount: 2, memoryCount: 0, regions: [], body: { module: 'data:text/javascript,', export: 'none', args: null }, seed: 1, faults: [partition], deadlineMilliseconds: 1000 }),
      /fault 'partition \{p0\}@0\+5' cannot be injected on the shm backend/,
    );
  });
});

describe('a host crash on the real backends', () => {
  // Time unit 1 µs. The crash comes well after the start and the check well after the crash, so that a slow
  // start on a loaded machine cannot reorder them; `settle` is the read's timeout and the counter's quiet period.
  const backends: readonly [string, (config: RealRunConfig) => Promise<RealRunResult>, number][] = [
    ['shm', runShm, 50_000],
    ['tcp', runTcp, 300_000],
    ['tcp with co-located memories', (config) => runTcp({ ...config, colocatedMemories: true }), 300_000],
  ];
  for (const [backend, run, crashAt] of backends) {
    it(`${backend}: stops process p1 and memory m1 together`, async () => {
      const outcome = await run({
        processCount: 2,
        memoryCount: 2,
        regions: [{ name: 'cell', size: 8, policy: 'open' }],
        body: { module: new URL('./_hostCrashBody.js', import.meta.url).href, export: 'hostCrash', args: { checkAt: 4 * crashAt, settle: crashAt } },
        seed: 1,
        faults: [{ kind: 'crash-host', at: crashAt, host: 1 }],
        deadlineMilliseconds: 60_000,
      });
      assert.deepEqual(outcome.errors, []);
      assert.equal(outcome.end, 'done');
      assert.deepEqual(outcome.crashedProcesses, [1]);
      assert.deepEqual(outcome.crashedMemories, [1]);
      assert.deepEqual(outcome.results[0], { before: 'answered', after: 'TimedOut', bumped: true, stopped: true });
    });
  }
});
