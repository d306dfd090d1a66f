import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunOptions } from './index.js';

/** Runs seeds until one violates a property; returns it (or undefined). */
async function firstViolation(options: Omit<RunOptions, 'seed'>, seeds: number) {
  for (let seed = 1; seed <= seeds; seed++) {
    const report = await runScenario({ ...options, seed }, 'off');
    if (!report.ok) return report;
  }
  return undefined;
}

/** Long sweeps (MNM_LONG=1) multiply the number of seeds. */
const scale = process.env.MNM_LONG ? 40 : 1;

describe('replicated register (one writer)', () => {
  it('costs one round trip (2 delays) per read and per write in the common case', async () => {
    const report = await runScenario({ protocol: 'register', seed: 1, latency: 'unit', faults: 'none', ops: 30 }, 'hash');
    assert.equal(report.ok, true);
    assert.equal(report.metrics?.byFunction.write.delaysMedian, 2);
    assert.equal(report.metrics?.byFunction.read.delaysMedian, 2);
    assert.equal(report.metrics?.byFunction.write.verbsMean, 3);
  });

  it('is regular under random schedules with a crashed minority of memories', async () => {
    let runs = 0;
    let faulty = 0;
    for (const latency of ['uniform:0.5:3', 'lan', 'rdma']) {
      for (const memories of [3, 5]) {
        for (let seed = 1; seed <= 50 * scale; seed++) {
          const report = await runScenario({ protocol: 'register', seed, latency, faults: 'crash', memories, n: 4 }, 'off');
          runs++;
          if (report.faults.length > 0) faulty++;
          assert.deepEqual(report.violations, [], `seed ${seed}, latency ${latency}, ${memories} memories: ${report.faults.join('; ')}`);
          assert.equal(report.blocked, false);
        }
      }
    }
    assert.equal(runs, 300 * scale);
    assert.ok(faulty > runs / 3, `crashes were injected in ${faulty} of ${runs} runs`);
  });

  it('keeps every correct reader going when faults pause processes or crash the writer', async () => {
    for (let seed = 1; seed <= 50 * scale; seed++) {
      const report = await runScenario({ protocol: 'register', seed, latency: 'uniform:0.5:3', faults: 'all' }, 'off');
      assert.deepEqual(report.violations, [], `seed ${seed}: ${report.faults.join('; ')}`);
    }
  });

  it('blocks (without a wrong answer) when a majority of memories crashed', async () => {
    const report = await runScenario({ protocol: 'register', seed: 1, latency: 'unit', faults: 'none', crash: 'm0@2,m1@2', horizon: 300 }, 'off');
    assert.equal(report.blocked, true);
    assert.equal(report.withinTolerance, false);
    assert.deepEqual(report.violations, []);
  });

  it('a run that does not finish within tolerance is a liveness violation', async () => {
    const report = await runScenario({ protocol: 'register', seed: 1, latency: 'unit', faults: 'none', horizon: 5 }, 'off');
    assert.equal(report.ok, false);
    assert.equal(report.violations[0].property, 'termination');
  });

  it('catches the minority-quorum mutant', async () => {
    const caught = await firstViolation({ protocol: 'register', latency: 'lan', faults: 'none', mutant: 'minority-quorum' }, 200);
    assert.ok(caught, 'a sweep of 200 seeds finds a stale read');
    assert.equal(caught.violations[0].property, 'regularity');
  });

  it('catches the no-checksum mutant (a torn read returns a value never written)', async () => {
    const caught = await firstViolation({ protocol: 'register', latency: 'uniform:0.5:1.5', faults: 'none', mutant: 'no-checksum', ops: 30 }, 300);
    assert.ok(caught, 'a sweep of 300 seeds finds a torn read');
    assert.match(caught.violations[0].detail, /garbled/);
  });

  it('replays: the same options give the same trace hash', async () => {
    const options: RunOptions = { protocol: 'register', seed: 42, latency: 'rdma', faults: 'all', n: 4, memories: 5 };
    const first = await runScenario(options, 'hash');
    const second = await runScenario(options, 'hash');
    assert.equal(first.traceHash, second.traceHash);
    assert.notEqual(first.traceHash, (await runScenario({ ...options, seed: 43 }, 'hash')).traceHash);
  });
});

describe('replicated register: a write torn for good', () => {
  it('the writer crashing mid-write leaves a torn copy that readers read past (they once re-read it forever)', async () => {
    // p0, the writer, crashes while its write lands; the simulator cuts it short for good. With one copy
    // per memory the readers waited for that write to finish (termination); with two (slot.ts) the
    // copy holding the previous value is whole.
    const report = await runScenario({ protocol: 'register', seed: 938, n: 3, memories: 3, latency: 'lan', faults: 'crash', horizon: 108000, ops: 10 }, 'off');
    assert.ok(report.faults.some((fault) => fault.startsWith('crash p0@') && fault.endsWith('mid-write')), report.faults.join('; '));
    assert.deepEqual(report.violations, []);
    assert.equal(report.end, 'done');
  });
});
