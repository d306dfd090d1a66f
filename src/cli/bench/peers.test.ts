import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etcdBinary, redisBinary } from '../../peers/binaries.js';
import { Prng } from '../../sim/prng.js';
import { peersBench, trialOrder } from './peers.js';
import { decodeCall, encodeCall } from './peersBodies.js';
import { peersCharts } from './charts/peersCharts.js';
import { renderSvg } from '../plots/index.js';
import { peerRatios, peerRows, peerTargets, protocolFigures, quantile, type PeerRow } from './peersFigures.js';
import { phasePlan, type PhaseSamples } from './ycsbDriver.js';
import { ycsbCalls, ycsbKeyCount, ycsbLoadCalls, ycsbValueBytes, zipfianProbability, ZipfianGenerator } from './ycsbWorkload.js';
import { zipfianCumulative, zipfianRank as rankAt } from '../../scenarios/kvWorkload.js';

describe('the zipfian generator (θ = 0.99, as YCSB)', () => {
  it('is seeded: the same seed and stream give the same ranks, another stream others', () => {
    const draw = (stream: string) => {
      const zipf = new ZipfianGenerator(1000, new Prng(7, stream));
      return Array.from({ length: 200 }, () => zipf.next());
    };
    assert.deepEqual(draw('a'), draw('a'));
    assert.notDeepEqual(draw('a'), draw('b'));
  });

  it('draws ranks 0..n-1 with the zipfian frequencies: rank 0 takes 1/H(n, θ), rank r about 1/(r+1)^θ of it', () => {
    const n = 1000;
    const zipf = new ZipfianGenerator(n, new Prng(1, 'frequencies'));
    const draws = 100_000;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < draws; i++) {
      const rank = zipf.next();
      assert.ok(Number.isInteger(rank) && rank >= 0 && rank < n);
      counts[rank]++;
    }
    // H(1000, 0.99) ≈ 7.9: rank 0 takes about 12.7 % of the draws.
    const expected0 = zipfianProbability(n, 0);
    assert.ok(Math.abs(expected0 - 0.127) < 0.005, `p(0) = ${expected0}`);
    for (const rank of [0, 1, 9, 99]) {
      const expected = zipfianProbability(n, rank) * draws;
      // 5 standard deviations of a binomial count: a deterministic draw far inside that band.
      assert.ok(Math.abs(counts[rank] - expected) < 5 * Math.sqrt(expected), `rank ${rank}: ${counts[rank]} vs ${expected}`);
    }
    assert.ok(counts[0] > counts[1] && counts[1] > counts[9] && counts[9] > counts[99]);
  });

  it('inverts the cumulative weights at the edges', () => {
    const cumulative = zipfianCumulative(4, 1);
    assert.equal(cumulative[3], 1);
    assert.equal(rankAt(cumulative, 0), 0);
    assert.equal(rankAt(cumulative, 0.999999), 3);
    assert.equal(rankAt(cumulative, cumulative[0]), 1, 'a draw equal to a cumulative weight belongs to the next rank');
    assert.throws(() => new ZipfianGenerator(0, new Prng(1)), /zipfian over 0 items/);
  });
});

describe('YCSB calls', () => {
  it('mixes reads and updates 50/50 (A) and 95/5 (B), over the loaded keys, with 64-byte values', () => {
    for (const [workload, reads] of [['ycsb-a', 0.5], ['ycsb-b', 0.95]] as const) {
      const calls = ycsbCalls(workload, 3, 'c0', 20_000);
      const share = calls.filter((call) => call.op === 'get').length / calls.length;
      assert.ok(Math.abs(share - reads) < 0.02, `${workload}: ${share}`);
      for (const call of calls) {
        assert.match(call.key, /^k\d+$/);
        assert.ok(Number(call.key.slice(1)) < ycsbKeyCount);
        assert.equal(call.value.length, call.op === 'put' ? ycsbValueBytes : 0);
      }
    }
    assert.deepEqual(ycsbCalls('ycsb-a', 3, 'c0', 50), ycsbCalls('ycsb-a', 3, 'c0', 50));
    const load = ycsbLoadCalls();
    assert.equal(new Set(load.map((call) => call.key)).size, ycsbKeyCount);
  });

  it('plans per trial each workload with 1 and 16 clients', () => {
    const plan = phasePlan(2, ['ycsb-a', 'ycsb-b'], { sequential: 10, perConcurrentClient: 3, warmup: 1 });
    assert.deepEqual(
      plan.map((spec) => `${spec.trial}/${spec.workload}/${spec.clients}x${spec.calls}`),
      ['0/ycsb-a/1x10', '0/ycsb-a/16x3', '0/ycsb-b/1x10', '0/ycsb-b/16x3', '1/ycsb-a/1x10', '1/ycsb-a/16x3', '1/ycsb-b/1x10', '1/ycsb-b/16x3'],
    );
  });

  it('rotates the systems between trials', () => {
    assert.deepEqual([0, 1, 2].map((trial) => trialOrder(4, trial)), [
      [0, 1, 2, 3],
      [1, 2, 3, 0],
      [2, 3, 0, 1],
    ]);
  });

  it('frames a call to the leader and back', () => {
    assert.deepEqual(decodeCall(encodeCall(2, 123456, 'k42', 'é'.repeat(5))), { kind: 2, id: 123456, key: 'k42', value: 'é'.repeat(5) });
    assert.deepEqual(decodeCall(encodeCall(4, 1)), { kind: 4, id: 1, key: '', value: '' });
  });
});

