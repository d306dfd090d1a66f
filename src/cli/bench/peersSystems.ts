import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdCluster } from '../../peers/etcdCluster.js';
import { RedisServer, type RedisPersistence } from '../../peers/redisServer.js';
import type { RealRunConfig } from '../../realtime/realRun.js';
import { realDelayMicroseconds } from '../../scenarios/realRunner.js';
import { latencyModel } from '../../sim/latency.js';
import { runTcp } from '../../tcp/runTcp.js';
import { logEntriesFor, logKvRegions, logReplicas, swarmBenchRegions, type LogKvArgs, type SwarmKvArgs } from './peersBodies.js';
import { concurrentClients, runPlan, type PhaseCounts, type PhaseSamples, type PhaseSpec } from './ycsbDriver.js';

/**
 * The systems of `mnm bench peers`, each started, driven through the whole
 * plan (ycsbDriver.ts: load, warm-up, every trial's phases) and stopped:
 * etcd and Redis from this process, mnm's stores on the tcp backend from a
 * client OS process of the run (peersBodies.ts). Each resolves with the
 * phases' samples and a note saying what exactly ran.
 */
export interface SystemRun {
  readonly system: string;
  readonly variant: string;
  readonly note: string;
  readonly phases: readonly PhaseSamples[];
}

/** The seed of every client stream (the same calls for every system). */
export const workloadSeed = 17;
const tcpUnitMicroseconds = realDelayMicroseconds.tcp;

export async function etcdRun(fsync: boolean, plan: readonly PhaseSpec[], counts: PhaseCounts): Promise<SystemRun> {
  const cluster = await EtcdCluster.start({ fsync });
  try {
    const leader = await cluster.leader();
    const clients = Array.from({ length: concurrentClients }, () => cluster.client(leader));
    try {
      const phases = await runPlan(clients, plan, counts, workloadSeed);
      return { system: 'etcd', variant: fsync ? 'fsync' : 'no fsync', note: `3 members, JSON gateway (HTTP/1.1 keep-alive, one connection per client) to the leader; linearizable reads; ${cluster.fsyncNote}`, phases };
    } finally {
      for (const client of clients) client.close();
    }
  } finally {
    await cluster.stop();
  }
}

export async function redisRun(persistence: RedisPersistence, plan: readonly PhaseSpec[], counts: PhaseCounts): Promise<SystemRun> {
  const server = await RedisServer.start(persistence);
  try {
    const clients = await Promise.all(Array.from({ length: concurrentClients }, () => server.client()));
    try {
      const phases = await runPlan(clients.map((client) => ({ get: (key: string) => client.get(key), put: (key: string, value: string) => client.set(key, value) })), plan, counts, workloadSeed);
      return { system: 'redis', variant: persistence === 'none' ? 'no persistence' : 'appendfsync always', note: persistence === 'none' ? "unreplicated, --save '' --appendonly no; one connection per client" : 'unreplicated, AOF fsynced before each reply; one connection per client', phases };
    } finally {
      for (const client of clients) client.close();
    }
  } finally {
    await server.stop();
  }
}

async function tcpRun(config: RealRunConfig & { colocatedMemories?: boolean }, clientProcess: number, what: string): Promise<PhaseSamples[]> {
  const outcome = await runTcp(config);
  if (outcome.errors.length > 0 || outcome.end !== 'done') throw new Error(`bench peers: ${what}: ${outcome.errors[0]?.message ?? `${outcome.end} (unfinished: ${outcome.unfinished.map((p) => `p${p}`).join(', ')})`}`);
  return outcome.results[clientProcess] as PhaseSamples[];
}

/** A bound for a wedged run, far above a healthy one (the full bench's tcp runs take 7–15 s at load 10): 2 min plus 20 ms per call. */
export function deadlineFor(plan: readonly PhaseSpec[]): number {
  return 120_000 + 20 * plan.reduce((sum, spec) => sum + spec.clients * spec.calls, 0);
}

/** The replicated store on Mu's log or Multi-Paxos's: 3 replicas p0..p2 and the client process p3 (peersBodies.ts). */
export async function logKvRun(log: 'mu' | 'multi-paxos', fsync: boolean, plan: readonly PhaseSpec[], counts: PhaseCounts): Promise<SystemRun> {
  const directory = fsync ? mkdtempSync(join(tmpdir(), 'mnm-peers-kvlog-')) : undefined;
  try {
    const args: LogKvArgs = { log, entries: logEntriesFor(plan, counts), plan, counts, seed: workloadSeed, unitMicroseconds: tcpUnitMicroseconds, ...(directory ? { fsyncDirectory: directory } : {}) };
    const mu = log === 'mu';
    const phases = await tcpRun(
      {
        processCount: logReplicas + 1,
        memoryCount: mu ? logReplicas : 0,
        regions: logKvRegions(args),
        body: { module: new URL('./peersBodies.js', import.meta.url).href, export: 'logKvBody', args },
        seed: 1,
        unitMicroseconds: tcpUnitMicroseconds,
        deadlineMilliseconds: deadlineFor(plan),
        colocatedMemories: mu,
      },
      logReplicas,
      `${log} KV`,
    );
    const base = mu ? "3 replicas, replica i's log in memory mi served by its own OS process" : '3 replicas, messages only';
    const persisted = fsync ? `; each replica writes its applied log to a file with fdatasync before answering (${directory})` : '; in memory only';
    return { system: mu ? 'mu-kv' : 'multi-paxos-kv', variant: fsync ? 'fsync' : 'no fsync', note: `mnm tcp backend: ${base}; client process p3 sends each call to the leader p0 over the fabric; reads through the log${persisted}`, phases };
  } finally {
    if (directory) rmSync(directory, { recursive: true, force: true });
  }
}

/** SWARM-KV on 2f+1 = 3 memory nodes, the client process p0 holding 16 clients; `crashed`: memory m2 down from the start. */
export async function swarmKvRun(crashed: boolean, plan: readonly PhaseSpec[], counts: PhaseCounts): Promise<SystemRun> {
  // The scenario's typical round trip on tcp: two one-way delays of the `unit` model (swarm bench's runs).
  const args: SwarmKvArgs = { plan, counts, seed: workloadSeed, roundTrip: 2 * latencyModel('unit').mean };
  const phases = await tcpRun(
    {
      processCount: 1,
      memoryCount: 3,
      regions: swarmBenchRegions(),
      body: { module: new URL('./peersBodies.js', import.meta.url).href, export: 'swarmKvBody', args },
      seed: 1,
      unitMicroseconds: tcpUnitMicroseconds,
      deadlineMilliseconds: deadlineFor(plan),
      ...(crashed ? { crashedMemories: [2] } : {}),
    },
    0,
    `SWARM-KV${crashed ? ', m2 crashed' : ''}`,
  );
  return { system: 'swarm-kv', variant: crashed ? 'm2 crashed' : '3 memories', note: `mnm tcp backend: Safe-Guess registers on 3 memory nodes (own OS processes), 16 clients in one client process${crashed ? '; memory node m2 crashed from the start (f = 1 tolerated)' : ''}; no replica process: clients read and write the memories`, phases };
}
