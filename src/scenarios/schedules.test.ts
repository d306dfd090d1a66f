import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunOptions } from './index.js';

/**
 * Known interleavings as scripted schedules (docs/schedules.md): each test
 * holds the verbs that make the interleaving happen, whatever the seed, and
 * shows that the protocol keeps its properties there while the mutant that
 * the interleaving is about breaks them.
 */

interface TraceLine {
  readonly t: number;
  readonly type: string;
  readonly p?: number;
  readonly kind?: string;
  readonly event?: string;
  readonly m?: number;
  readonly detail?: Record<string, unknown>;
}

async function traced(options: RunOptions) {
  const report = await runScenario(options, 'full');
  const lines = String(report.trace).trim().split('\n').slice(1).map((line) => JSON.parse(line) as TraceLine);
  return { report, lines };
}

const firstTime = (lines: readonly TraceLine[], match: (line: TraceLine) => boolean) => lines.find(match)?.t ?? Infinity;

describe('scripted schedules: Protected Memory Paxos stragglers', () => {
  // p0 is paused from the start (so p1 and p2 contend alone, and the run lasts until p0 wakes).
  const base = { protocol: 'pmp', n: 3, memories: 3, latency: 'unit', faults: 'none', workload: 'storm', pause: 'p0@0+600' } as const;

  // p1's phase 1 completes on {m0, m1} while its permission request to m2 is held; p2's grant on m1
  // lands between p1's read and p1's phase-2 write there; p2 decides on {m1, m2}; only then does
  // p1's request land on m2 (revoking p2), with p1's phase-2 write right behind it.
  const straggler = [
    'p1 permission m2 until p2 note decide',
    'p2 permission m1 until p1 read m1',
    'p1 write m1 #2 until p2 permission m1',
    'p2 permission m0 until p1 note decide',
  ].join('; ');

  it('the audit straggler: a late grant of this attempt never lets a phase-2 write count', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { report, lines } = await traced({ ...base, seed, hold: straggler });
      assert.deepEqual(report.violations, [], `seed ${seed}`);
      assert.equal(report.ok, true);
      // The interleaving happened: p2 decided before p1's request reached m2.
      const decided = firstTime(lines, (line) => line.type === 'note' && line.p === 2 && line.kind === 'decide');
      const released = firstTime(lines, (line) => line.type === 'release' && line.event === 'p1 permission m2');
      assert.ok(decided <= released && released < Infinity, `seed ${seed}: p2 decided at ${decided}, p1's request released at ${released}`);
    }
  });

  it('the same schedule breaks the mutant that counts phase-2 writes on any memory', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const report = await runScenario({ ...base, seed, hold: straggler, mutant: 'phase2-any-memory' }, 'off');
      assert.ok(report.violations.some((violation) => violation.property === 'agreement'), `seed ${seed}: ${JSON.stringify(report.violations)}`);
    }
  });

  // p1's first attempt is abandoned (its requests to m1 and m2 are held, its phase 1 times out); the
  // request to m1 lands when p1 starts over, the one to m2 only after p2 decided on {m1, m2}.
  const abandoned = [
    'p1 permission m2 until p2 note decide',
    'p1 permission m1 until p1 note attempt #2',
    'p2 permission m1 until p1 read m1',
    'p1 write m1 #2 until p2 permission m1',
    'p2 permission m0 until p1 note decide',
  ].join('; ');

  it("an abandoned attempt's late grant: the next attempt waits for it and reads after it", async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { report, lines } = await traced({ ...base, seed, hold: abandoned });
      assert.deepEqual(report.violations, [], `seed ${seed}`);
      const attempts = lines.filter((line) => line.type === 'note' && line.p === 1 && line.kind === 'attempt');
      assert.ok(attempts.length >= 2, `seed ${seed}: p1's first attempt was abandoned`);
      const decided = firstTime(lines, (line) => line.type === 'note' && line.p === 2 && line.kind === 'decide');
      const released = firstTime(lines, (line) => line.type === 'release' && line.event === 'p1 permission m2');
      assert.ok(attempts[1].t < released && decided <= released && released < Infinity, `seed ${seed}`);
    }
    const mutant = await runScenario({ ...base, seed: 1, hold: abandoned, mutant: 'phase2-any-memory' }, 'off');
    assert.ok(mutant.violations.some((violation) => violation.property === 'agreement'), JSON.stringify(mutant.violations));
  });
});

describe("regressions from the audit's reproductions", () => {
  it('pmp seed 3276 (lan, contention) and seed 8909 (all faults) hold agreement and terminate', async () => {
    const runs: RunOptions[] = [
      { protocol: 'pmp', seed: 3276, n: 3, memories: 3, latency: 'lan', faults: 'none', horizon: 60000, ops: 1, workload: 'contention' },
      { protocol: 'pmp', seed: 8909, n: 3, memories: 3, latency: 'lan', faults: 'all', horizon: 60000, ops: 1, workload: 'contention' },
    ];
    for (const options of runs) {
      const report = await runScenario(options, 'off');
      assert.deepEqual(report.violations, [], `seed ${options.seed}`);
      assert.equal(report.ok, true);
    }
  });

  it('consensus terminates without faults when delays vary widely (timeouts adapt); the fixed-timers mutants do not', async () => {
    const cases: [string, string][] = [
      ['pmp', 'uniform:1:20'],
      ['disk-paxos', 'uniform:1:40'],
      ['paxos', 'uniform:1:40'],
    ];
    for (const [protocol, latency] of cases) {
      for (let seed = 1; seed <= 100; seed++) {
        const report = await runScenario({ protocol, seed, latency, faults: 'none' }, 'off');
        assert.deepEqual(report.violations, [], `${protocol} ${latency} seed ${seed}`);
      }
    }
    for (const protocol of ['pmp', 'disk-paxos']) {
      const report = await runScenario({ protocol, seed: 1, latency: 'uniform:1:40', faults: 'none', mutant: 'fixed-timers' }, 'off');
      assert.ok(report.violations.some((violation) => violation.property === 'termination'), `${protocol}: ${JSON.stringify(report.violations)}`);
    }
  });
});
