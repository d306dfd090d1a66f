import { join } from 'node:path';
import type { Fabric, Message, ProcessId, RegionSpec } from '../../fabric/index.js';
import { logTimingFor } from '../../protocols/consensus/consensusLog.js';
import { MultiPaxosLog } from '../../protocols/consensus/multiPaxos.js';
import { MuLog, muLayoutOf } from '../../protocols/consensus/mu/muLog.js';
import { muRegions } from '../../protocols/consensus/mu/muLayout.js';
import { muTimingForBackend } from '../../protocols/consensus/mu/muTiming.js';
import type { ReplicatedLog } from '../../protocols/common/replicatedLog.js';
import { kvEntryCapacityFor } from '../../protocols/kv/kvCommand.js';
import { ReplicatedKv } from '../../protocols/kv/replicatedKv.js';
import { indexSize } from '../../protocols/swarm/keyIndex.js';
import { keyIndexRegionName } from '../../protocols/swarm/keyIndexClient.js';
import { swarmRegions } from '../../protocols/swarm/layout.js';
import { SwarmKv, swarmKvLayoutConfig, type SwarmKvLayout } from '../../protocols/swarm/swarmKv.js';
import { FsyncFileSink } from '../../realtime/fsyncSink.js';
import { steadyDetector } from './mu.js';
import { concurrentClients, runPlan, type KvClientLike, type PhaseCounts, type PhaseSamples, type PhaseSpec } from './ycsbDriver.js';
import { ycsbKey, ycsbKeyCount, ycsbValueBytes } from './ycsbWorkload.js';

/**
 * The bodies of `mnm bench peers`' tcp runs (peersSystems.ts starts them):
 * mnm's key-value stores on the tcp backend, driven by the same YCSB driver
 * (ycsbDriver.ts) as etcd and Redis, from a client OS process of its own.
 *
 * - `logKvBody`: the replicated store (protocols/kv/replicatedKv.ts) on
 *   Mu's log or on Multi-Paxos's. p0..p2 are the replicas (with Mu, replica
 *   i's log in memory mi, served by its own OS process); p3 is the client
 *   process: it runs no replica, and sends each call to the leader p0 in a
 *   fabric message, as a client of etcd sends it to its leader. p0's store
 *   appends the call to the log and answers once it applied it (reads go
 *   through the log too, as etcd's linearizable reads go through Raft).
 *   With `fsyncDirectory`, each replica writes its applied log to
 *   `p<i>.kvlog` with fdatasync before answering (FsyncFileSink).
 * - `swarmKvBody`: SWARM-KV's client is the protocol (it reads and writes
 *   the memory nodes itself), so the client process is p0, holding 16
 *   SWARM-KV clients (writer ids 0..15) on 2f+1 = 3 memory nodes.
 */
export const logReplicas = 3;
const keyBytes = ycsbKey(ycsbKeyCount - 1).length;
export const kvBenchCapacity = kvEntryCapacityFor(keyBytes, ycsbValueBytes);

export interface LogKvArgs {
  readonly log: 'mu' | 'multi-paxos';
  /** Log slots (Mu) or entries (Multi-Paxos): room for every call of the run (Mu's log does not wrap here). */
  readonly entries: number;
  readonly fsyncDirectory?: string;
  readonly plan: readonly PhaseSpec[];
  readonly counts: PhaseCounts;
  readonly seed: number;
  readonly unitMicroseconds: number;
}

/** Slots of the logs for a plan: the load, the warm-up, every call, and slack for no-ops. */
export function logEntriesFor(plan: readonly PhaseSpec[], counts: PhaseCounts): number {
  return ycsbKeyCount + concurrentClients * counts.warmup + plan.reduce((sum, spec) => sum + spec.clients * spec.calls, 0) + 1024;
}

export function logKvRegions(args: Pick<LogKvArgs, 'log' | 'entries'>): RegionSpec[] {
  return args.log === 'mu' ? muRegions(muLayoutOf({ capacity: kvBenchCapacity, slots: args.entries }), logReplicas) : [];
}

