import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions, runScenario, type RunOptions } from './index.js';
import type { RunReport } from './judge.js';
import { realTickNanoseconds, tickOf } from './safeGuess.js';
import { timeUnitMicroseconds } from './realTime.js';

/**
 * SWARM's registers on the real backends (docs/swarm.md "Real backends"):
 * `dm-abd`, `dm-abd-out-of-place` and `safe-guess` in worker threads on
 * shared memory (shm) and OS processes over TCP (tcp), with a memory and a
 * client crashed mid-run, every client on the one register at once, and
 * clocks skewed and drifting (applied to each process's `clock()` on both
 * backends, realtime/localClock.ts). Real runs are not replayable, so these
 * assert the properties — a linearizable history, every client that was
 * not crashed finishing all its operations, the run ending by itself — never
 * an interleaving or a duration. The runner's deadline (the horizon in real
 * time, at least 10 s) is the only clock: a run that hangs ends at it and
 * fails `end === 'done'`.
 *
 * `MNM_LONG=1` runs more seeds, f = 2 on tcp too, and larger skews.
 */
const long = Boolean(process.env.MNM_LONG);
const scenarios = ['dm-abd', 'dm-abd-out-of-place', 'safe-guess'] as const;

type Case = Omit<RunOptions, 'protocol' | 'seed' | 'backend'>;

/** Memory m2 and client p3 crash early (≤ f memories); 4 clients contend; clocks skew by up to 20 delays and drift 1 %. */
const crashesUnderContention: Case = { latency: 'unit', faults: 'none', n: 4, memories: 3, workload: 'contention', crash: 'm2@2,p3@4', skew: 20, drift: 10_000, ops: 15 };
/** f = 2: crashes drawn by the seed within tolerance (up to two memories and clients), think times between operations. */
const drawnCrashesOnFive: Case = { latency: 'unit', faults: 'crash', n: 3, memories: 5, workload: 'uniform', ops: 10 };

const plans: { readonly backend: 'shm' | 'tcp'; readonly name: string; readonly options: Case; readonly seeds: readonly number[] }[] = [
  { backend: 'shm', name: 'a memory and a client crashed, contention, skewed clocks', options: crashesUnderContention, seeds: long ? [1, 2, 3, 4, 5] : [1] },
  // Seed 2 crashes m2, p0, m1; seed 3 p1 and p2 mid-write, m0, m3.
  { backend: 'shm', name: 'f = 2, crashes drawn by seed', options: drawnCrashesOnFive, seeds: long ? [2, 3, 4, 5, 6, 7] : [2, 3] },
  { backend: 'tcp', name: 'a memory and a client crashed, contention, skewed clocks', options: crashesUnderContention, seeds: long ? [1, 2, 3] : [1] },
  { backend: 'tcp', name: 'f = 2, crashes drawn by seed', options: drawnCrashesOnFive, seeds: long ? [2, 3, 4] : [3] },
  ...(long
    ? [
        { backend: 'shm' as const, name: 'clocks skewed by far more than Δ ticks', options: { ...crashesUnderContention, skew: 400, drift: 50_000 }, seeds: [1, 2] },
      ]
    : []),
];

/** The judged report's properties, and every client that did not crash finished its operations. */
function assertSound(report: RunReport, options: Case, where: string): void {
  assert.deepEqual(report.violations, [], where);
  assert.equal(report.ok, true, where);
  assert.equal(report.end, 'done', where);
  assert.equal(report.blocked, false, where);
  assert.equal(report.metrics, null, 'no simulator trace on a real backend');
  // A process crash (pI) or a host crash (hI: process and memory I) ends pI early.
  const crashed = new Set(report.faults.flatMap((fault) => [...fault.matchAll(/crash [ph](\d+)/g)].map((match) => Number(match[1]))));
  for (let process = 0; process < (options.n as number); process++) {
    if (crashed.has(process)) continue;
    const completed = report.history.filter((event) => event.process === process && event.type !== 'invoke').length;
    assert.equal(completed, options.ops, `p${process} completed ${completed} of ${options.ops} operations: ${where}`);
  }
  assert.ok(report.history.some((event) => event.f === 'write' && event.type === 'ok'), `some write returned: ${where}`);
  assert.ok(report.history.some((event) => event.f === 'read' && event.type === 'ok'), `some read returned: ${where}`);
}

for (const { backend, name, options, seeds } of plans) {
  describe(`SWARM registers on ${backend}: ${name}`, () => {
    for (const protocol of scenarios) {
      it(`${protocol}: linearizable, every live client finishes`, async () => {
        for (const seed of seeds) {
          const report = await runScenario({ ...options, protocol, seed, backend });
          const where = `${protocol} on ${backend}, seed ${seed}, faults ${report.faults.join(', ') || 'none'}: ${JSON.stringify(report.violations)}`;
          assertSound(report, options, where);
          assert.equal(report.details.backend, backend);
          if (options.crash !== undefined) assert.deepEqual(report.faults, ['crash m2@2', 'crash p3@4'], where);
        }
      });
    }
  });
}

describe("Safe-Guess's tick on real backends (spec §3: given in ns)", () => {
  it('is realTickNanoseconds of real time on shm and tcp, and RTT/3 of the latency model on the simulator', () => {
    for (const backend of ['shm', 'tcp'] as const) {
      for (const latency of ['unit', 'lan']) {
        const options = resolveOptions({ protocol: 'safe-guess', seed: 1, latency, faults: 'none', backend });
        // clock() counts time units; a unit is timeUnitMicroseconds of real time.
        assert.equal(Math.round(tickOf(options) * timeUnitMicroseconds(options) * 1000), realTickNanoseconds[backend], `${backend}, ${latency}`);
      }
    }
    assert.equal(tickOf(resolveOptions({ protocol: 'safe-guess', seed: 1, latency: 'unit', faults: 'none' })), 2 / 3);
  });
});