function phase(trial: number, clients: number, getUs: number[], putUs: number[], seconds: number): PhaseSamples {
  return { trial, workload: 'ycsb-a', clients, calls: getUs.length + putUs.length, getUs, putUs, seconds };
}

function run(system: string, variant: string, scale: number) {
  // Two trials of 1 client: trial 0 gets 1..5 / puts 6..10, trial 1 the same shifted by 10, all times `scale`.
  const numbers = (from: number) => Array.from({ length: 5 }, (_, i) => (from + i) * scale);
  return { system, variant, note: '', phases: [phase(0, 1, numbers(1), numbers(6), 0.01), phase(1, 1, numbers(11), numbers(16), 0.02)] };
}

describe('bench peers figures (pure)', () => {
  it('pools the trials of a row, keeps the spread between them, and the CDF', () => {
    const [row] = peerRows(run('mu-kv', 'no fsync', 1), 2);
    assert.equal(row.samples, 20);
    assert.equal(row.p50Us, 10);
    assert.equal(row.p99Us, 20);
    assert.equal(row.perSecond, Math.round(20 / 0.03));
    assert.deepEqual(row.trialP50Us, { min: 5, max: 15 });
    assert.deepEqual(row.trialPerSecond, { min: 500, max: 1000 });
    assert.equal(row.p50VsFloor, 5);
    assert.deepEqual(row.ops.get, { count: 10, p50Us: 5, p99Us: 15 });
    assert.deepEqual(row.ops.put, { count: 10, p50Us: 10, p99Us: 20 });
    assert.equal(row.percentilesUs.length, 101);
    assert.equal(row.percentilesUs[50], row.p50Us);
    assert.equal(row.protocol, null, 'no counters: no protocol figures');
    const counted = { ...phase(0, 1, [1], [2], 1), counters: { getCalls: 4, getRoundTrips: 6, getCacheHits: 3, putCalls: 1, putRoundTrips: 3, putCacheHits: 0 } };
    assert.deepEqual(protocolFigures([counted]), { getRoundTrips: 1.5, putRoundTrips: 3, keyCacheHits: 0.6 });
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2);
  });

  it('divides a by b for each pair the issue names, per op and over all calls', () => {
    const rows: PeerRow[] = [...peerRows(run('mu-kv', 'no fsync', 1), 1), ...peerRows(run('etcd', 'no fsync', 20), 1), ...peerRows(run('multi-paxos-kv', 'no fsync', 2), 1)];
    const ratios = peerRatios(rows);
    assert.deepEqual([...new Set(ratios.map((one) => one.name))], ['Mu/etcd, no fsync', 'Mu/Multi-Paxos']);
    const muEtcd = ratios.find((one) => one.name === 'Mu/etcd, no fsync' && one.op === 'put');
    assert.deepEqual({ p50: muEtcd?.p50, p99: muEtcd?.p99, throughput: muEtcd?.throughput }, { p50: 0.05, p99: 0.05, throughput: 1 });
    assert.equal(ratios.find((one) => one.name === 'Mu/Multi-Paxos' && one.op === 'all')?.p50, 0.5);
  });

  it('judges the three targets, and says what is missing', () => {
    const rows = [
      ...peerRows(run('mu-kv', 'no fsync', 1), 1),
      ...peerRows(run('etcd', 'no fsync', 10), 1),
      ...peerRows(run('mu-kv', 'fsync', 10), 1),
      ...peerRows(run('etcd', 'fsync', 9), 1),
      ...peerRows(run('swarm-kv', 'm2 crashed', 3), 1),
      ...peerRows(run('redis', 'no persistence', 2), 1),
    ];
    const targets = peerTargets(rows);
    assert.deepEqual(
      targets.map((target) => [target.measured, target.met]),
      [
        [10, true],
        [1.5, true],
        [0.9, false],
      ],
    );
    const without = peerTargets(rows.filter((row) => row.system !== 'etcd'));
    assert.deepEqual(without.map((target) => target.met), [false, true, false]);
    assert.equal(without[0].measured, null);
    assert.match(without[0].detail, /not measured: no etcd no fsync row/);
  });
});

