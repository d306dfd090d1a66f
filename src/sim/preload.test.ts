import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getWord, wordBytes } from '../fabric/index.js';
import { TraceRecorder } from '../trace/recorder.js';
import { Simulation, latencyModel, type SimulationConfig } from './index.js';

describe('preload', () => {
  it('puts bytes in a region before the run, at every memory holding it or at those listed, untraced and unwatched', async () => {
    let heard = 0;
    const recorder = new TraceRecorder(true);
    const simulation = new Simulation({
      scenario: 'preload',
      seed: 1,
      params: {},
      processCount: 1,
      memoryCount: 3,
      regions: [
        { name: 'index', size: 16, policy: 'access-list', defaultAccess: 'read' },
        { name: 'two', size: 8, policy: 'open', memories: [1, 2] },
      ],
      latency: latencyModel('unit'),
      horizon: 100,
      trace: recorder,
      preload: [
        { region: 'index', offset: 8, bytes: wordBytes(42n) },
        { region: 'two', offset: 0, bytes: wordBytes(7n), memories: [2] },
      ],
      memoryWatcher: () => {
        heard++;
        return [];
      },
    });
    const read: bigint[] = [];
    simulation.spawn(0, async (fabric) => {
      for (const memory of [0, 1, 2]) read.push(getWord(await fabric.read({ memory, region: 'index', offset: 8 }, 8), 0));
      for (const memory of [1, 2]) read.push(getWord(await fabric.read({ memory, region: 'two', offset: 0 }, 8), 0));
    });
    await simulation.run();
    assert.deepEqual(read, [42n, 42n, 42n, 0n, 7n]);
    assert.equal(heard, 0);
    assert.ok(!recorder.text().includes('"verb":"write"'));
  });

  it('refuses bytes that do not fit, an unknown region, and a memory without the region', () => {
    const make = (preload: SimulationConfig['preload']) =>
      new Simulation({ scenario: 'preload', seed: 1, params: {}, processCount: 1, memoryCount: 2, regions: [{ name: 'r', size: 8, policy: 'open', memories: [1] }], latency: latencyModel('unit'), horizon: 10, ...(preload ? { preload } : {}) });
    assert.throws(() => make([{ region: 'r', offset: 4, bytes: new Uint8Array(8) }]), /does not fit region 'r'/);
    assert.throws(() => make([{ region: 'q', offset: 0, bytes: new Uint8Array(8) }]), /no region 'q'/);
    assert.throws(() => make([{ region: 'r', offset: 0, bytes: new Uint8Array(8), memories: [0] }]), /m0 holds no region 'r'/);
    assert.doesNotThrow(() => make([{ region: 'r', offset: 0, bytes: new Uint8Array(8) }]));
  });
});
