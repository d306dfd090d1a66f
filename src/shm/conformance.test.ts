import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceCases } from '../fabric/conformance.js';
import { runShm } from './runShm.js';

/**
 * The fabric conformance suite on worker threads and shared memory. Each
 * body runs in its own worker, loaded by case name from the conformance
 * module; the check runs here on the bodies' results. Time unit: 1 µs.
 */
describe('fabric conformance: shm', () => {
  for (const testCase of conformanceCases) {
    it(testCase.name, async () => {
      const rounds = 3;
      for (let round = 1; round <= rounds; round++) {
        const outcome = await runShm({
          processCount: testCase.processCount,
          memoryCount: testCase.memoryCount,
          regions: testCase.regions,
          crashedMemories: testCase.crashedMemories ?? [],
          body: { module: new URL('./conformanceBody.js', import.meta.url).href, export: 'conformanceBody', args: { case: testCase.name } },
          seed: round,
          deadlineMilliseconds: 60_000,
        });
        const where = `round ${round} of ${rounds}`;
        assert.deepEqual(outcome.errors, [], where);
        assert.equal(outcome.end, 'done', `${where}: every body finished`);
        try {
          testCase.check(outcome.results);
        } catch (error) {
          throw new Error(`${where}: ${(error as Error).message}`);
        }
      }
    });
  }
});
