import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { capturedMain } from '../cli/_capturedMain.js';
import { runScenario, type RunReport } from './index.js';
import { leaderAt } from './mu.js';

/**
 * `mnm run mu` as issue 13 specifies it: KV workloads on MuLog, commit and
 * fail-over metrics in their units, the leader flags aimed at whoever leads,
 * the linearizability verdict, and the CLI's JSON.
 */
interface MuMetrics {
  readonly commit: { readonly p50: number; readonly p99: number; readonly count: number } | null;
  readonly throughput: number | null;
  readonly failover: { readonly p50: number | null; readonly max: number | null; readonly trials: number; readonly detection: number | null; readonly permissionSwitch: number | null; readonly catchUp: number | null } | null;
}

function muMetrics(report: RunReport): MuMetrics {
  return report.metrics as unknown as MuMetrics;
}

const base = { protocol: 'mu', seed: 1, latency: 'unit', faults: 'none' } as const;

describe('mnm run mu', () => {
  it('a stable leader commits in one round trip: commit p50 = 2 delays under unit, no fail-over, linearizable', async () => {
    const report = await runScenario({ ...base, ops: 6 }, 'off');
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    assert.equal(report.params.workload, 'ycsb-a');
    const metrics = muMetrics(report);
    assert.equal(metrics.commit?.p50, 2);
    assert.ok((metrics.commit?.p99 ?? 0) >= 2);
    assert.ok((metrics.commit?.count ?? 0) >= 3 * 6);
    assert.ok((metrics.throughput ?? 0) > 0);
    assert.equal(metrics.failover, null);
    assert.equal(report.linearizable, true);
  });

  it('a follower\'s call takes 2 round trips (forward, commit, the leader\'s answer; its own log is local), like Multi-Paxos', async () => {
    const report = await runScenario({ ...base, ops: 6 }, 'full');
    const invoked = new Map<number, { process: number; time: number }>();
    const follower: number[] = [];
    for (const event of report.history) {
      if (event.type === 'invoke') invoked.set(event.op, { process: event.process, time: event.time });
      else if (event.type === 'ok' && event.process !== 0) follower.push(event.time - (invoked.get(event.op)?.time ?? 0));
    }
    follower.sort((a, b) => a - b);
    assert.ok(follower.length > 0);
    assert.equal(follower[Math.floor(follower.length / 2)], 4);
  });

  it('under other latency models the metrics are virtual µs', async () => {
    const report = await runScenario({ ...base, latency: 'uniform:3:5', ops: 4 }, 'off');
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    const commit = muMetrics(report).commit;
    // One round trip of two delays, each within [3, 5] µs.
    assert.ok(commit && commit.p50 >= 6 && commit.p50 <= 10, JSON.stringify(commit));
  });

  it('--crash-leader-at crashes the leader\'s host; fail-over = detection + permission switch + catch-up', async () => {
    const report = await runScenario({ ...base, ops: 10, crashLeaderAt: 20 }, 'off');
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    assert.deepEqual(report.faults, ['crash h0@20']);
    assert.deepEqual(report.details.leaderFaults, { crashLeaderAt: 'crash h0@20' });
    const failover = muMetrics(report).failover;
    assert.ok(failover && failover.trials >= 1 && failover.p50 !== null);
    if (failover.trials === 1) assert.equal(failover.p50, (failover.detection ?? 0) + (failover.permissionSwitch ?? 0) + (failover.catchUp ?? 0));
    assert.ok((failover.detection ?? -1) >= 0 && (failover.permissionSwitch ?? -1) >= 0 && (failover.catchUp ?? -1) >= 0);
    assert.equal(report.linearizable, true);
  });

  it('the leader flags aim at whoever leads at T: after a first fail-over, not p0', async () => {
    const report = await runScenario({ ...base, ops: 30, crashLeaderAt: 20, pauseLeaderAt: 80, pauseFor: 60 }, 'full');
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    const paused = report.details.leaderFaults as { crashLeaderAt: string; pauseLeaderAt: string | null };
    assert.equal(paused.crashLeaderAt, 'crash h0@20');
    assert.match(paused.pauseLeaderAt ?? '', /^pause p[12]@80\+60$/);
    // It is the leader the notes show at 80.
    const notes = (report.trace ?? '')
      .split('\n')
      .filter((line) => line.includes('"type":"note"'))
      .map((line) => JSON.parse(line) as { t: number; p: number; kind: string; detail?: Record<string, number> })
      .filter((event) => event.t < 80)
      .map((event) => ({ time: event.t, process: event.p, kind: event.kind, ...(event.detail ? { detail: event.detail } : {}) }));
    assert.equal(`pause p${leaderAt(notes as never, [0])}@80+60`, paused.pauseLeaderAt);
    assert.ok((muMetrics(report).failover?.trials ?? 0) >= 2);
  });

  it('a flag whose time finds nobody leading injects nothing, and says so', async () => {
    // Every host but p0's... p0 leads from time 0, so crash it at 0 and aim the pause at 0 too: p0 is crashed, nobody else leads yet.
    const report = await runScenario({ ...base, ops: 2, crash: 'h0@0', pauseLeaderAt: 0, pauseFor: 10 }, 'off');
    assert.deepEqual(report.details.leaderFaults, { pauseLeaderAt: null });
    assert.deepEqual(report.faults, ['crash h0@0']);
  });

  it('the same options give the same run (leader faults resolved deterministically)', async () => {
    const options = { ...base, faults: 'all', seed: 5, ops: 6, crashLeaderAt: 30, pauseLeaderAt: 90, pauseFor: 40 } as const;
    const [a, b] = [await runScenario(options, 'hash'), await runScenario(options, 'hash')];
    assert.equal(a.traceHash, b.traceHash);
    assert.deepEqual(a.faults, b.faults);
  });

  it('KV workloads under host crashes keep every property (prefix agreement, durability, linearizability)', async () => {
    let crashed = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const workload = ['ycsb-a', 'ycsb-b', 'ycsb-a/contention', 'ycsb-a/storm'][seed % 4];
      const report = await runScenario({ protocol: 'mu', seed, latency: seed % 2 ? 'unit' : 'rdma', faults: 'crash', workload, n: seed % 3 === 0 ? 5 : 3, memories: seed % 3 === 0 ? 5 : 3, ops: 5, clients: 2 + (seed % 2) }, 'off');
      assert.equal(report.ok, true, `seed ${seed}: ${JSON.stringify(report.violations)}`);
      assert.notEqual(report.linearizable, false);
      if (report.faults.some((fault) => fault.startsWith('crash h'))) crashed++;
    }
    assert.ok(crashed > 0, 'no run crashed a host');
  });

  it('--n alone sizes the hosts: one log memory per replica', async () => {
    const report = await runScenario({ ...base, n: 5, ops: 2 }, 'off');
    assert.equal(report.params.memories, 5);
    assert.equal(report.ok, true, JSON.stringify(report.violations));
  });

  it('--clients puts clients on some replicas (the others only serve) and --window bounds the leader', async () => {
    const report = await runScenario({ ...base, n: 5, memories: 5, ops: 3, clients: 2, window: 1 }, 'off');
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    assert.equal(report.details.clients, 2);
    assert.deepEqual(report.details.outcomes, { ok: 6, fail: 0, info: 0 });
    assert.deepEqual([...new Set(report.history.map((event) => event.process))].sort(), [0, 1]);
    assert.equal(report.linearizable, true);
  });
});

