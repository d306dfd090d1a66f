import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceCases } from '../fabric/conformance.js';
import { runTcp } from './runTcp.js';

/**
 * The fabric conformance suite on OS processes over TCP (memory nodes and processes each in their own OS process, on loopback). Each
 * body runs in its own OS process, loaded by case name from the conformance
 * module; the check runs here on the bodies' results. Time unit: 1 µs.
 */
describe('fabric conformance: tcp', () => {
  for (const testCase of conformanceCases) {
    it(testCase.name, async () => {
      const rounds = 3;
      for (let round = 1; round <= rounds; round++) {
        const outcome = await runTcp({
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
