import { peersCharts } from './charts/peersCharts.js';
import { cpus, loadavg } from 'node:os';
import { binaryVersion, etcdBinary, redisBinary } from '../../peers/binaries.js';
import { pingPong } from './backends.js';
import { round } from './latencyFigures.js';
import { peerRatios, peerRows, peerTargets, type PeerRatio, type PeerRow, type PeerTarget } from './peersFigures.js';
import { etcdRun, logKvRun, redisRun, swarmKvRun, workloadSeed, type SystemRun } from './peersSystems.js';
import type { BenchSuite } from './suite.js';
import { concurrentClients, phasePlan, type PhaseCounts, type PhaseSpec } from './ycsbDriver.js';
import { ycsbKeyCount, ycsbTheta, ycsbValueBytes, ycsbWorkloads } from './ycsbWorkload.js';

/**
 * `mnm bench peers`: mnm's key-value stores on the tcp backend against etcd
 * and Redis on the same machine, in one run, with the same client workload
 * (issue 17; docs/peers.md). Every system runs the same plan
 * (ycsbDriver.ts): the load of 1,000 keys, a warm-up, then per trial
 * YCSB-A and YCSB-B (zipfian keys, θ 0.99, 64-byte values) with a
 * sequential client and with 16 concurrent clients, timed from a client
 * process (this one for etcd and Redis, the run's client OS process for
 * mnm's stores). Rows, ratios (Mu/etcd, SWARM-KV/Redis, Mu/Multi-Paxos),
 * the issue's three targets, the spread between trials, and each p50 as a
 * multiple of a TCP ping-pong floor measured in the same run. A missing
 * binary skips its rows with one line; mnm's rows always run.
 */
/** The systems' order in trial `trial` (pure): 0..n−1 rotated by `trial`. */
export function trialOrder(systems: number, trial: number): number[] {
  return Array.from({ length: systems }, (_, index) => (index + trial) % systems);
}

function countsOf(quick: boolean): { trials: number; counts: PhaseCounts } {
  return quick ? { trials: 2, counts: { sequential: 150, perConcurrentClient: 20, warmup: 10, sequentialWarmup: 100 } } : { trials: 3, counts: { sequential: 1000, perConcurrentClient: 100, warmup: 30, sequentialWarmup: 500 } };
}

export const fairnessNotes: readonly string[] = [
  'etcd persists (fsync of its WAL at a majority before it answers) unless run without fsync; mnm stores keep their state in memory by default: compare "mu-kv no fsync" with "etcd no fsync", and "mu-kv fsync" with "etcd fsync".',
  "mu-kv fsync writes each replica's applied log to a local file with fdatasync, and the leader answers once its own write is durable (one fdatasync per batch; followers are not waited for), where etcd waits for a majority's WAL fsync; but it writes every applied entry, gets included (reads go through the log), where etcd's reads write nothing.",
  'Redis does not replicate: one server, one copy. SWARM-KV keeps 2f+1 = 3 copies and, in the "m2 crashed" pass, still answers with one memory node down.',
  'etcd and Redis are driven from the bench process over their own protocols (HTTP/JSON gateway, RESP); mnm stores from a client OS process of the tcp run over mnm\'s fabric (length-prefixed frames on TCP). All reads are linearizable except Redis\'s (unreplicated, trivially so): etcd reads go through Raft (ReadIndex), mnm\'s replicated-log reads through the log, SWARM-KV reads the registers at a majority of memories.',
  'Same machine for everything: the servers, the replicas and the clients share its cores (see machine.cores and loadAverage).',
];

