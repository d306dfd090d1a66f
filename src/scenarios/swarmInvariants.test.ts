import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Fabric } from '../fabric/index.js';
import { Simulation, latencyModel, type Fault, type MemoryChange, type MemoryViolation } from '../sim/index.js';
import { swarmMemoryWatcher } from '../protocols/swarm/invariants.js';
import { swarmLayout, swarmRegions } from '../protocols/swarm/layout.js';
import type { SwarmLayoutConfig } from '../protocols/swarm/memorySet.js';
import { SwarmMemories } from '../protocols/swarm/swarmMemories.js';
import { maxByKey } from '../protocols/swarm/swarmMemoriesDecide.js';
import { packWord, timestampOf, verifiedWord, wordId, writerOf } from '../protocols/swarm/word.js';

/** The watcher on SWARM's memory layer (swarmMemories.ts) running on the simulator, with tears, delays and mid-write crashes. */
const config: SwarmLayoutConfig = { region: 's', memories: [0, 1, 2], f: 1, clients: 3, records: 2, entries: 2, valueMax: 16, keyMax: 0, inPlace: true };

interface Watched {
  readonly violations: readonly MemoryViolation[];
  readonly changes: Map<string, number>;
  readonly end: string;
}

async function run(seed: number, bodies: Record<number, (fabric: Fabric) => Promise<void>>, faults: Fault[] = []): Promise<Watched> {
  const watcher = swarmMemoryWatcher(config);
  const changes = new Map<string, number>();
  const simulation = new Simulation({
    scenario: 'test:swarm-invariants',
    seed,
    params: {},
    processCount: 3,
    memoryCount: 3,
    regions: swarmRegions(config),
    latency: latencyModel('uniform:1:4'),
    horizon: 10_000,
    tearFraction: 1,
    cutShortWrites: true,
    faults,
    memoryWatcher: (change: MemoryChange) => {
      const kind = `${change.kind} ${change.region.startsWith('s.log') ? 'log' : 'rec'}`;
      changes.set(kind, (changes.get(kind) ?? 0) + 1);
      return watcher(change);
    },
  });
  for (const [process, body] of Object.entries(bodies)) simulation.spawn(Number(process), body);
  const result = await simulation.run();
  return { violations: result.memoryViolations, changes, end: result.end };
}

const value = (word: bigint) => new Uint8Array([Number(timestampOf(word) & 0xffn), writerOf(word)]);

/**
 * Client c, 6 rounds on both records: a step of scans; if another writer's
 * word is the largest, publish a copy of it everywhere (write-back), else a
 * new word of its own above it (GUESSED, then promoted in the background);
 * and raise notif of the largest's writer. Values are made up: the
 * invariants are about what the memories hold, not which value wins.
 */
function client(c: number): (fabric: Fabric) => Promise<void> {
  return async (fabric) => {
    const memories = new SwarmMemories(fabric, { ...config, client: c, fetchTimeout: 4 });
    for (let round = 0; round < 6; round++) {
      const record = round % 2;
      const scans = await memories.step((memory) => memories.scan(record, memory));
      const max = maxByKey([...scans.values()].map((scan) => scan.max));
      if (max !== 0n && writerOf(max) !== c) {
        await memories.writeBack(record, max, value(max));
        const memory = [...scans.keys()][0];
        const notified = memories.cachedNotif(record, memory, writerOf(max));
        if (notified < wordId(max)) await memories.casNotif(record, memory, writerOf(max), notified, wordId(max));
      } else {
        const word = packWord({ timestamp: timestampOf(max) + 1n, writer: c, verified: false });
        await memories.step((memory) => memories.publish(record, memory, word, value(word)));
        memories.publishInBackground(record, verifiedWord(word), value(word));
      }
    }
  };
}

describe('SWARM invariants on the simulator', () => {
  it('the memory layer keeps every invariant after every verb, through tears, delays and mid-write crashes', async () => {
    const totals = new Map<string, number>();
    for (let seed = 1; seed <= 12; seed++) {
      const faults: Fault[] = seed % 3 === 0 ? [] : [{ kind: 'crash-process', at: 3 + seed, process: seed % 3, midWrite: true }];
      const watched = await run(seed, { 0: client(0), 1: client(1), 2: client(2) }, faults);
      assert.deepEqual(watched.violations, [], `seed ${seed}`);
      for (const [kind, count] of watched.changes) totals.set(kind, (totals.get(kind) ?? 0) + count);
    }
    // The watcher heard entries, IPs, buffers, notif, and crashes cutting entries short.
    for (const kind of ['write log', 'write rec', 'cas rec', 'cut log']) assert.ok((totals.get(kind) ?? 0) > 0, `${kind}: ${JSON.stringify([...totals])}`);
  });

  it('finds a client that reuses its writer id after a restart: its first entry write destroys the data its buffer names', async () => {
    const layout = swarmLayout(config);
    const watched = await run(1, {
      0: async (fabric) => {
        const first = new SwarmMemories(fabric, { ...config, client: 0, fetchTimeout: 4 });
        const x = packWord({ timestamp: 3n, writer: 0 });
        await first.step((memory) => first.publish(0, memory, x, value(x)));
        // "Restarted" with the same id and a fresh cache: it starts again at entry 0, which its buffer names.
        const again = new SwarmMemories(fabric, { ...config, client: 0, fetchTimeout: 4 });
        const y = packWord({ timestamp: 4n, writer: 0 });
        await again.publish(0, 0, y, value(y)).catch(() => undefined);
      },
    });
    const found = watched.violations.find((violation) => violation.property === 'invariant-d');
    assert.ok(found, JSON.stringify(watched.violations));
    assert.match(found.detail, new RegExp(`entry \\(0, 0\\) of log\\.0 changed under meta\\[0\\] of record 0 .* after p0's write \\(verb \\d+\\) on m0 s\\.log\\.0\\[${layout.entryOffset(0, 0)}\\.\\.`));
  });

  it('finds a process that lowers another\'s buffer with a raw CAS', async () => {
    const layout = swarmLayout(config);
    const watched = await run(2, {
      1: async (fabric) => {
        const memories = new SwarmMemories(fabric, { ...config, client: 1, fetchTimeout: 4 });
        const x = packWord({ timestamp: 9n, writer: 1 });
        await memories.step((memory) => memories.publish(1, memory, x, value(x)));
        const held = (await memories.scan(1, 2)).buffers[1];
        await fabric.cas({ memory: 2, region: layout.recordRegion, offset: layout.metaOffset(1, 1) }, held, 0n);
      },
    });
    assert.deepEqual(watched.violations.map((violation) => violation.property), ['buffers-only-grow']);
    assert.match(watched.violations[0].detail, /meta\[1\] of record 1 went from \(ts 9, w1, V, slot 0\) down to ⊥ — after p1's cas/);
  });
});
