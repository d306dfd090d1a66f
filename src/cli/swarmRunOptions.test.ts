import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findScenario, resolveOptions } from '../scenarios/index.js';
import { mixedRunOptions } from '../scenarios/mix.js';
import { capturedMain } from './_capturedMain.js';
import { replayCommand, runOptionsFrom } from './runArgs.js';

describe('mnm run: --clients, --contention and --value-bytes for the SWARM scenarios', () => {
  it('--clients C sets the processes of a SWARM scenario (one client each); --f then sizes the memories only', () => {
    const resolved = resolveOptions(runOptionsFrom('dm-abd', { clients: '5', f: '2' }));
    assert.equal(resolved.n, 5);
    assert.equal(resolved.memories, 5);
    assert.match(replayCommand(resolved), /--n 5 --memories 5 .*--clients 5/);
    assert.equal(resolveOptions(runOptionsFrom('raw', { clients: '4' })).n, 4);
    assert.throws(() => resolveOptions(runOptionsFrom('dm-abd', { clients: '5', n: '4' })), /--n 4 conflicts with --clients 5/);
    // Mu keeps its meaning: clients spread over the replicas, the processes unchanged.
    assert.equal(resolveOptions(runOptionsFrom('mu', { clients: '2', n: '3' })).n, 3);
  });

  it('--contention high is the contention workload, low the uniform one; refused where those workloads do not exist', () => {
    assert.equal(runOptionsFrom('dm-abd', { contention: 'high' }).workload, 'contention');
    assert.equal(runOptionsFrom('abd', { contention: 'low' }).workload, 'uniform');
    assert.throws(() => runOptionsFrom('dm-abd', { contention: 'high', workload: 'uniform' }), /conflicts with --workload uniform/);
    assert.throws(() => runOptionsFrom('dm-abd', { contention: 'medium' }), /accepted: low, high/);
    assert.throws(() => runOptionsFrom('mu', { contention: 'high' }), /mu takes no --contention/);
  });

  it('--value-bytes sizes the values (a multiple of 8, at least 16) and travels in the replay command', async () => {
    const resolved = resolveOptions(runOptionsFrom('dm-abd', { 'value-bytes': '64' }));
    assert.equal(resolved.valueBytes, 64);
    assert.match(replayCommand(resolved), /--value-bytes 64/);
    assert.throws(() => resolveOptions(runOptionsFrom('dm-abd', { 'value-bytes': '20' })), /multiple of 8/);
    assert.throws(() => resolveOptions(runOptionsFrom('max-register', { 'value-bytes': '32' })), /max-register takes no --value-bytes/);
    const run = await capturedMain('run', 'dm-abd', '--clients', '4', '--value-bytes', '48', '--contention', 'high', '--ops', '20', '--json');
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { ok: boolean; params: { n: number; valueBytes: number; workload: string }; metrics: { bytes: number } };
    assert.deepEqual([report.ok, report.params.n, report.params.valueBytes, report.params.workload], [true, 4, 48, 'contention']);
    const small = JSON.parse((await capturedMain('run', 'dm-abd', '--clients', '4', '--contention', 'high', '--ops', '20', '--json')).stdout) as { metrics: { bytes: number } };
    // Larger values move more bytes (the records carry them).
    assert.ok(report.metrics.bytes > small.metrics.bytes, `${report.metrics.bytes} vs ${small.metrics.bytes}`);
    const bad = await capturedMain('run', 'dm-abd', '--value-bytes', '12');
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });

  it('a mixed sweep keeps --clients, --contention and --value-bytes fixed, and draws the rest (memories included)', async () => {
    const scenario = findScenario('dm-abd');
    assert.ok(scenario);
    const memories = new Set<number>();
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const resolved = resolveOptions(mixedRunOptions(scenario, seed, { clients: 4, workload: 'contention', valueBytes: 32 }));
      assert.deepEqual([resolved.n, resolved.workload, resolved.valueBytes], [4, 'contention', 32]);
      memories.add(resolved.memories);
    }
    assert.ok(memories.size > 1, 'the memories are still drawn');
    const run = await capturedMain('sweep', 'dm-abd', '--mix', '--seeds', '2', '--clients', '3', '--contention', 'high', '--value-bytes', '32', '--json');
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { runs: number; plan: { fixed: Record<string, unknown> } };
    assert.deepEqual(summary.plan.fixed, { workload: 'contention', clients: 3, valueBytes: 32 });
    assert.equal(summary.runs, 2);
  });
});
