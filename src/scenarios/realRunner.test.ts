import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions, runScenario, type RunOptions } from './index.js';

/**
 * Scenarios on the real backends, with crashes: the same checks the
 * simulator's runs get, on histories recorded in worker threads (shm) and
 * OS processes (tcp). Real runs are not replayable, so these assert the
 * properties, never a particular interleaving.
 */
const cases: { readonly name: string; readonly options: Omit<RunOptions, 'backend' | 'seed' | 'latency' | 'faults'> & { faults?: RunOptions['faults'] } }[] = [
  { name: 'register with a crashed memory and a crashed reader', options: { protocol: 'register', crash: 'm1@3,p2@5', ops: 15 } },
  { name: 'paxos with the leader crashed (a minority)', options: { protocol: 'paxos', crash: 'p0@2', workload: 'stable' } },
  { name: 'pmp with the leader and a memory crashed', options: { protocol: 'pmp', crash: 'p0@2,m2@1', workload: 'stable' } },
  { name: 'pmp under contention, crashes drawn by seed', options: { protocol: 'pmp', faults: 'crash', workload: 'contention' } },
  { name: 'paxos under contention, crashes drawn by seed', options: { protocol: 'paxos', faults: 'crash', workload: 'contention' } },
];

for (const backend of ['shm', 'tcp'] as const) {
  describe(`scenarios on ${backend}`, () => {
    for (const { name, options } of cases) {
      it(name, async () => {
        for (const seed of [1, 2]) {
          const report = await runScenario({ latency: 'unit', faults: 'none', ...options, seed, backend });
          const where = `${backend} seed ${seed}: ${JSON.stringify(report.violations)} faults ${report.faults.join(', ')}`;
          assert.equal(report.ok, true, where);
          assert.equal(report.end, 'done', where);
          assert.equal(report.blocked, false, where);
          assert.equal(report.metrics, null, 'no trace on real backends');
          assert.equal(report.details.backend, backend);
          assert.ok(report.history.length > 0, 'the history came back from the workers/processes');
          if (options.protocol !== 'register') {
            const decisions = report.details.decisions as { value: number }[];
            assert.ok(decisions.length > 0, where);
            assert.equal(new Set(decisions.map((decision) => decision.value)).size, 1, `agreement: ${where}`);
          }
        }
      });
    }
  });
}

describe('real backends: options', () => {
  it('rejects faults the real backends cannot inject, with one line saying what is accepted', () => {
    assert.throws(() => resolveOptions({ protocol: 'register', seed: 1, latency: 'unit', faults: 'pause', backend: 'shm' }), /--faults pause: the shm backend injects crashes and clock skew only \(accepted with --backend shm: none, crash, clocks\)/);
    assert.throws(() => resolveOptions({ protocol: 'register', seed: 1, latency: 'unit', faults: 'none', pause: 'p0@1+5', backend: 'tcp' }), /--pause: the tcp backend injects crashes only/);
  });
});