const missing = [etcdBinary().missing, redisBinary().missing].filter((why): why is string => why !== undefined);

describe('mnm bench peers --quick --json', () => {
  it('runs every system it can, with the same workload, and reports rows, ratios, targets and the skipped peers', async () => {
    if (missing.length > 0) process.stderr.write(`bench peers test: etcd/redis parts skipped: ${missing.join('; ')}\n`);
    const stderr: string[] = [];
    const result = await peersBench.run({ quick: true, quiet: true }, { stdout: () => {}, stderr: (text) => stderr.push(text), stderrIsTerminal: false });
    assert.deepEqual(stderr, [], 'quiet: no progress');
    const json = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
    const rows = json.rows as PeerRow[];
    const systems = [
      ...(etcdBinary().missing ? [] : ['etcd fsync', 'etcd no fsync']),
      ...(redisBinary().missing ? [] : ['redis no persistence', 'redis appendfsync always']),
      'mu-kv no fsync',
      'mu-kv fsync',
      'multi-paxos-kv no fsync',
      'swarm-kv 3 memories',
      'swarm-kv m2 crashed',
    ];
    assert.deepEqual([...new Set(rows.map((row) => `${row.system} ${row.variant}`))], systems);
    assert.equal(rows.length, systems.length * 4, 'each system: ycsb-a and ycsb-b, 1 and 16 clients');
    for (const row of rows) {
      const name = `${row.system} ${row.variant} ${row.workload} ${row.clients}`;
      assert.ok(row.p50Us > 0 && row.p50Us <= row.p99Us, `${name}: 0 < p50 <= p99`);
      assert.ok(row.perSecond > 0 && row.p50VsFloor > 0 && row.samples > 0, name);
      assert.ok(row.trialP50Us.min <= row.p50Us * 10 && row.trialP50Us.min <= row.trialP50Us.max, name);
      assert.equal(row.percentilesUs.length, 101);
      assert.ok(row.ops.get !== null || row.ops.put !== null);
      if (row.system === 'swarm-kv') assert.ok((row.protocol?.getRoundTrips ?? 0) >= 1 && (row.protocol?.keyCacheHits ?? -1) >= 0, `${name}: SWARM-KV's round trips and key cache hits`);
      else assert.equal(row.protocol, null);
    }
    assert.equal(json.trials, 2);
    assert.ok((json.machine as { cores: number }).cores >= 1);
    assert.ok((json.floor as { p50Us: number }).p50Us > 0);
    const ratios = json.ratios as { name: string; p50: number | null; p99: number | null; throughput: number | null }[];
    const names = new Set(ratios.map((one) => one.name));
    assert.ok(names.has('Mu/Multi-Paxos'));
    if (!etcdBinary().missing) assert.ok(names.has('Mu/etcd, no fsync') && names.has('Mu/etcd, fsync'));
    if (!redisBinary().missing) assert.ok(names.has('SWARM-KV/Redis') && names.has('SWARM-KV (m2 crashed)/Redis'));
    const targets = json.targets as { name: string; target: string; measured: number | null; met: boolean }[];
    assert.equal(targets.length, 3);
    assert.equal(targets[0].measured === null, Boolean(etcdBinary().missing));
    assert.equal(targets[1].measured === null, Boolean(redisBinary().missing));
    assert.deepEqual(json.skipped, missing.map((why) => `${why.startsWith('etcd') ? 'etcd' : 'redis'} rows skipped: ${why}`));
    const text = peersBench.summarize(result);
    for (const system of systems) assert.ok(text.includes(system), system);
    assert.match(text, /targets:/);
    assert.match(text, /fairness:/);
  });
});

describe('bench peers charts', () => {
  it('draws a CDF per (workload, clients), throughput bars and the ratios, naming every system', async () => {
    const rows = [...peerRows(run('mu-kv', 'no fsync', 1), 2), ...peerRows(run('etcd', 'no fsync', 4), 2), ...peerRows(run('redis', 'no persistence', 1), 2)];
    const charts = peersCharts({ rows, ratios: peerRatios(rows), machine: { cores: 2 } });
    assert.deepEqual(charts.map((chart) => chart.name), ['cdf-ycsb-a-1', 'throughput', 'ratios']);
    const cdf = await renderSvg(charts[0].spec);
    for (const name of ['mu-kv, no fsync', 'etcd, no fsync', 'redis, no persistence']) assert.ok(cdf.includes(name), `${name} in the CDF`);
    assert.ok((await renderSvg(charts[2].spec)).includes('Mu/etcd'), 'the Mu/etcd ratio is drawn');
    assert.deepEqual(peersCharts({ rows: [], ratios: [] }), [], 'nothing measured: no chart');
  });
});
