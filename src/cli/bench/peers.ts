import { binaryVersion, etcdBinary, redisBinary } from '../../peers/binaries.js';
import { EtcdCluster } from '../../peers/etcdCluster.js';
import { RedisServer, type RedisPersistence } from '../../peers/redisServer.js';
import { pingPong } from './backends.js';
import { latencyFigures, round, timesFloor, type LatencyFigures } from './latencyFigures.js';
import type { BenchSuite } from './suite.js';

/**
 * `mnm bench peers`: well-known stores on this machine as reference points
 * for mnm's replicated key-value stores (issue 17; docs/peers.md). From this
 * process, sequential puts (each awaited before the next) of 64-byte values:
 *
 * - etcd, 3 members on loopback, through its JSON gateway (HTTP/1.1
 *   keep-alive) to the leader, with fsync and without (see `fsyncNote`);
 * - Redis, unreplicated: no persistence, and `appendfsync always`.
 *
 * Each p50/p99 is also given as a multiple of the floor measured in the same
 * run: a bare 64-byte loopback TCP ping-pong to a child echo server
 * (`pingPong`, as `mnm bench backends`). The servers are started and stopped
 * (data removed) here; a missing binary skips its rows with one line.
 */
interface PeerRow {
  readonly system: 'etcd' | 'redis';
  readonly variant: string;
  readonly note: string;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly perSecond: number;
  readonly p50VsFloor: number;
  readonly p99VsFloor: number;
}

const valueBytes = 64;

function counts(quick: boolean): { warmup: number; measured: number; floor: number } {
  return quick ? { warmup: 50, measured: 300, floor: 500 } : { warmup: 500, measured: 5000, floor: 5000 };
}

const clock = (): number => Number(process.hrtime.bigint()) / 1000;

/** `warmup` puts not measured (JIT, connection, the server's first allocations), then `measured` timed one by one. */
async function sequentialPuts(put: (key: string, value: string) => Promise<void>, warmup: number, measured: number): Promise<LatencyFigures> {
  const value = 'v'.repeat(valueBytes);
  for (let i = 0; i < warmup; i++) await put(`warm-${i}`, value);
  const samples: number[] = [];
  const start = clock();
  for (let i = 0; i < measured; i++) {
    const before = clock();
    await put(`key-${i % 1000}`, value);
    samples.push(clock() - before);
  }
  return latencyFigures(samples, (clock() - start) / 1e6);
}

async function etcdRow(fsync: boolean, n: { warmup: number; measured: number }): Promise<Omit<PeerRow, 'p50VsFloor' | 'p99VsFloor'>> {
  const cluster = await EtcdCluster.start({ fsync });
  try {
    const client = cluster.client(await cluster.leader());
    try {
      const figures = await sequentialPuts((key, value) => client.put(key, value), n.warmup, n.measured);
      return { system: 'etcd', variant: fsync ? 'fsync' : 'no fsync', note: `3 members, JSON gateway to the leader; ${cluster.fsyncNote}`, p50Us: figures.p50, p99Us: figures.p99, perSecond: figures.perSecond };
    } finally {
      client.close();
    }
  } finally {
    await cluster.stop();
  }
}

async function redisRow(persistence: RedisPersistence, n: { warmup: number; measured: number }): Promise<Omit<PeerRow, 'p50VsFloor' | 'p99VsFloor'>> {
  const server = await RedisServer.start(persistence);
  try {
    const client = await server.client();
    try {
      const figures = await sequentialPuts((key, value) => client.set(key, value), n.warmup, n.measured);
      return { system: 'redis', variant: persistence === 'none' ? 'no persistence' : 'appendfsync always', note: persistence === 'none' ? "unreplicated, --save '' --appendonly no" : 'unreplicated, AOF fsynced before each reply', p50Us: figures.p50, p99Us: figures.p99, perSecond: figures.perSecond };
    } finally {
      client.close();
    }
  } finally {
    await server.stop();
  }
}

export const peersBench: BenchSuite = {
  name: 'peers',
  summary: 'etcd (3 members, fsync / no fsync) and Redis (no persistence / appendfsync always) on loopback: sequential put p50/p99 and rate vs a TCP ping-pong',
  async run(options, io) {
    const n = counts(options.quick);
    const progress = (text: string) => {
      if (!options.quiet) io.stderr(`bench peers: ${text}\n`);
    };
    const skipped: string[] = [];
    const etcdMissing = etcdBinary().missing;
    const redisMissing = redisBinary().missing;
    if (etcdMissing !== undefined) skipped.push(etcdMissing);
    if (redisMissing !== undefined) skipped.push(redisMissing);
    progress('floor: loopback TCP ping-pong');
    const floor = await pingPong(n.floor);
    const measured: Omit<PeerRow, 'p50VsFloor' | 'p99VsFloor'>[] = [];
    if (etcdMissing === undefined) {
      for (const fsync of [true, false]) {
        progress(`etcd, ${fsync ? 'fsync' : 'no fsync'}`);
        measured.push(await etcdRow(fsync, n));
      }
    }
    if (redisMissing === undefined) {
      for (const persistence of ['none', 'always'] as const) {
        progress(`redis, persistence ${persistence}`);
        measured.push(await redisRow(persistence, n));
      }
    }
    const rows: PeerRow[] = measured.map((row) => ({ ...row, p50VsFloor: timesFloor(row.p50Us, floor.p50), p99VsFloor: timesFloor(row.p99Us, floor.p99) }));
    return {
      counts: { warmup: n.warmup, measured: n.measured, valueBytes },
      versions: { etcd: binaryVersion(etcdBinary()) ?? null, redis: binaryVersion(redisBinary()) ?? null },
      floor: { what: '64-byte loopback TCP ping-pong (child echo server)', p50Us: round(floor.p50), p99Us: round(floor.p99), perSecond: floor.perSecond },
      rows,
      skipped,
    };
  },
  summarize(result) {
    const floor = result.floor as { what: string; p50Us: number; p99Us: number; perSecond: number };
    const rows = result.rows as PeerRow[];
    const skipped = result.skipped as string[];
    const n = result.counts as { warmup: number; measured: number; valueBytes: number };
    const versions = result.versions as { etcd: string | null; redis: string | null };
    return [
      `Sequential puts from this process, ${n.valueBytes}-byte values, ${n.measured} measured after ${n.warmup} not measured; latency as a multiple of the floor (etcd ${versions.etcd ?? '-'}, redis ${versions.redis ?? '-'}).`,
      `  floor: ${floor.what}: p50 ${floor.p50Us} µs, p99 ${floor.p99Us} µs, ${floor.perSecond}/s`,
      ...rows.map(
        (row) =>
          `  ${`${row.system} ${row.variant}`.padEnd(25)} p50 ${String(row.p50Us).padStart(9)} µs = ${`${row.p50VsFloor}x`.padStart(7)} floor;  p99 ${String(row.p99Us).padStart(9)} µs = ${`${row.p99VsFloor}x`.padStart(7)} floor;  ${String(row.perSecond).padStart(6)}/s  (${row.note})`,
      ),
      ...skipped.map((why) => `  skipped: ${why}`),
    ].join('\n');
  },
};
