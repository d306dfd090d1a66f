import { ycsbCalls, ycsbLoadCalls, type YcsbCall, type YcsbWorkloadName } from './ycsbWorkload.js';

/**
 * Drives the YCSB calls (ycsbWorkload.ts) against any key-value client and
 * times each call: the one driver of `mnm bench peers`, run in the bench's
 * own process for etcd and Redis and inside the client OS process of a tcp
 * run for mnm's stores, so every system gets the same calls, timed the
 * same way (from the call to its answer, on the monotonic clock).
 *
 * A phase runs `clients` lanes at once, each one client making its calls
 * one after another (a closed loop, as YCSB's threads): 1 lane is the
 * sequential client, 16 lanes the concurrent clients.
 */
export interface KvClientLike {
  get(key: string): Promise<unknown>;
  put(key: string, value: string): Promise<unknown>;
}

/** One measured phase of a plan. */
export interface PhaseSpec {
  readonly trial: number;
  readonly workload: YcsbWorkloadName;
  readonly clients: number;
  /** Calls per client. */
  readonly calls: number;
}

/** What a phase measured: per operation kind, each call's latency (µs); the phase's wall time. */
export interface PhaseSamples extends PhaseSpec {
  readonly getUs: number[];
  readonly putUs: number[];
  readonly seconds: number;
  /** Counts a system's own observer kept during the phase (SWARM-KV: round trips and key cache hits), summed over its calls. */
  readonly counters?: Readonly<Record<string, number>>;
}

/** Counts kept by a system's clients (e.g. the protocol's round trips per call): zeroed before a phase, read after it. */
export interface PhaseObserver {
  reset(): void;
  counters(): Record<string, number>;
}

export interface PhaseCounts {
  /** Calls of the sequential client per phase. */
  readonly sequential: number;
  /** Calls per client with `concurrentClients` clients. */
  readonly perConcurrentClient: number;
  /** Calls before any measured phase (16 clients, YCSB-A), not measured: JIT, connections, the servers' first allocations. */
  readonly warmup: number;
  /** Calls of one client alone after the concurrent warm-up, not measured. */
  readonly sequentialWarmup?: number;
}

export const concurrentClients = 16;
export const clientCounts: readonly number[] = [1, concurrentClients];

const microseconds = (): number => Number(globalThis.process.hrtime.bigint()) / 1000;

/** The phases of `trials` trials (pure): per trial, each workload with 1 then 16 clients. */
export function phasePlan(trials: number, workloads: readonly YcsbWorkloadName[], counts: PhaseCounts): PhaseSpec[] {
  const plan: PhaseSpec[] = [];
  for (let trial = 0; trial < trials; trial++) {
    for (const workload of workloads) {
      for (const clients of clientCounts) plan.push({ trial, workload, clients, calls: clients === 1 ? counts.sequential : counts.perConcurrentClient });
    }
  }
  return plan;
}

async function call(client: KvClientLike, next: YcsbCall): Promise<unknown> {
  return next.op === 'get' ? client.get(next.key) : client.put(next.key, next.value);
}

/** Runs one phase: lane i on `clients[i]`, its calls from stream `t<trial>.c<i>` of `seed`. */
export async function runPhase(clients: readonly KvClientLike[], spec: PhaseSpec, seed: number): Promise<PhaseSamples> {
  if (clients.length < spec.clients) throw new RangeError(`phase with ${spec.clients} clients, ${clients.length} given`);
  const lanes = Array.from({ length: spec.clients }, (_, lane) => ycsbCalls(spec.workload, seed, `t${spec.trial}.c${lane}`, spec.calls));
  const getUs: number[] = [];
  const putUs: number[] = [];
  const started = microseconds();
  await Promise.all(
    lanes.map(async (calls, lane) => {
      const client = clients[lane];
      for (const next of calls) {
        const before = microseconds();
        await call(client, next);
        (next.op === 'get' ? getUs : putUs).push(microseconds() - before);
      }
    }),
  );
  return { ...spec, getUs, putUs, seconds: (microseconds() - started) / 1e6 };
}

/** The load phase (every key put once, spread over the clients), then `warmup` calls per client, then `sequentialWarmup` calls of the first client alone: nothing measured. */
export async function loadAndWarm(clients: readonly KvClientLike[], warmup: number, seed: number, sequentialWarmup = 0): Promise<void> {
  const load = ycsbLoadCalls();
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < load.length) await call(client, load[next++]);
    }),
  );
  await Promise.all(
    clients.map(async (client, lane) => {
      for (const one of ycsbCalls('ycsb-a', seed, `warmup.c${lane}`, warmup)) await call(client, one);
    }),
  );
  // And one client alone, as the sequential phases run: measured, the first sequential phase after a start was twice
  // as slow as the next ones (Mu, Multi-Paxos and SWARM-KV on tcp) with only the concurrent warm-up above.
  for (const one of ycsbCalls('ycsb-a', seed, 'warmup.sequential', sequentialWarmup)) await call(clients[0], one);
}

/** Load, warm up, then every phase of `plan` in order. */
export async function runPlan(clients: readonly KvClientLike[], plan: readonly PhaseSpec[], counts: PhaseCounts, seed: number, observer?: PhaseObserver): Promise<PhaseSamples[]> {
  await loadAndWarm(clients, counts.warmup, seed, counts.sequentialWarmup ?? 0);
  const results: PhaseSamples[] = [];
  for (const spec of plan) {
    observer?.reset();
    const samples = await runPhase(clients, spec, seed);
    results.push(observer ? { ...samples, counters: observer.counters() } : samples);
  }
  return results;
}
