import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Fabric, HistoryEvent } from '../fabric/index.js';
import { eventsOf } from '../fabric/events.js';
import { Simulation, unitLatency, type Fault } from '../sim/index.js';
import { logTimingFor } from '../protocols/consensus/consensusLog.js';
import { MultiPaxosLog } from '../protocols/consensus/multiPaxos.js';
import { decodeSinkFrames, type AppendSink } from '../protocols/kv/appendSink.js';
import { decodeKvCommand, kvEntryCapacityFor } from '../protocols/kv/kvCommand.js';
import { KvClientRetired, KvOutcomeUnknown, KvRejected } from '../protocols/kv/kvErrors.js';
import { ReplicatedKv, type ReplicatedKvConfig } from '../protocols/kv/replicatedKv.js';
import { checkKvRun } from './kvProperties.js';

const capacity = kvEntryCapacityFor(8, 64);

/** Three processes, each running a store on a Multi-Paxos log (p0 leads), each running `body` with its store. */
async function runStores(body: (store: ReplicatedKv, fabric: Fabric) => Promise<void>, options: { faults?: Fault[]; config?: (fabric: Fabric) => ReplicatedKvConfig; horizon?: number } = {}) {
  const simulation = new Simulation({
    scenario: 'kv-test',
    seed: 1,
    params: {},
    processCount: 3,
    memoryCount: 0,
    regions: [],
    latency: unitLatency,
    horizon: options.horizon ?? 5000,
    faults: options.faults ?? [],
  });
  for (let process = 0; process < 3; process++) {
    simulation.spawn(process, async (fabric) => {
      const log = new MultiPaxosLog(fabric, { capacity, entries: 256, window: 4, timing: logTimingFor(1) });
      const store = new ReplicatedKv(fabric, log, options.config?.(fabric) ?? {});
      await body(store, fabric);
    });
  }
  return simulation.run();
}

function outcomes(history: readonly HistoryEvent[]): string[] {
  return history.filter((event) => event.type !== 'invoke').map((event) => `p${event.process} ${event.type} ${event.f} ${event.key}=${JSON.stringify(event.value)}`);
}