function openLog(fabric: Fabric, args: LogKvArgs): ReplicatedLog {
  // Mu's detector as `mnm bench mu`'s commit runs use it (a 50 ms beat): a stable leader's commit does not involve
  // it, and a sub-millisecond threshold on a loaded 2-core machine suspects the leader falsely several times a second.
  if (args.log === 'mu') return new MuLog(fabric, { capacity: kvBenchCapacity, slots: args.entries, window: concurrentClients, timing: muTimingForBackend('tcp', args.unitMicroseconds, steadyDetector) });
  // As `mnm bench backends` runs Multi-Paxos (logTargets.ts): decisions announced once per heartbeat, a heartbeat every
  // 20 delays and suspicion after 400 (a loaded 2-core machine deschedules a process for more than 20 delays).
  const timing = logTimingFor(1);
  return new MultiPaxosLog(fabric, { capacity: kvBenchCapacity, entries: args.entries, window: concurrentClients, timing: { ...timing, heartbeat: 20, suspectAfter: { ...timing.suspectAfter, base: 400 } }, announce: 'heartbeat' });
}

const kinds = { get: 1, put: 2, end: 3, reply: 4, failed: 5 } as const;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A call: kind, id (u32), key length (u8), key, value. */
export function encodeCall(kind: number, id: number, key = '', value = ''): Uint8Array {
  const keyBytes = encoder.encode(key);
  const valueBytes = encoder.encode(value);
  const bytes = new Uint8Array(6 + keyBytes.length + valueBytes.length);
  bytes[0] = kind;
  new DataView(bytes.buffer).setUint32(1, id, true);
  bytes[5] = keyBytes.length;
  bytes.set(keyBytes, 6);
  bytes.set(valueBytes, 6 + keyBytes.length);
  return bytes;
}

export function decodeCall(bytes: Uint8Array): { kind: number; id: number; key: string; value: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const keyLength = bytes[5];
  return { kind: bytes[0], id: view.getUint32(1, true), key: decoder.decode(bytes.subarray(6, 6 + keyLength)), value: decoder.decode(bytes.subarray(6 + keyLength)) };
}

/**
 * The fabric as the replicas' log sees it: `replicas` processes (the client
 * process beyond them is no replica), and only the replicas' messages; the
 * client's go to `onClient`. A plain object whose methods are the fabric's,
 * bound once (as muBodies.ts's `split`): nothing allocated per verb.
 */
function replicaView(fabric: Fabric, replicas: number, onClient: (message: Message) => void): Fabric {
  let logHandler: ((message: Message) => void) | undefined;
  fabric.onMessage((message) => {
    if (message.from >= replicas) onClient(message);
    else logHandler?.(message);
  });
  const view = Object.create(fabric) as Fabric;
  Object.defineProperty(view, 'processCount', { value: replicas });
  Object.defineProperty(view, 'onMessage', { value: (handler: (message: Message) => void) => (logHandler = handler) });
  for (let proto: object | null = fabric; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Reflect.ownKeys(proto)) {
      if (key === 'constructor' || Object.prototype.hasOwnProperty.call(view, key)) continue;
      const value = Reflect.get(fabric, key) as unknown;
      if (typeof value === 'function') Object.defineProperty(view, key, { value: (value as (...args: unknown[]) => unknown).bind(fabric), writable: true, configurable: true });
    }
  }
  return view;
}

export function logKvBody(raw: unknown, process: ProcessId): (fabric: Fabric) => Promise<unknown> {
  const args = raw as LogKvArgs;
  return process < logReplicas ? replicaBody(args) : clientBody(args);
}

function replicaBody(args: LogKvArgs): (fabric: Fabric) => Promise<unknown> {
  return async (fabric) => {
    let end: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (end = resolve));
    let store: ReplicatedKv | undefined;
    const early: Message[] = [];
    const serve = (message: Message) => {
      const call = decodeCall(message.data);
      if (call.kind === kinds.end) return end();
      if (store === undefined) return void early.push(message);
      const answer = (value: string) => fabric.send(message.from, encodeCall(kinds.reply, call.id, '', value));
      const failed = (error: unknown) => fabric.send(message.from, encodeCall(kinds.failed, call.id, '', (error as Error).message));
      if (call.kind === kinds.get) store.get(call.key).then(answer, failed);
      else store.put(call.key, call.value).then(() => answer(''), failed);
    };
    const view = replicaView(fabric, logReplicas, serve);
    const sink = args.fsyncDirectory === undefined ? undefined : await FsyncFileSink.open(join(args.fsyncDirectory, `p${fabric.self}.kvlog`));
    // Not recorded (calls run concurrently); a call not applied within 2 s is appended again (a leader change).
    store = new ReplicatedKv(view, openLog(view, args), { record: false, retryAfter: 2_000_000 / args.unitMicroseconds, ...(sink ? { sink } : {}) });
    for (const message of early.splice(0)) serve(message);
    await ended;
    const applied = store.applied;
    await store.close();
    await sink?.close();
    return { applied, sinkWrites: sink?.writes ?? 0 };
  };
}