export const peersBench: BenchSuite = {
  name: 'peers',
  charts: peersCharts,
  summary: 'mnm KV stores on tcp (Mu, Mu+fsync, Multi-Paxos, SWARM-KV, SWARM-KV with a crashed memory) vs etcd and Redis: YCSB-A/B, 1 and 16 clients, ratios and targets',
  async run(options, io) {
    const started = Date.now();
    const loadBefore = loadavg().map(round);
    const { trials, counts } = countsOf(options.quick);
    const plan = phasePlan(trials, ycsbWorkloads, counts);
    const progress = (text: string) => {
      if (!options.quiet) io.stderr(`bench peers: ${text}\n`);
    };
    const skipped: string[] = [];
    const etcdMissing = etcdBinary().missing;
    const redisMissing = redisBinary().missing;
    if (etcdMissing !== undefined) skipped.push(`etcd rows skipped: ${etcdMissing}`);
    if (redisMissing !== undefined) skipped.push(`redis rows skipped: ${redisMissing}`);
    for (const line of skipped) if (!options.quiet) io.stderr(`bench peers: ${line}\n`);
    progress('floor: loopback TCP ping-pong');
    const floor = await pingPong(options.quick ? 1000 : 5000);
    const systems: { label: string; run: (trialPlan: readonly PhaseSpec[]) => Promise<SystemRun> }[] = [
      ...(etcdMissing === undefined ? [true, false].map((fsync) => ({ label: `etcd, ${fsync ? 'fsync' : 'no fsync'}`, run: (trialPlan: readonly PhaseSpec[]) => etcdRun(fsync, trialPlan, counts) })) : []),
      ...(redisMissing === undefined ? (['none', 'always'] as const).map((persistence) => ({ label: `redis, persistence ${persistence}`, run: (trialPlan: readonly PhaseSpec[]) => redisRun(persistence, trialPlan, counts) })) : []),
      { label: 'Mu KV on tcp', run: (trialPlan) => logKvRun('mu', false, trialPlan, counts) },
      { label: 'Mu KV on tcp, log fsynced', run: (trialPlan) => logKvRun('mu', true, trialPlan, counts) },
      { label: 'KV on Multi-Paxos on tcp', run: (trialPlan) => logKvRun('multi-paxos', false, trialPlan, counts) },
      { label: 'SWARM-KV on tcp', run: (trialPlan) => swarmKvRun(false, trialPlan, counts) },
      { label: 'SWARM-KV on tcp, m2 crashed', run: (trialPlan) => swarmKvRun(true, trialPlan, counts) },
    ];
    // Full form: trials outermost, each system started afresh in each, in an order rotated per trial, so that a load
    // changing over the run (other jobs on the machine) falls on every system alike and the spread between trials
    // includes restarts. --quick starts each system once for all its trials (starts are most of its time).
    const runs = new Map<number, SystemRun>();
    const seconds: Record<string, number> = {};
    const rounds = options.quick ? [plan] : Array.from({ length: trials }, (_, trial) => plan.filter((spec) => spec.trial === trial));
    for (const [pass, trialPlan] of rounds.entries()) {
      for (const index of trialOrder(systems.length, pass)) {
        const system = systems[index];
        progress(options.quick ? system.label : `trial ${pass + 1}/${trials}: ${system.label}`);
        const before = Date.now();
        const run = await system.run(trialPlan);
        const name = `${run.system} ${run.variant}`;
        seconds[name] = round((seconds[name] ?? 0) + (Date.now() - before) / 1000);
        const earlier = runs.get(index);
        runs.set(index, earlier ? { ...run, phases: [...earlier.phases, ...run.phases] } : run);
      }
    }
    const rows: PeerRow[] = [...runs.entries()].sort(([a], [b]) => a - b).flatMap(([, run]) => peerRows(run, floor.p50));
    return {
      machine: { cores: cpus().length, loadAverageBefore: loadBefore, loadAverageAfter: loadavg().map(round) },
      workload: { keys: ycsbKeyCount, valueBytes: ycsbValueBytes, zipfianTheta: ycsbTheta, workloads: ycsbWorkloads, clients: [1, concurrentClients], seed: workloadSeed },
      trials,
      trialsRestart: !options.quick,
      counts,
      versions: { etcd: binaryVersion(etcdBinary()) ?? null, redis: binaryVersion(redisBinary()) ?? null },
      floor: { what: '64-byte loopback TCP ping-pong (child echo server)', p50Us: round(floor.p50), p99Us: round(floor.p99), perSecond: floor.perSecond },
      rows,
      ratios: peerRatios(rows),
      targets: peerTargets(rows),
      fairness: fairnessNotes,
      skipped,
      seconds: { total: round((Date.now() - started) / 1000), bySystem: seconds },
    };
  },
  summarize(result) {
    const rows = result.rows as PeerRow[];
    const ratios = result.ratios as PeerRatio[];
    const targets = result.targets as PeerTarget[];
    const floor = result.floor as { what: string; p50Us: number; p99Us: number; perSecond: number };
    const machine = result.machine as { cores: number; loadAverageBefore: number[] };
    const counts = result.counts as PhaseCounts;
    const versions = result.versions as { etcd: string | null; redis: string | null };
    const seconds = result.seconds as { total: number };
    const x = (value: number | null) => (value === null ? '-' : `${value}x`);
    const op = (figures: { p50Us: number } | null) => (figures === null ? '-' : String(figures.p50Us));
    return [
      `${machine.cores} cores (load average ${machine.loadAverageBefore.join(' ')} at the start); ${result.trials} trials; ${ycsbKeyCount} keys loaded, zipfian θ ${ycsbTheta}, ${ycsbValueBytes}-byte values; per trial and workload ${counts.sequential} calls of 1 client, ${counts.perConcurrentClient} of each of ${concurrentClients} clients (etcd ${versions.etcd ?? '-'}, redis ${versions.redis ?? '-'}).`,
      `floor: ${floor.what}: p50 ${floor.p50Us} µs, p99 ${floor.p99Us} µs`,
      `  ${'system'.padEnd(30)} ${'workload'.padEnd(8)} ${'cl'.padStart(2)}  ${'p50 µs'.padStart(8)} ${'x floor'.padStart(8)} ${'p99 µs'.padStart(9)} ${'get p50'.padStart(8)} ${'put p50'.padStart(8)} ${'calls/s'.padStart(8)}  trial p50 min-max`,
      ...rows.map(
        (row) =>
          `  ${`${row.system} ${row.variant}`.padEnd(30)} ${row.workload.padEnd(8)} ${String(row.clients).padStart(2)}  ${String(row.p50Us).padStart(8)} ${x(row.p50VsFloor).padStart(8)} ${String(row.p99Us).padStart(9)} ${op(row.ops.get).padStart(8)} ${op(row.ops.put).padStart(8)} ${String(row.perSecond).padStart(8)}  ${row.trialP50Us.min}-${row.trialP50Us.max}${row.protocol ? `  (round trips get ${row.protocol.getRoundTrips ?? '-'}, put ${row.protocol.putRoundTrips ?? '-'}; key cache hits ${row.protocol.keyCacheHits ?? '-'})` : ''}`,
      ),
      'ratios (a/b: p50 and p99 below 1 and throughput above 1 mean a is ahead):',
      ...ratios
        .filter((one) => one.op === 'all')
        .map((one) => {
          const byOp = (kind: 'get' | 'put') => ratios.find((other) => other.name === one.name && other.workload === one.workload && other.clients === one.clients && other.op === kind);
          return `  ${one.name.padEnd(28)} ${one.workload.padEnd(8)} ${String(one.clients).padStart(2)}  p50 ${x(one.p50).padStart(7)} (get ${x(byOp('get')?.p50 ?? null)}, put ${x(byOp('put')?.p50 ?? null)})  p99 ${x(one.p99).padStart(7)}  throughput ${x(one.throughput).padStart(7)}`;
        }),
      'targets:',
      ...targets.map((target) => `  ${target.name}: ${target.measured === null ? 'not measured' : `${target.measured}x`} (${target.target}) ${target.met ? 'met' : 'NOT met'}; ${target.detail}`),
      'fairness:',
      ...fairnessNotes.map((note) => `  - ${note}`),
      ...(result.skipped as string[]).map((why) => `skipped: ${why}`),
      `took ${seconds.total} s`,
    ].join('\n');
  },
};
