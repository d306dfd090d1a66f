import { join } from 'node:path';
import type { Fabric } from '../fabric/index.js';
import { logTimingFor } from '../protocols/consensus/consensusLog.js';
import { MultiPaxosLog } from '../protocols/consensus/multiPaxos.js';
import { kvEntryCapacityFor } from '../protocols/kv/kvCommand.js';
import { ReplicatedKv } from '../protocols/kv/replicatedKv.js';
import { FsyncFileSink } from '../realtime/fsyncSink.js';

/**
 * A real backend's body for the durable store: each process is a host that
 * opens its own log file (`p<id>.kvlog` in `directory`, appended to with
 * fdatasync), hands it to a `ReplicatedKv` on a Multi-Paxos log, makes
 * `puts` puts of its own key, and waits until it applied every process's
 * puts. It returns what it applied and its state digest; the files hold the
 * applied log (`decodeSinkFrames`). Loaded by the workers of
 * `durableKv.test.ts` (a `BodyFactory`).
 */
export interface DurableKvArguments {
  readonly directory: string;
  readonly puts: number;
}

export interface DurableKvResult {
  readonly applied: number;
  readonly digest: string;
  readonly sinkWrites: number;
}

export function durableKvBody(args: unknown): (fabric: Fabric) => Promise<DurableKvResult> {
  const { directory, puts } = args as DurableKvArguments;
  return async (fabric) => {
    const sink = await FsyncFileSink.open(join(directory, `p${fabric.self}.kvlog`));
    const log = new MultiPaxosLog(fabric, { capacity: kvEntryCapacityFor(8, 16), entries: 4 * fabric.processCount * puts, window: 4, timing: logTimingFor(1) });
    const store = new ReplicatedKv(fabric, log, { sink, retryAfter: 100, record: false });
    for (let put = 0; put < puts; put++) await store.put(`k${fabric.self}`, `v${put}`);
    while (store.applied < fabric.processCount * puts) await fabric.sleep(4);
    // Serve a while longer: a Multi-Paxos replica that leaves may take the others' majority with it.
    await fabric.sleep(40);
    const result = { applied: store.applied, digest: store.digest(), sinkWrites: sink.writes };
    await store.close();
    await sink.close();
    return result;
  };
}
