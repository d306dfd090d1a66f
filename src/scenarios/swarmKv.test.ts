import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findScenario, runScenario, type RunOptions, type RunReport } from './index.js';
import { mixedRunOptions } from './mix.js';
import { resolveOptions } from './runner.js';
import { encodeKeyField } from '../protocols/swarm/keyIndex.js';
import { swarmLayout } from '../protocols/swarm/layout.js';
import { swarmKvLayoutConfig } from '../protocols/swarm/swarmKv.js';
import { packWord } from '../protocols/swarm/word.js';
import { wordBytes } from '../fabric/index.js';
import type { MemoryChange } from '../sim/watch.js';

/**
 * The `swarm-kv` scenario (spec swarm.md §6, §7, §9): the round trips of
 * §7's table with one client, linearizability per key over a mixed sweep
 * (crashes of ≤ f memories and of clients, torn reads, skew and drift,
 * contention, every latency model, each register under the store, small
 * entry logs), and targeted runs the sweep draws rarely.
 */
const seeds = process.env.MNM_LONG ? 400 : 60;

type RoundTrips = Record<string, { count: number; p50: number; p99: number; max: number; oneRoundTrip: number }>;

async function run(options: Omit<RunOptions, 'protocol' | 'latency' | 'faults'> & Partial<RunOptions>): Promise<RunReport> {
  return runScenario({ protocol: 'swarm-kv', latency: 'unit', faults: 'none', ...options }, 'off');
}

function byCache(report: RunReport): RoundTrips {
  return (report.details as { byCache: RoundTrips }).byCache;
}

describe('swarm-kv: round trips (§7, unit latency, clocks in sync)', () => {
  it('one client: hits cost 1 (get and put), misses 2 (get) and 3 (put)', async () => {
    const report = await run({ seed: 3, n: 1, ops: 60, workload: 'ycsb-a' });
    assert.deepEqual(report.violations, []);
    assert.equal(report.ok, true);
    const costs = byCache(report);
    assert.deepEqual(
      Object.fromEntries(Object.entries(costs).map(([call, cost]) => [call, [cost.p50, cost.max]])),
      Object.fromEntries(Object.keys(costs).map((call) => [call, call.endsWith('/hit') ? [1, 1] : call.startsWith('get') ? [2, 2] : [3, 3]])),
    );
    assert.ok(costs['get/hit'].count > 0 && costs['put/hit'].count > 0 && costs['get/miss'].count > 0 && costs['put/miss'].count > 0);
    assert.deepEqual(Object.keys(costs).sort(), ['get/hit', 'get/miss', 'put/hit', 'put/miss']);
  });

  it('four clients in solo turns (no two calls overlap, what `mnm table swarm` calls uncontended): the same exact costs, for every register', async () => {
    const expected: Record<string, Record<string, number>> = {
      'safe-guess': { 'get/hit': 1, 'put/hit': 1, 'get/miss': 2, 'put/miss': 3 },
      'dm-abd': { 'get/hit': 1, 'put/hit': 2, 'get/miss': 2, 'put/miss': 4 },
      // Out of place every read of a written key fetches: a hit 2, a miss 3 (one less for a key never written: ⊥, nothing to fetch).
      'dm-abd-out-of-place': { 'get/hit': 2, 'put/hit': 2, 'get/miss': 3, 'put/miss': 4 },
    };
    for (const [log, costs] of Object.entries(expected)) {
      const report = await run({ seed: 5, n: 4, ops: 30, workload: 'solo', log });
      assert.deepEqual(report.violations, [], log);
      assert.equal(report.ok, true, log);
      const measured = byCache(report);
      for (const [call, roundTrips] of Object.entries(costs)) {
        assert.ok(measured[call].count > 0, `${log} ${call}: no call`);
        const unwrittenToo = log === 'dm-abd-out-of-place' && call.startsWith('get');
        const { p50, max } = measured[call];
        assert.ok(max === roundTrips && (p50 === roundTrips || (unwrittenToo && p50 === roundTrips - 1)), `${log} ${call}: ${JSON.stringify(measured[call])}`);
      }
    }
  });

  it('several clients at once: most hits still take one round trip; the store stays linearizable', async () => {
    const report = await run({ seed: 4, n: 4, ops: 40, workload: 'ycsb-a/contention' });
    assert.deepEqual(report.violations, []);
    assert.equal(report.ok, true);
    const costs = byCache(report);
    assert.ok(costs['get/hit'].oneRoundTrip > 0.5, `get hits in 1: ${costs['get/hit'].oneRoundTrip}`);
    assert.ok(costs['put/hit'].oneRoundTrip > 0.5, `put hits in 1: ${costs['put/hit'].oneRoundTrip}`);
  });
});

