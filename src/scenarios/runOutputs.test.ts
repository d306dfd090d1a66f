import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryEvent } from '../fabric/index.js';
import { runScenario } from './runner.js';
import type { RunOptions } from './scenario.js';

/**
 * A long run streams its trace and history out as they happen instead of
 * keeping them; what streams out must be exactly what the in-memory run
 * keeps, byte for byte, or `mnm replay` and the trace hashes would lie.
 */
describe('run outputs (streaming the trace and history)', () => {
  const runs: RunOptions[] = [
    { protocol: 'register', seed: 4, latency: 'unit', faults: 'crash', ops: 400 },
    { protocol: 'register', seed: 9, latency: 'lan', faults: 'all', n: 4, memories: 5, ops: 50 },
    { protocol: 'pmp', seed: 2, latency: 'rdma', faults: 'all', workload: 'contention' },
    { protocol: 'cb', seed: 3, latency: 'unit', faults: 'none', f: 1, adversary: 'silent-replicator' },
  ];
  for (const options of runs) {
    it(`${options.protocol} seed ${options.seed}: the streamed trace and history equal the kept ones`, async () => {
      const kept = await runScenario(options, 'full');
      const chunks: string[] = [];
      const heard: HistoryEvent[] = [];
      const streamed = await runScenario(options, 'off', { trace: (chunk) => chunks.push(chunk), onHistoryEvent: (event) => heard.push(event) });
      assert.equal(streamed.trace, undefined, 'a streamed trace is not also kept');
      assert.ok(kept.trace !== undefined && kept.trace.length > 0);
      assert.equal(chunks.join(''), kept.trace);
      assert.equal(streamed.traceHash, kept.traceHash);
      assert.deepEqual(streamed.metrics, kept.metrics);
      assert.deepEqual(heard, [...kept.history]);
      assert.deepEqual(streamed.violations, kept.violations);
    });
  }

  it('hands a long trace over in several chunks, as the run goes', async () => {
    const chunks: string[] = [];
    let historyEventsAtFirstChunk: number | undefined;
    let heard = 0;
    await runScenario({ protocol: 'register', seed: 1, latency: 'unit', faults: 'none', ops: 2000 }, 'off', {
      trace: (chunk) => {
        chunks.push(chunk);
        historyEventsAtFirstChunk ??= heard;
      },
      onHistoryEvent: () => heard++,
    });
    assert.ok(chunks.length > 10, `${chunks.length} chunks`);
    assert.ok(historyEventsAtFirstChunk !== undefined && historyEventsAtFirstChunk < heard / 2, 'the first chunk left before the run was half done');
    for (const chunk of chunks) assert.ok(chunk.endsWith('\n'), 'chunks end on a line boundary');
  });
});
