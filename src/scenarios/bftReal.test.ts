import { describe, it } from 'node:test';
import { bftClientAdversaries } from '../protocols/byzantine/bft/adversaryCatalogue.js';
import assert from 'node:assert/strict';
import { resolveOptions, runScenario, type RunOptions } from './index.js';
import type { RunReport } from './judge.js';
import { bftSetup } from './bftSetup.js';
import { onRealBackend, realDeadlineUnits, realTimerScale } from './bftReal.js';
import { seedOptions, sweepPlanOf } from '../cli/sweep/seedRun.js';

/**
 * `bft` (n = 2f+1 on consistent broadcast, a replicated KV store) on the
 * real backends: replicas and clients as worker threads on shared memory
 * (shm) and as OS processes over TCP (tcp), f = 1, two clients, a few calls
 * each; with every replica up, and with follower p2 crashed from the start
 * (the fast path needs PROMISEs from all n, so every decision must take the
 * slow path). Real runs are not replayable: these assert properties — the
 * scenario's checks (agreement, validity, integrity, liveness), the KV
 * history linearizable, every client finishing every call, the run ending
 * by itself — never a duration or an interleaving. The only clock is the
 * runner's wall-clock deadline (at least 10 s): a hung run ends there and
 * fails `end === 'done'`.
 *
 * Leader crashes: p0 crashed from the start makes the followers suspect it
 * (Treq on a wall-clock timer) and run a view change on real threads and
 * processes (view 1, leader p1). Mixed seeds: the sweep's bft draw
 * (bftMix.ts: clients, ops, W, leader and follower crashes, a minority of
 * memory crashes, clocks) run on each backend, the history checked against
 * the `kv` model; a few per backend by default, many with MNM_LONG=1 (f = 2
 * on the real backends too).
 */

const long = Boolean(process.env.MNM_LONG);

const ops = 3;
const clients = 2;
const base: Omit<RunOptions, 'backend'> = { protocol: 'bft', seed: 1, f: 1, clients, ops, latency: 'unit', faults: 'none' };

function decisions(report: RunReport): { fast: number; slow: number } {
  return report.details.decisions as { fast: number; slow: number };
}

function assertServed(report: RunReport, where: string): void {
  assert.deepEqual(report.violations, [], where);
  assert.equal(report.ok, true, where);
  assert.equal(report.end, 'done', where);
  assert.equal(report.blocked, false, where);
  assert.equal(report.linearizable, true, `KV history linearizable: ${where}`);
  for (let client = 3; client < 3 + clients; client++) {
    const returned = report.history.filter((event) => event.process === client && event.type === 'ok').length;
    assert.equal(returned, ops, `client p${client} got ${returned} of ${ops} calls back: ${where}`);
  }
  const { fast, slow } = decisions(report);
  assert.ok(fast + slow >= 1, `some instance decided: ${where}`);
  assert.equal(report.details.executed !== undefined, true);
}

for (const backend of ['shm', 'tcp'] as const) {
  describe(`bft on ${backend}`, () => {
    it('f = 1, every replica up: all calls return, history linearizable', async () => {
      const report = await runScenario({ ...base, backend });
      const where = `bft on ${backend}: ${JSON.stringify(report.violations)} ${JSON.stringify(report.details.decisions)}`;
      assertServed(report, where);
      assert.equal(report.details.backend, backend);
    });

    it('f = 1, follower p2 crashed: every decision on the slow path, all calls return, linearizable', async () => {
      const report = await runScenario({ ...base, backend, crash: 'p2@0' });
      const where = `bft on ${backend}, p2 crashed: ${JSON.stringify(report.violations)} ${JSON.stringify(report.details.decisions)}`;
      assertServed(report, where);
      assert.deepEqual(report.faults, ['crash p2@0'], where);
      assert.equal(decisions(report).fast, 0, `no fast decision without p2's PROMISE: ${where}`);
    });

    it('f = 1, leader p0 crashed from the start: a view change (view 1, leader p1), all calls return, linearizable', async () => {
      const report = await runScenario({ ...base, backend, crash: 'p0@0' });
      const viewChange = report.details.viewChange as { views: number };
      const where = `bft on ${backend}, p0 crashed: ${JSON.stringify(report.violations)} ${JSON.stringify(report.details.decisions)} ${JSON.stringify(viewChange)}`;
      assertServed(report, where);
      assert.ok(viewChange.views >= 1, `a view after view 0 was entered: ${where}`);
    });
  });
}

