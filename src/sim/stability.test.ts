import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { wordBytes } from '../fabric/index.js';
import { TraceRecorder } from '../trace/recorder.js';
import { createHash } from 'node:crypto';
import { Prng, Simulation, drawFaults, latencyModel, parseHolds, type Fault, type FaultProfile, type SimulationConfig } from './index.js';

/**
 * A world that exercises every part of the simulator at once: multi-word
 * writes to two memories (tearing), reads, cas and faa, messages, timers, a
 * pause and a process crash. Its trace hash pins the simulator's behaviour.
 */
export function busyWorld(seed: number, extra: Partial<SimulationConfig> = {}): { simulation: Simulation; recorder: TraceRecorder } {
  const recorder = new TraceRecorder(false);
  const simulation = new Simulation({
    scenario: 'busy',
    seed,
    params: { seed },
    processCount: 3,
    memoryCount: 2,
    regions: [
      { name: 'record', size: 32, policy: 'open' },
      { name: 'cell', size: 8, policy: 'open' },
    ],
    latency: latencyModel('uniform:0.5:3'),
    horizon: 5_000,
    faults: [
      { kind: 'pause', at: 10, process: 1, duration: 15 },
      { kind: 'crash-process', at: 40, process: 2 },
    ],
    trace: recorder,
    ...extra,
  });
  simulation.spawn(0, async (fabric) => {
    for (let round = 1n; round <= 20n; round++) {
      const record = new Uint8Array(32);
      for (let offset = 0; offset < 32; offset += 8) record.set(wordBytes(round), offset);
      await Promise.all([0, 1].map((memory) => fabric.write({ memory, region: 'record', offset: 0 }, record)));
      fabric.send(1, new Uint8Array([Number(round)]));
      fabric.send(2, new Uint8Array([Number(round)]));
    }
  });
  simulation.spawn(1, async (fabric) => {
    for (let round = 0; round < 20; round++) {
      await fabric.receive();
      const op = fabric.history.invoke('read', null);
      const copies = await Promise.all([0, 1].map((memory) => fabric.read({ memory, region: 'record', offset: 0 }, 32)));
      fabric.history.ok(op, copies.map((bytes) => Buffer.from(bytes).toString('hex')).join('/'));
      await fabric.faa({ memory: 0, region: 'cell', offset: 0 }, 1n);
    }
  });
  simulation.spawn(2, async (fabric) => {
    for (let round = 0; round < 100; round++) {
      await fabric.cas({ memory: round % 2, region: 'cell', offset: 0 }, BigInt(round), BigInt(round + 1));
      await fabric.write({ memory: 1, region: 'record', offset: 8 }, new Uint8Array(16).fill(round));
      await fabric.sleep(0.7);
      fabric.note('round', { round });
    }
  });
  return { simulation, recorder };
}

export async function busyHash(seed: number, extra: Partial<SimulationConfig> = {}): Promise<string> {
  const { simulation, recorder } = busyWorld(seed, extra);
  await simulation.run();
  return recorder.traceHash();
}

/**
 * Hashes pinned on the simulator as it was before tear windows, mid-write
 * crashes, long pauses and holds existed (commit 4358200, computed by running
 * `busyHash(seed)` and `drawnFaultsHash()` on that build). New options must
 * leave runs without them byte for byte the same: regression tests elsewhere
 * name seeds.
 */
const pinnedTraceHashes: Record<number, string> = {
  1: 'sha256:56b5540faab46278a1dd66b40fa600b6988005ce3fb0d6212d678521b693df22',
  7: 'sha256:75835f9b0cea6e669c0589dff9f974a346f0495111853359c4a1f44825abb5b2',
  42: 'sha256:93d053b0c3cb13202c22f21a298a4098b9346dc8d7ae02a755c1ace8f576b571',
};
const pinnedDrawnFaultsHash = '1adf2ad74559ea91f5e36b799ab0027caf68476cdd151cd4b5eb0ae1ed7e26cf';

/** The faults drawn for 20 seeds of every profile, with the fields added since the pin removed. */
function drawnFaultsHash(strip: (fault: Fault) => Fault | undefined = (fault) => fault): string {
  const drawn: Fault[][] = [];
  for (const profile of ['crash', 'pause', 'net', 'all'] as FaultProfile[]) {
    for (let seed = 1; seed <= 20; seed++) {
      drawn.push(drawFaults(profile, { processes: 1, memories: 1 }, { processCount: 3, memoryCount: 3, window: 100, outageMax: 40 }, new Prng(seed, 'faults')).map(strip).filter((fault) => fault !== undefined));
    }
  }
  return createHash('sha256').update(JSON.stringify(drawn)).digest('hex');
}

describe('simulator stability', () => {
  it('runs without the new options exactly as before they existed (pinned trace hashes)', async () => {
    for (const [seed, hash] of Object.entries(pinnedTraceHashes)) assert.equal(await busyHash(Number(seed)), hash, `seed ${seed}`);
  });

  it('draws the same faults for the same seeds as before; only some process crashes became mid-write, and slow links were added', () => {
    const withoutMidWrite = (fault: Fault): Fault | undefined => {
      if (fault.kind === 'slow-link') return undefined;
      if (fault.kind !== 'crash-process') return fault;
      const { midWrite: _midWrite, ...rest } = fault;
      return rest;
    };
    assert.equal(drawnFaultsHash(withoutMidWrite), pinnedDrawnFaultsHash);
  });

  it('is deterministic with each new option: same config and seed, same trace hash', async () => {
    const size = { processCount: 3, memoryCount: 2 };
    const options: Record<string, Partial<SimulationConfig>> = {
      tearFraction: { tearFraction: 0.5 },
      midWrite: {
        faults: [
          { kind: 'pause', at: 10, process: 1, duration: 15 },
          { kind: 'crash-process', at: 40, process: 2, midWrite: true },
        ],
      },
      holds: { holds: parseHolds('p1 read m1 until p2 note round #3; msg p0->p2 #2 until p1 faa m0 completes', size) },
    };
    for (const [name, extra] of Object.entries(options)) {
      for (const seed of [1, 7, 42]) {
        const hash = await busyHash(seed, extra);
        assert.equal(await busyHash(seed, extra), hash, `${name}, seed ${seed}`);
        assert.notEqual(hash, pinnedTraceHashes[seed], `${name}, seed ${seed}: the option changes the run`);
      }
    }
  });
});
