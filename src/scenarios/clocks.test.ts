import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drawClockOffsets } from '../sim/faults.js';
import { Prng } from '../sim/prng.js';
import { latencyModel } from '../sim/latency.js';
import { findScenario, loadUserScenario, runScenario, type RunOptions } from './index.js';
import { mixedRunOptions } from './mix.js';

// A scenario whose processes report their clock against true time: each records [clock(), now()] as one operation.
const scratch = mkdtempSync(join(tmpdir(), 'mnm-clocks-'));
const moduleFile = join(scratch, 'clock-reader.js');
writeFileSync(
  moduleFile,
  `export default {
  name: 'clock-reader',
  defaults: { n: 3, memories: 0, ops: 1 },
  tolerance: () => ({ processes: 0, memories: 0 }),
  regions: () => [],
  body: () => async (fabric) => {
    const operation = fabric.history.invoke('read-clock', null);
    const local = fabric.clock();
    fabric.history.ok(operation, [local, fabric.now()]);
  },
  check: () => [],
};
`,
);

/** Each process's [clock(), now()] reading, by process. */
async function readings(options: Omit<RunOptions, 'protocol'>): Promise<[number, number][]> {
  await loadUserScenario(moduleFile);
  const report = await runScenario({ protocol: 'clock-reader', ...options });
  assert.ok(report.ok, JSON.stringify(report.violations));
  const byProcess: [number, number][] = [];
  for (const event of report.history) if (event.type === 'ok') byProcess[event.process] = event.value as [number, number];
  return byProcess;
}

describe('clock skew and drift (--skew, --drift, the clocks profile)', () => {
  const skew = 1000;
  const driftPpm = 2000;
  const expected = drawClockOffsets(new Prng(3, 'clocks'), 3, skew, driftPpm);

  it('the seed draws offsets within the bounds, different per process', () => {
    for (const offset of expected) {
      assert.ok(Math.abs(offset.skew) <= skew && Math.abs(offset.drift) <= driftPpm / 1e6);
    }
    assert.ok(Math.abs(expected[0].skew - expected[1].skew) > 100 && Math.abs(expected[1].skew - expected[2].skew) > 100, 'seed 3 spreads the offsets');
  });

  it('the simulator skews each process by the drawn offset, and records the bounds in the trace header', async () => {
    const read = await readings({ seed: 3, latency: 'unit', faults: 'none', skew, drift: driftPpm });
    read.forEach(([local, now], process) => assert.ok(Math.abs(local - (now * (1 + expected[process].drift) + expected[process].skew)) < 1e-9, `p${process}`));
    const report = await runScenario({ protocol: 'clock-reader', seed: 3, latency: 'unit', faults: 'none', skew, drift: driftPpm }, 'full');
    const header = JSON.parse((report.trace ?? '').split('\n')[0]) as { params: Record<string, unknown> };
    assert.equal(header.params.skew, skew);
    assert.equal(header.params.drift, driftPpm);
    // Without skew, clock() is true time.
    for (const [local, now] of await readings({ seed: 3, latency: 'unit', faults: 'none' })) assert.equal(local, now);
  });

  for (const backend of ['shm', 'tcp'] as const) {
    it(`${backend} applies the same per-process offsets as the simulator for the seed`, async () => {
      const read = await readings({ seed: 3, latency: 'unit', faults: 'none', skew, drift: driftPpm, backend });
      read.forEach(([local, now], process) => {
        // clock() was read before now(): the difference is the offset, less the (small) time between the two reads.
        const offset = local - now * (1 + expected[process].drift);
        assert.ok(offset <= expected[process].skew + 1e-6 && offset > expected[process].skew - 50, `p${process}: offset ${offset}, drawn ${expected[process].skew}`);
      });
    });
  }

  it('the clocks profile fills in its bounds, and explicit ones win', async () => {
    await loadUserScenario(moduleFile);
    const profile = await runScenario({ protocol: 'clock-reader', seed: 1, latency: 'lan', faults: 'clocks' }, 'off');
    assert.deepEqual([profile.params.skew, profile.params.drift, profile.faults.length], [10 * latencyModel('lan').mean, 100, 0]);
    const given = await runScenario({ protocol: 'clock-reader', seed: 1, latency: 'unit', faults: 'clocks', skew: 3, drift: 0 }, 'off');
    assert.deepEqual([given.params.skew, given.params.drift], [3, 0]);
  });

  it('mixed sweeps draw clocks for some seeds and leave them out for others', () => {
    const scenario = findScenario('pmp');
    assert.ok(scenario);
    const drawn = Array.from({ length: 60 }, (_, index) => mixedRunOptions(scenario, index + 1, {}));
    const clocked = drawn.filter((options) => options.skew !== undefined);
    assert.ok(clocked.length > 5 && clocked.length < 55, `${clocked.length} of 60 seeds draw clocks`);
    assert.ok(clocked.every((options) => options.drift !== undefined && options.skew !== undefined && options.skew > 0));
    assert.ok(mixedRunOptions(scenario, clocked.length > 0 ? clocked[0].seed : 1, { skew: 4 }).skew === 4, 'a fixed skew stays fixed');
  });
});