describe('swarm-kv: linearizable per key under faults', () => {
  it(`a mixed sweep of ${seeds} seeds (memory and client crashes, tears, skew, latencies, all three registers, E = 2..8) finds no violation`, async () => {
    const scenario = findScenario('swarm-kv');
    assert.ok(scenario);
    const failures: string[] = [];
    const drawn = new Set<string>();
    const struck = { memoryCrash: 0, clientCrash: 0, midWrite: 0, skewed: 0, smallLogs: 0 };
    for (let seed = 1; seed <= seeds; seed++) {
      const options = mixedRunOptions(scenario, seed, {});
      drawn.add(`${options.log}`);
      const report = await runScenario(options, 'off');
      if (!report.ok) failures.push(`seed ${seed} (${JSON.stringify(options)}): ${JSON.stringify(report.violations)} ${report.end}`);
      if (report.faults.some((fault) => /^crash m/.test(fault))) struck.memoryCrash++;
      if (report.faults.some((fault) => /^crash p/.test(fault))) struck.clientCrash++;
      if (report.faults.some((fault) => fault.endsWith('mid-write'))) struck.midWrite++;
      if (options.skew !== undefined && options.skew > 0) struck.skewed++;
      if (options.slots !== undefined && options.slots <= 3) struck.smallLogs++;
    }
    assert.deepEqual(failures, []);
    assert.deepEqual([...drawn].sort(), ['dm-abd', 'dm-abd-out-of-place', 'safe-guess']);
    // The sweep reached what it claims to sweep.
    for (const [what, runs] of Object.entries(struck)) assert.ok(runs > 0, `${what}: no run`);
  });

  it('hot key, E = 2, every client at once, memory crash and client crash mid-run, skewed clocks: linearizable on every latency model', async () => {
    for (const latency of ['unit', 'rdma', 'lan', 'uniform:1:10', 'tail:1:20:0.1']) {
      for (let seed = 1; seed <= 6; seed++) {
        const report = await run({ seed, n: 4, ops: 25, workload: 'hot-key/contention', slots: 2, latency, crash: 'm1@15,p3@20', skew: 50, drift: 2000, tear: 1 });
        assert.deepEqual(report.violations, [], `${latency} seed ${seed}`);
        assert.equal(report.ok, true, `${latency} seed ${seed}: ${report.end}`);
      }
    }
  });

  it('replays: the same options give the same trace, byte for byte (faults, skew, tears, hot key)', async () => {
    const options: RunOptions = { protocol: 'swarm-kv', seed: 9, latency: 'tail:1:10:0.3', faults: 'all', n: 4, ops: 20, workload: 'hot-key/contention', skew: 20, drift: 1000, tear: 1 };
    const [first, second] = [await runScenario(options, 'hash'), await runScenario(options, 'hash')];
    assert.equal(first.ok, true);
    assert.ok(first.faults.length > 0);
    assert.match(String(first.traceHash), /^sha256:/);
    assert.equal(first.traceHash, second.traceHash);
  });

  it('with the load phase, every key is written through the protocol before the mix, and reads see it', async () => {
    const report = await run({ seed: 7, n: 3, ops: 20, workload: 'ycsb-a+load' });
    assert.deepEqual(report.violations, []);
    assert.equal(report.ok, true);
    const loads = report.history.filter((event) => event.type === 'ok' && event.f === 'put' && String(event.value).includes('.load'));
    assert.deepEqual(new Set(loads.map((event) => event.key)).size, 16);
    const gets = report.history.filter((event) => event.type === 'ok' && event.f === 'get');
    // Deletes, and gets racing another client's load, read "": most gets read a loaded or later value.
    assert.ok(gets.filter((event) => event.value !== '').length > gets.length / 2, 'most gets read a value');
  });
});

