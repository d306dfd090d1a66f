import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callLatencies, ratio } from './bftRuns.js';

/**
 * `mnm bench bft`: the quick run end to end (its JSON shape, its charts,
 * every simulator ratio a finite number); the call reductions on a
 * hand-made history. No timing is asserted: the machine is shared.
 */
const main = fileURLToPath(new URL('../main.js', import.meta.url));

describe('bench bft', () => {
  it('--quick --json measures the fast path against its baselines on sim, shm and tcp', () => {
    const plots = mkdtempSync(join(tmpdir(), 'mnm-bench-bft-'));
    try {
      const run = spawnSync(process.execPath, [main, 'bench', 'bft', '--quick', '--json', '--plots', plots], { encoding: 'utf8', timeout: 600_000 });
      assert.equal(run.status, 0, run.stderr);
      for (const name of ['bft.json', 'bft-calls.svg', 'bft-ratios.svg']) assert.ok(existsSync(join(plots, name)), name);
      const report = JSON.parse(run.stdout) as { suite: string } & Record<string, unknown>;
      assert.equal(report.suite, 'bft');
      const sim = report.sim as Record<string, unknown> & { windows: { window: number; overSequential: number; ok: boolean }[]; slow: { decisions: { fast: number; slow: number } } };
      for (const name of ['fastOverFloor', 'fastOverMu', 'fastOverPbft', 'slowOverFast', 'slowFromTriggerOverFast']) assert.ok(Number.isFinite(sim[name]), `sim.${name} = ${String(sim[name])}`);
      // The silent follower forces every decision onto the slow path, which costs more than the fast one.
      assert.equal(sim.slow.decisions.fast, 0);
      assert.ok((sim.slowOverFast as number) > 1);
      assert.deepEqual(sim.windows.map((entry) => entry.window), [8, 32]);
      for (const entry of sim.windows) assert.ok(entry.ok && Number.isFinite(entry.overSequential), JSON.stringify(entry));
      for (const backend of ['shm', 'tcp']) {
        const entry = report[backend] as { floor: { p50: number }; bft: { ok: boolean; calls: number }; bftOverFloor: number | null };
        assert.ok(entry.floor.p50 > 0, `${backend} floor`);
        // A real run under load may not finish its calls; when it did, the ratio is a number.
        if (entry.bft.ok && entry.bft.calls > 0) assert.ok(Number.isFinite(entry.bftOverFloor), `${backend}.bftOverFloor`);
      }
    } finally {
      rmSync(plots, { recursive: true, force: true });
    }
  });

  it('reduces a history to call latencies, invoke to ok, infos left out', () => {
    const history = [
      { type: 'invoke', op: 0, process: 3, time: 1 },
      { type: 'invoke', op: 1, process: 4, time: 2 },
      { type: 'ok', op: 0, process: 3, time: 11 },
      { type: 'info', op: 1, process: 4, time: 30 },
    ] as never;
    assert.deepEqual(callLatencies(history), [10]);
    assert.equal(ratio(3, 2), 1.5);
    assert.equal(ratio(3, 0), null);
    assert.equal(ratio(null, 2), null);
  });
});
