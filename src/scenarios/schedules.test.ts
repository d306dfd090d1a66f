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

describe('scripted schedules: the broadcast tear', () => {
  // One memory, so a reader has one copy only. The sender p0 starts at 5; p1's first read of the
  // sender's region is held until p0's write of its value field arrives, and lands while that
  // field's words are still landing (tear window = the write's whole completion delay).
  const tear = { n: 3, f: 1, memories: 1, latency: 'unit', faults: 'none', tear: 1, pause: 'p0@0+5', hold: 'p1 read m0 until p0 write m0' } as const;

  for (const protocol of ['cb', 'rb'] as const) {
    it(`${protocol}: a torn copy is simply absent — the reader adopts nothing from it, reads again, and every property holds`, async () => {
      for (let seed = 1; seed <= 3; seed++) {
        const { report, lines } = await traced({ protocol, seed, ...tear });
        assert.deepEqual(report.violations, [], `seed ${seed}`);
        const all = lines as unknown as Record<string, unknown>[];
        const held = all.find((line) => line.type === 'release' && line.event === 'p1 read m0');
        assert.ok(held, `seed ${seed}: the script ran`);
        const arrival = all.find((line) => line.type === 'verb.arrive' && line.id === held.id);
        assert.ok(arrival && Number(arrival.torn) > 0, `seed ${seed}: p1's read of the sender's slot came back torn`);
        const completed = Number(all.find((line) => line.type === 'verb.complete' && line.id === held.id)?.t);
        // p1 echoes only after a later, clean read of the sender's slot: nothing was adopted from the torn one.
        const echo = all.find((line) => line.type === 'verb.issue' && line.p === 1 && line.verb === 'write' && line.region === 'swmr:p1');
        const laterRead = all.find((line) => line.type === 'verb.complete' && line.p === 1 && Number(line.t) > completed && all.some((issue) => issue.type === 'verb.issue' && issue.id === line.id && issue.region === 'swmr:p0'));
        assert.ok(echo && laterRead && Number(echo.t) >= Number(laterRead.t), `seed ${seed}: p1 wrote its echo at ${echo?.t}, after the clean read at ${laterRead?.t}`);
      }
    });
  }
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
