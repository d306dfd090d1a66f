import type { Fabric, HistoryEvent, NoteEvent } from '../fabric/index.js';
import type { ReplicatedLog } from '../protocols/common/replicatedLog.js';
import { KvOutcomeUnknown, KvRejected } from '../protocols/kv/kvErrors.js';
import type { KvMutant } from '../protocols/kv/kvMutants.js';
import { ReplicatedKv } from '../protocols/kv/replicatedKv.js';
import { Prng } from '../sim/prng.js';
import { keyName, kvMixes, nextKvCall, valueBytes, zipfianCumulative } from './kvWorkload.js';
import { kvEntryCapacityFor } from '../protocols/kv/kvCommand.js';

/**
 * The key-value clients shared by the scenarios that run the replicated
 * store (protocols/kv/) on a log: `kv-log` (one client per process) and
 * `mu`'s KV workloads (`--clients C` spread over the replicas). A client
 * makes `ops` calls one after another, drawn from its own seeded stream
 * (kvWorkload.ts), and never gives a call up: termination then means every
 * call completed.
 */
export const keyCount = 10;
/** Appends again after this many typical delays: longer than a call takes with a steady leader, shorter than a leader change. */
export const retryAfterDelays = 25;
/** The largest command of the workload, in bytes: the log's entry capacity. */
export const kvCapacity = kvEntryCapacityFor(keyName(keyCount - 1).length, valueBytes);

/** The workload's mix and leader behaviour: `ycsb-a/contention` is the YCSB-A mix under contention. */
export function kvWorkloadOf(workload: string | undefined): { mix: string; leaders: string } {
  const [mix, leaders = 'stable'] = (workload ?? 'ycsb-a').split('/');
  return { mix, leaders };
}

/** Whether a workload name is a key-value one (a known mix, optionally with a leader behaviour). */
export function isKvWorkload(workload: string | undefined): boolean {
  return workload !== undefined && kvWorkloadOf(workload).mix in kvMixes;
}

/** A replica of the store for client `client` on `log` (record its calls in the history). */
export function kvStore(fabric: Fabric, log: ReplicatedLog, options: { readonly delay: number; readonly client?: number; readonly mutant?: string }): ReplicatedKv {
  return new ReplicatedKv(fabric, log, {
    retryAfter: retryAfterDelays * options.delay,
    checkpointEvery: 16,
    ...(options.client !== undefined ? { client: options.client } : {}),
    ...(options.mutant ? { mutant: options.mutant as KvMutant } : {}),
  });
}

/**
 * Runs one client's `ops` calls on `store`, drawn from the stream
 * `kv-client:<stream>` of `seed`. After a failure the client moves on;
 * after an unknown outcome it is retired (that call stays outstanding in
 * its history forever).
 */
export async function runKvClient(store: ReplicatedKv, params: { readonly seed: number; readonly workload: string | undefined; readonly ops: number; readonly client: number; readonly stream: number }): Promise<void> {
  const mix = kvMixes[kvWorkloadOf(params.workload).mix];
  const cumulative = zipfianCumulative(keyCount);
  const random = new Prng(params.seed, `kv-client:${params.stream}`);
  for (let call = 0; call < params.ops; call++) {
    const { operation, key, value } = nextKvCall(random, mix, cumulative, params.client, call);
    try {
      if (operation === 'get') await store.get(key);
      else if (operation === 'delete') await store.delete(key);
      else await store[operation](key, value);
    } catch (error) {
      if (error instanceof KvOutcomeUnknown) break;
      if (!(error instanceof KvRejected)) throw error;
    }
  }
}

/** The calls' outcomes, the median call's latency, and what each replica applied (its final `kv-state` note). */
export function kvCallDetails(history: readonly HistoryEvent[], notes: readonly NoteEvent[]): Record<string, unknown> {
  const outcomes: Record<string, number> = { ok: 0, fail: 0, info: 0 };
  const started = new Map<number, number>();
  const latencies: number[] = [];
  for (const event of history) {
    if (event.type === 'invoke') started.set(event.op, event.time);
    else {
      outcomes[event.type]++;
      if (event.type === 'ok') latencies.push(event.time - (started.get(event.op) ?? event.time));
    }
  }
  latencies.sort((a, b) => a - b);
  const finals = notes.filter((note) => note.kind === 'kv-state' && note.detail?.final === true).map((note) => [`p${note.process}`, note.detail?.applied]);
  return {
    keys: keyCount,
    outcomes,
    medianCall: latencies.length > 0 ? latencies[Math.floor(latencies.length / 2)] : null,
    logEntriesApplied: Object.fromEntries(finals),
    commands: notes.filter((note) => note.kind === 'commit').length,
  };
}
