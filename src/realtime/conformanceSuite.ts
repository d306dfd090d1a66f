import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceCases } from '../fabric/conformance.js';
import type { RealRunConfig, RealRunResult } from './realRun.js';

/**
 * Registers the fabric conformance suite for one real backend. Each body runs
 * in its own worker or OS process, loaded there by case name from the
 * conformance module (the very functions the simulator runs); the case's
 * check runs here on the bodies' results, over a few rounds. Time unit: 1 µs.
 */
export function conformanceSuite(backend: string, run: (config: RealRunConfig) => Promise<RealRunResult>, rounds = 3): void {
  describe(`fabric conformance: ${backend}`, () => {
    for (const testCase of conformanceCases) {
      it(testCase.name, async () => {
        for (let round = 1; round <= rounds; round++) {
          const outcome = await run({
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
}