describe('the replicated key-value store', () => {
  it('answers every call through the log: the same state everywhere, a linearizable history', async () => {
    const reads = new Map<number, string>();
    const result = await runStores(async (store, fabric) => {
      await store.put('x', `from p${fabric.self}`);
      await store.append('x', '+');
      await store.delete('y');
      await fabric.sleep(30);
      reads.set(fabric.self, await store.get('x'));
      await fabric.sleep(30);
      store.noteState();
    });
    assert.deepEqual(result.errors, []);
    assert.equal(result.end, 'done');
    // Every read came after all writes were applied at its replica (they were answered 30 delays earlier): one value.
    assert.equal(new Set(reads.values()).size, 1, JSON.stringify([...reads]));
    assert.match(reads.get(0) ?? '', /^from p\d\+*$/);
    const finals = eventsOf(result.notes, 'kv-state').filter((event) => event.final);
    assert.equal(finals.length, 3);
    assert.equal(new Set(finals.map((event) => `${event.applied}:${event.digest}`)).size, 1);
    assert.deepEqual(checkKvRun(result.history, result.notes), []);
    // The checks can fail: a replica whose state is not its log's, a replica whose log differs.
    const digestNote = result.notes.findIndex((note) => note.kind === 'kv-state' && note.process === 1);
    const tamperedState = result.notes.map((note, index) => (index === digestNote ? { ...note, detail: { ...note.detail, digest: '0000000000000000' } } : note));
    assert.deepEqual(checkKvRun(result.history, tamperedState).map((violation) => violation.property), ['replica-state', 'replica-state']);
    const commitNote = result.notes.findIndex((note) => note.kind === 'commit' && note.process === 2);
    const tamperedLog = result.notes.map((note, index) => (index === commitNote ? { ...note, detail: { ...note.detail, value: '00' } } : note));
    assert.ok(checkKvRun(result.history, tamperedLog).some((violation) => violation.property === 'agreement'));
    // A delete is recorded as the put of "" it amounts to, for the kv model.
    assert.ok(outcomes(result.history).includes('p1 ok put y=""'));
  });

  it('applies a command the log holds several times once (retries after an unknown outcome)', async () => {
    // A retry every 2 delays, while a call takes 4 at a follower: the log gets each follower command twice or more.
    const values = new Map<number, string>();
    const run = (mutant?: 'no-dedup') =>
      runStores(
        async (store, fabric) => {
          await store.append('x', `${fabric.self}`);
          await fabric.sleep(40);
          // A read through the log shows the checker what the replicas hold.
          if (fabric.self === 0) await store.get('x');
          await fabric.sleep(20);
          values.set(fabric.self, store.localValue('x'));
          store.noteState();
        },
        { config: () => ({ retryAfter: 2, ...(mutant ? { mutant } : {}) }) },
      );
    const result = await run();
    const commands = eventsOf(result.notes, 'commit').filter((event) => event.process === 0).length;
    assert.ok(commands > 3, `the log holds ${commands} entries for 3 appends`);
    assert.deepEqual([...values.get(0) ?? ''].sort(), ['0', '1', '2']);
    assert.deepEqual(checkKvRun(result.history, result.notes), []);
    // The mutant applies the repeats too: x holds some process's digit twice.
    const broken = await run('no-dedup');
    assert.ok((values.get(0) ?? '').length > 3, `no-dedup value ${values.get(0)}`);
    // Caught twice over: the read sees a digit twice, and every replica's state differs from its log's.
    assert.deepEqual(new Set(checkKvRun(broken.history, broken.notes).map((violation) => violation.property)), new Set(['replica-state', 'linearizability']));
  });

  it('ends a call it gave up on as unknown (info), never as failed', async () => {
    // p1 and p2 crash at once: p0's log never reaches a majority, so its put is never decided.
    let error: unknown;
    const result = await runStores(
      async (store, fabric) => {
        if (fabric.self !== 0) return;
        await store.put('x', 'v').catch((caught: unknown) => (error = caught));
        // That put stays outstanding forever in p0's history: its client makes no more calls.
        await assert.rejects(store.get('x'), KvClientRetired);
      },
      { faults: [{ kind: 'crash-process', process: 1, at: 0 }, { kind: 'crash-process', process: 2, at: 0 }], config: () => ({ giveUpAfter: 200 }) },
    );
    assert.ok(error instanceof KvOutcomeUnknown, String(error));
    assert.deepEqual(outcomes(result.history), ['p0 info put x="v"']);
  });

  it('ends the calls still waiting at close() as unknown, and a command too large for the log as failed', async () => {
    const errors: unknown[] = [];
    const result = await runStores(
      async (store, fabric) => {
        if (fabric.self !== 0) return;
        await store.put('x', 'y'.repeat(100)).catch((caught: unknown) => errors.push(caught));
        const waiting = store.put('x', 'v').catch((caught: unknown) => errors.push(caught));
        // Under way (appended, never decided without a majority) when the store closes.
        await fabric.sleep(5);
        await store.close();
        await waiting;
      },
      { faults: [{ kind: 'crash-process', process: 1, at: 0 }, { kind: 'crash-process', process: 2, at: 0 }] },
    );
    assert.ok(errors[0] instanceof KvRejected, String(errors[0]));
    assert.ok(errors[1] instanceof KvOutcomeUnknown, String(errors[1]));
    assert.deepEqual(outcomes(result.history), [`p0 fail put x=${JSON.stringify('y'.repeat(100))}`, 'p0 info put x="v"']);
  });

  it('answers only once the entry is durable in the sink, which holds the applied log in order', async () => {
    const files = new Map<number, Uint8Array[]>();
    const answered = new Map<number, number>();
    const result = await runStores(
      async (store, fabric) => {
        const started = fabric.now();
        await store.put(`k${fabric.self}`, 'v');
        answered.set(fabric.self, fabric.now() - started);
        await fabric.sleep(40);
        store.noteState();
      },
      {
        config: (fabric) => {
          const chunks: Uint8Array[] = [];
          files.set(fabric.self, chunks);
          // A disk whose every write takes 10 time units.
          const sink: AppendSink = {
            write: async (bytes) => {
              await fabric.sleep(10);
              chunks.push(bytes);
            },
          };
          return { sink };
        },
      },
    );
    assert.deepEqual(result.errors, []);
    for (const [process, chunks] of files) {
      const { entries, tornBytes } = decodeSinkFrames(new Uint8Array(chunks.flatMap((chunk) => [...chunk])));
      assert.equal(tornBytes, 0);
      assert.deepEqual(entries.map((entry) => entry.index), [0, 1, 2], `p${process}`);
      assert.deepEqual(entries.map((entry) => decodeKvCommand(entry.value)?.key).sort(), ['k0', 'k1', 'k2']);
    }
    // p0 leads: its put is decided after one round trip (2), then waits for its disk (10).
    assert.ok((answered.get(0) ?? 0) >= 12, `p0's put answered after ${answered.get(0)}`);
  });
});