describe('swarm-kv: the per-key kv check catches broken registers under the store', () => {
  // The first seed of `mnm sweep swarm-kv --mix --mutant M --log L [--workload W] --seeds 300` that catches each (searched from 1).
  const cases = [
    { mutant: 'write-without-scan', log: 'dm-abd', seed: 4 },
    { mutant: 'same-writer-returns-latest', log: 'safe-guess', workload: 'hot-key/contention', seed: 106 },
  ] as const;
  for (const { mutant, seed, ...fixed } of cases) {
    it(`${fixed.log} mutant ${mutant}: not linearizable at seed ${seed}, where the correct register passes`, async () => {
      const scenario = findScenario('swarm-kv');
      assert.ok(scenario);
      const broken = await runScenario(mixedRunOptions(scenario, seed, { ...fixed, mutant }), 'off');
      assert.deepEqual(broken.violations.map((violation) => violation.property), ['linearizability']);
      const correct = await runScenario(mixedRunOptions(scenario, seed, fixed), 'off');
      assert.deepEqual(correct.violations, []);
      assert.equal(correct.ok, true);
    });
  }

  it('refuses a mutant of the other register', async () => {
    await assert.rejects(run({ seed: 1, log: 'dm-abd', mutant: 'notif-any-key' }), /--mutant notif-any-key: not a mutant of dm-abd \(accepted: no-write-back/);
  });
});

describe('swarm-kv: the memory watcher (§9, after every change)', () => {
  const options = resolveOptions({ protocol: 'swarm-kv', seed: 1, latency: 'unit', faults: 'none' });
  const layout = swarmLayout(swarmKvLayoutConfig({ region: 'swarm-kv', memories: [0, 1, 2], f: 1, clients: 3, keyCount: 16 }));
  function change(offset: number, before: Uint8Array, after: Uint8Array, kind: MemoryChange['kind']): MemoryChange {
    return { memory: 0, region: layout.recordRegion, offset, length: after.length, before, after, regionBytes: () => undefined, kind, process: 0, time: 1 };
  }
  const findings = (made: MemoryChange) => {
    const scenario = findScenario('swarm-kv');
    assert.ok(scenario?.memoryWatcher);
    const watcher = scenario.memoryWatcher(options);
    assert.ok(watcher);
    return watcher(made).map((finding) => finding.property);
  };

  it("lets a KEY word go between 0 and its key's bytes (loads landing, loads cut short), and flags any other KEY or a buffer going down", () => {
    const k3 = encodeKeyField('k3', 24);
    const zeros = new Uint8Array(k3.length);
    const half = k3.slice();
    half.fill(0, 8);
    assert.deepEqual(findings(change(layout.keyOffset(3), zeros, k3, 'write')), []);
    assert.deepEqual(findings(change(layout.keyOffset(3), k3, half, 'cut')), []);
    assert.deepEqual(findings(change(layout.keyOffset(3), half, k3, 'write')), []);
    // Another key's bytes in record 3's KEY: a rebinding.
    assert.deepEqual(findings(change(layout.keyOffset(3), k3, encodeKeyField('k4', 24), 'write')), ['key-read-only']);
    const high = packWord({ timestamp: 9n, writer: 1, slot: 0 });
    const low = packWord({ timestamp: 5n, writer: 1, slot: 0 });
    assert.ok(findings(change(layout.metaOffset(3, 1), wordBytes(high), wordBytes(low), 'cas')).includes('buffers-only-grow'));
  });

  it('passes the sweep seed where a client crashed in the middle of its load (a KEY cut back to zeros, then loaded again)', async () => {
    const report = await runScenario({ protocol: 'swarm-kv', seed: 653, n: 5, memories: 5, latency: 'tail:1:30:0.1', faults: 'all', ops: 10, workload: 'hot-key', log: 'safe-guess', slots: 3, tear: 0.5, skew: 5.8, drift: 0 }, 'off');
    assert.deepEqual(report.violations, []);
    assert.equal(report.ok, true);
  });
});
