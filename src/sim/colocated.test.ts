import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getWord, wordBytes } from '../fabric/index.js';
import { TraceRecorder } from '../trace/recorder.js';
import { Simulation, latencyModel } from './index.js';

/**
 * Co-located memories (SimulationConfig.colocated, docs/fabric.md): pI's
 * verbs on mI are local — no network delay, a write lands whole — while
 * every other pair still pays the latency model; and the leader faults
 * resolved when they strike (dynamicFaults).
 */
function world(colocated: boolean, trace?: TraceRecorder) {
  const times: Record<string, number> = {};
  const simulation = new Simulation({
    scenario: 'colocated',
    seed: 3,
    params: {},
    processCount: 2,
    memoryCount: 2,
    regions: [{ name: 'r', size: 32, policy: 'open' }],
    latency: latencyModel('uniform:1:3'),
    horizon: 1000,
    ...(colocated ? { colocated: true } : {}),
    ...(trace ? { trace } : {}),
  });
  simulation.spawn(0, async (fabric) => {
    const record = new Uint8Array(32);
    for (let offset = 0; offset < 32; offset += 8) record.set(wordBytes(7n), offset);
    const start = fabric.now();
    await fabric.write({ memory: 0, region: 'r', offset: 0 }, record);
    times.localWrite = fabric.now() - start;
    const bytes = await fabric.read({ memory: 0, region: 'r', offset: 0 }, 32);
    times.localRead = fabric.now() - start;
    times.whole = [0, 8, 16, 24].every((offset) => getWord(bytes, offset) === 7n) ? 1 : 0;
    await fabric.write({ memory: 1, region: 'r', offset: 0 }, record);
    times.remoteWrite = fabric.now() - start - times.localRead;
  });
  return { simulation, times };
}

describe('co-located memories', () => {
  it('a process\'s verbs on its own host\'s memory take no delay; on another host\'s they pay the model', async () => {
    const local = world(true);
    await local.simulation.run();
    assert.deepEqual({ localWrite: local.times.localWrite, localRead: local.times.localRead, whole: local.times.whole }, { localWrite: 0, localRead: 0, whole: 1 });
    assert.ok(local.times.remoteWrite >= 2, String(local.times.remoteWrite));
    const remote = world(false);
    await remote.simulation.run();
    assert.ok(remote.times.localWrite >= 2 && remote.times.localRead >= 4, JSON.stringify(remote.times));
  });

  it('is deterministic: the same seed gives the same trace', async () => {
    const [a, b] = [new TraceRecorder(true), new TraceRecorder(true)];
    await world(true, a).simulation.run();
    await world(true, b).simulation.run();
    assert.equal(a.text(), b.text());
  });

  it('a dynamic fault resolves at its time from the notes so far, and is reported', async () => {
    const simulation = new Simulation({
      scenario: 'dynamic',
      seed: 1,
      params: {},
      processCount: 2,
      memoryCount: 0,
      regions: [],
      latency: latencyModel('unit'),
      horizon: 100,
      dynamicFaults: [{ at: 5, resolve: ({ notes }) => ({ kind: 'crash-process', at: 5, process: notes.filter((note) => note.kind === 'lead').at(-1)?.process ?? 0 }) }],
    });
    let stoppedAt: number | undefined;
    simulation.spawn(0, async (fabric) => {
      fabric.note('lead');
      await fabric.sleep(3);
    });
    simulation.spawn(1, async (fabric) => {
      await fabric.sleep(2);
      fabric.note('lead');
      for (let tick = 0; tick < 20; tick++) {
        stoppedAt = fabric.now();
        await fabric.sleep(1);
      }
    });
    const result = await simulation.run();
    assert.deepEqual(result.resolvedFaults, [{ kind: 'crash-process', at: 5, process: 1 }]);
    assert.deepEqual(result.crashedProcesses, [1]);
    assert.equal(stoppedAt, 4);
  });
});
