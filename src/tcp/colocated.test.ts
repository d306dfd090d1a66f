import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceSuite } from '../realtime/conformanceSuite.js';
import { colocatedFaultProblem, runTcp } from './runTcp.js';

/** The fabric conformance suite, unchanged, with memory mI served inside process pI's OS process (one round each). */
conformanceSuite('tcp with co-located memories', (config) => runTcp({ ...config, colocatedMemories: true }), 1);

describe('co-located memories on tcp', () => {
  it('refuse crashing a process or a memory apart from its host, naming the host crash', () => {
    assert.match(colocatedFaultProblem({ kind: 'crash-process', at: 5, process: 1 }, 3, 3) ?? '', /^fault 'crash p1@5' cannot be injected with co-located memories: p1 and m1 share one OS process \(crash them together as host h1, e.g\. --crash h1@5\)$/);
    assert.match(colocatedFaultProblem({ kind: 'crash-memory', at: 2, memory: 0 }, 3, 3) ?? '', /host h0/);
    assert.equal(colocatedFaultProblem({ kind: 'crash-host', at: 2, host: 0 }, 3, 3), undefined);
    assert.equal(colocatedFaultProblem({ kind: 'crash-process', at: 2, process: 2 }, 3, 2), undefined, 'p2 has no memory of its own');
    assert.equal(colocatedFaultProblem({ kind: 'crash-memory', at: 2, memory: 2 }, 2, 3), undefined, 'm2 has its own node');
  });

  it('runTcp refuses such a fault before it starts anything', async () => {
    await assert.rejects(
      runTcp({ processCount: 2, memoryCount: 2, regions: [], body: { module: 'data:text/javascript,', export: 'none', args: null }, seed: 1, faults: [{ kind: 'crash-memory', at: 1, memory: 1 }], deadlineMilliseconds: 1000, colocatedMemories: true }),
      /p1 and m1 share one OS process/,
    );
  });

  it('a co-located memory is served by its process\'s own event loop: a wedged process serves it late, a memory node of its own does not wait', async () => {
    const holdMilliseconds = 3000;
    const run = (colocatedMemories: boolean) =>
      runTcp({
        processCount: 2,
        memoryCount: 2,
        regions: [{ name: 'cell', size: 8, policy: 'open' }],
        body: { module: new URL('./_colocatedBody.js', import.meta.url).href, export: 'wedgedHost', args: { holdMilliseconds } },
        seed: 1,
        deadlineMilliseconds: 60_000,
        colocatedMemories,
      });
    const [together, apart] = [await run(true), await run(false)];
    for (const outcome of [together, apart]) assert.deepEqual([outcome.errors, outcome.end], [[], 'done']);
    assert.deepEqual(together.results[0], { during: 'TimedOut', after: 'answered' });
    assert.deepEqual(apart.results[0], { during: 'answered', after: 'answered' });
  });
});