/** A client lane of the client process: one call at a time, to the leader p0, in a fabric message. */
class RemoteKv implements KvClientLike {
  constructor(
    private readonly fabric: Fabric,
    private readonly waiting: Map<number, (reply: { kind: number; value: string }) => void>,
    private readonly ids: { next: number },
  ) {}

  get(key: string): Promise<string> {
    return this.send(kinds.get, key, '');
  }

  put(key: string, value: string): Promise<string> {
    return this.send(kinds.put, key, value);
  }

  private send(kind: number, key: string, value: string): Promise<string> {
    const id = this.ids.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) => (reply.kind === kinds.failed ? reject(new Error(`the leader p0: ${reply.value}`)) : resolve(reply.value)));
      this.fabric.send(0, encodeCall(kind, id, key, value));
    });
  }
}

function clientBody(args: LogKvArgs): (fabric: Fabric) => Promise<PhaseSamples[]> {
  return async (fabric) => {
    const waiting = new Map<number, (reply: { kind: number; value: string }) => void>();
    fabric.onMessage((message) => {
      const reply = decodeCall(message.data);
      const done = waiting.get(reply.id);
      waiting.delete(reply.id);
      done?.(reply);
    });
    const ids = { next: 1 };
    const clients = Array.from({ length: concurrentClients }, () => new RemoteKv(fabric, waiting, ids));
    try {
      return await runPlan(clients, args.plan, args.counts, args.seed);
    } finally {
      for (let replica = 0; replica < logReplicas; replica++) fabric.send(replica, encodeCall(kinds.end, 0));
    }
  };
}

export interface SwarmKvArgs {
  readonly plan: readonly PhaseSpec[];
  readonly counts: PhaseCounts;
  readonly seed: number;
  /** The deployment's typical round trip (time units), as the swarm-kv scenario gives it on tcp. */
  readonly roundTrip: number;
}

const swarmRegion = 'swarm-kv';

/** 2f+1 = 3 memories, 16 writers, the YCSB key space (k0..k999). */
export function swarmBenchLayout(): SwarmKvLayout {
  return { region: swarmRegion, memories: [0, 1, 2], f: 1, clients: concurrentClients, keyCount: ycsbKeyCount, valueMax: ycsbValueBytes };
}

/** SWARM-KV's regions with every writer's log owned by p0, the one client process (swarmKvRegions gives writer c to process c). */
export function swarmBenchRegions(): RegionSpec[] {
  const config = swarmKvLayoutConfig(swarmBenchLayout());
  return [...swarmRegions(config, () => 0), { name: keyIndexRegionName(config.region), size: indexSize(config.buckets), policy: 'open', memories: [...config.memories] }];
}

export function swarmKvBody(raw: unknown): (fabric: Fabric) => Promise<PhaseSamples[]> {
  const args = raw as SwarmKvArgs;
  return async (fabric) => {
    const stores = Array.from({ length: concurrentClients }, (_, client) => new SwarmKv(fabric, { ...swarmBenchLayout(), client, roundTrip: args.roundTrip, record: false }));
    // The index and the records' KEYs (SWARM-KV's load): one process, one connection per memory, so every client's
    // later verbs come after it there.
    await stores[0].load(Array.from({ length: ycsbKeyCount }, (_, rank) => ycsbKey(rank)));
    // Each call's round trips and key cache outcome, as the store reports them (`op-cost` in the swarm-kv scenario).
    const counters: Record<string, number> = {};
    const count = (name: string, by: number) => (counters[name] = (counters[name] ?? 0) + by);
    const observed = stores.map((store) => ({
      get: async (key: string) => {
        const value = await store.get(key);
        count('getCalls', 1);
        count('getRoundTrips', store.lastRoundTrips);
        count('getCacheHits', store.lastCacheHit ? 1 : 0);
        return value;
      },
      put: async (key: string, value: string) => {
        await store.put(key, value);
        count('putCalls', 1);
        count('putRoundTrips', store.lastRoundTrips);
        count('putCacheHits', store.lastCacheHit ? 1 : 0);
      },
    }));
    const observer = { reset: () => Object.keys(counters).forEach((name) => delete counters[name]), counters: () => ({ ...counters }) };
    return runPlan(observed, args.plan, args.counts, args.seed, observer);
  };
}