describe('mnm run mu / sweep mu (CLI)', () => {
  it('--json carries metrics.commit, metrics.failover and linearizable at the top level', async () => {
    const run = await capturedMain('run', 'mu', '--ops', '8', '--crash-leader-at', '25', '--json');
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout);
    assert.equal(json.linearizable, true);
    assert.deepEqual(Object.keys(json.metrics.commit).sort(), ['count', 'p50', 'p99']);
    assert.deepEqual(Object.keys(json.metrics.failover).sort(), ['catchUp', 'detection', 'max', 'p50', 'permissionSwitch', 'trials']);
    assert.equal(typeof json.metrics.throughput, 'number');
    assert.equal(typeof json.metrics.operations, 'number');
    assert.match(json.replay, /--crash-leader-at 25/);
    const calm = JSON.parse((await capturedMain('run', 'mu', '--json')).stdout);
    assert.equal(calm.metrics.failover, null);
  });

  it('linearizable is null when undecided, and mnm run exits 3 (a log workload with several appends in flight per process)', async () => {
    const run = await capturedMain('run', 'mu', '--workload', 'stable', '--seed', '3', '--json');
    const json = JSON.parse(run.stdout);
    assert.equal(json.ok, true);
    assert.equal(json.linearizable, null);
    assert.match(json.details.linearizability, /^not judged/);
    assert.equal(run.code, 3);
  });

  it('the text report prints commit latency, throughput, fail-over and the verdict', async () => {
    const run = await capturedMain('run', 'mu', '--ops', '8', '--pause-leader-at', '20', '--for', '100');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^commit: +p50 2 delays, p99 \d+ delays over \d+ entries; throughput [\d.]+ entries per 1000 delays$/m);
    assert.match(run.stdout, /^failover: +\d+ leader changes?: p50 \d+/m);
    assert.match(run.stdout, /^leader: +--pause-leader-at → pause p0@20\+100$/m);
    assert.match(run.stdout, /^linearizable: yes$/m);
  });

  it('bad leader flags and sizes are one-line usage errors (exit 2) naming what is accepted', async () => {
    const cases: [string[], RegExp][] = [
      [['run', 'mu', '--pause-leader-at', '5'], /needs --for D/],
      [['run', 'mu', '--for', '5'], /only with --pause-leader-at/],
      [['run', 'mu', '--crash-leader-at', '-1'], /--crash-leader-at: expected/],
      [['run', 'mu', '--pause-leader-at', '5', '--for', '0'], /--for: expected a positive number/],
      [['run', 'mu', '--pause-leader-at', '5', '--for', '10', '--backend', 'shm'], /--pause-leader-at: the shm backend injects crashes only/],
      [['run', 'mu', '--crash', 'p1@10', '--backend', 'tcp'], /cannot be injected with co-located memories: .*--crash h1@10/],
      [['run', 'register', '--crash-leader-at', '5'], /register has no leader to aim at \(accepted by: mu/],
      [['run', 'register', '--clients', '2'], /register takes no --clients \(accepted by: mu, .*safe-guess.*\)/],
      [['run', 'mu', '--clients', '0'], /--clients: expected/],
      [['run', 'mu', '--clients', '4'], /--clients 4: at most one client per replica \(accepted: 1\.\.3/],
      [['run', 'mu', '--workload', 'stable', '--clients', '4'], /the log workloads run one client per replica/],
    ];
    for (const [args, message] of cases) {
      const run = await capturedMain(...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
  });

  it('--help documents every mu flag with an example', async () => {
    const run = await capturedMain('run', '--help');
    for (const flag of ['--clients C', '--window W', '--crash-leader-at T', '--pause-leader-at T --for D', 'mnm run mu --n 5']) assert.ok(run.stdout.includes(flag), flag);
  });

  it('mnm sweep mu checks the KV runs (and the log workloads with --workload)', async () => {
    const sweep = await capturedMain('sweep', 'mu', '--seeds', '6', '--json');
    assert.equal(sweep.code, 0, sweep.stdout + sweep.stderr);
    const log = await capturedMain('sweep', 'mu', '--seeds', '4', '--workload', 'stable', '--json');
    assert.equal(log.code, 0, log.stdout + log.stderr);
  });
});