/** The first `count` seeds from `first` whose bft draw crashes the leader p0 (so the few default seeds run view changes). */
function leaderCrashSeeds(fixed: { f: number }, count: number): number[] {
  const plan = sweepPlanOf({ protocol: 'bft', seed: 1, latency: 'unit', faults: 'crash' }, fixed);
  const seeds: number[] = [];
  for (let seed = 1; seeds.length < count; seed++) if ((seedOptions(plan, seed).crash ?? '').split(',').some((token) => token.startsWith('p0@'))) seeds.push(seed);
  return seeds;
}

const mixedRuns: readonly { backend: 'sim' | 'shm' | 'tcp'; f: number; seeds: number; leaderSeeds: number }[] = [
  { backend: 'sim', f: 1, seeds: long ? 200 : 3, leaderSeeds: long ? 50 : 2 },
  { backend: 'sim', f: 2, seeds: long ? 100 : 0, leaderSeeds: long ? 25 : 1 },
  { backend: 'shm', f: 1, seeds: long ? 30 : 1, leaderSeeds: long ? 15 : 1 },
  { backend: 'tcp', f: 1, seeds: long ? 20 : 1, leaderSeeds: long ? 10 : 1 },
  ...(long ? ([{ backend: 'shm', f: 2, seeds: 10, leaderSeeds: 5 }, { backend: 'tcp', f: 2, seeds: 6, leaderSeeds: 3 }] as const) : []),
];

describe('bft mixed seeds on every backend: KV histories linearizable', () => {
  for (const { backend, f, seeds, leaderSeeds } of mixedRuns) {
    it(`${backend}, f = ${f}: ${seeds} drawn seeds and ${leaderSeeds} with the leader crashed run clean, every history linearizable`, async () => {
      const base = { protocol: 'bft', seed: 1, latency: 'unit', faults: 'crash', ...(backend === 'sim' ? {} : { backend }) } as const;
      const plan = sweepPlanOf(base, { f });
      const chosen = [...new Set([...Array.from({ length: seeds }, (_, index) => 1 + index), ...leaderCrashSeeds({ f }, leaderSeeds)])];
      for (const seed of chosen) {
        const options = seedOptions(plan, seed);
        const report = await runScenario(options, 'off');
        const where = `${backend} seed ${seed} (${options.crash ?? 'no crash'}, ${options.clients} clients × ${options.ops} ops, W = ${options.window}, ${options.latency}): ${JSON.stringify(report.violations)} sizing ${String(report.details.sizing)}`;
        assert.deepEqual(report.violations, [], where);
        assert.equal(report.blocked, false, where);
        assert.equal(report.end, 'done', where);
        assert.equal(report.details.sizing, null, where);
        assert.equal(report.linearizable, true, `KV history linearizable: ${where}`);
        // Every correct client's call returns (a Byzantine client's do not count; a seed that pauses a replica owes safety only).
        const byzantineClients = (options.adversary ?? '').split(',').filter((name) => name in bftClientAdversaries).length;
        const calls = report.details.calls as { ok: number };
        if (options.pause === undefined) assert.equal(calls.ok, ((options.clients as number) - byzantineClients) * (options.ops as number), `every call returned: ${where}`);
      }
    });
  }
});

describe('bft safety nets on real backends (bftReal.ts)', () => {
  it('leaves the simulator setup unchanged', () => {
    const options = resolveOptions({ protocol: 'bft', seed: 1, f: 1, latency: 'unit', faults: 'none' });
    const setup = bftSetup(options);
    assert.equal(onRealBackend(setup, options), setup);
  });

  it('on shm and tcp, replicas stop and clients give up only near the wall-clock deadline; the protocol timers scale to real delays', () => {
    for (const backend of ['shm', 'tcp'] as const) {
      const options = resolveOptions({ protocol: 'bft', seed: 1, f: 1, latency: 'unit', faults: 'none', backend });
      const simulated = bftSetup(resolveOptions({ protocol: 'bft', seed: 1, f: 1, latency: 'unit', faults: 'none' }));
      const real = bftSetup(options);
      const deadline = realDeadlineUnits(options);
      assert.ok(real.giveUpAt >= 0.5 * deadline && real.giveUpAt < deadline, `${backend}: replicas stop at ${real.giveUpAt} of ${deadline}`);
      assert.ok(real.giveUpAt > simulated.giveUpAt, backend);
      assert.ok(real.client.giveUpAfter >= real.giveUpAt, backend);
      // The protocol's own timers (fast vs slow path, suspicion, Tview) are scaled to real delays, all by one factor.
      for (const [name, value] of Object.entries(simulated.timing)) assert.equal((real.timing as unknown as Record<string, number>)[name], value * realTimerScale, `${backend}: ${name}`);
      assert.equal(real.client.resendAfter, simulated.client.resendAfter * realTimerScale, backend);
      assert.ok(real.horizonNeeded > simulated.horizonNeeded, backend);
    }
  });
});
