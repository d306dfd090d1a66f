import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceCases } from '../fabric/conformance.js';
import { Simulation, latencyModel } from './index.js';

/** The fabric conformance suite on the simulator, over several seeds and latency models. */
describe('fabric conformance: sim', () => {
  for (const testCase of conformanceCases) {
    it(testCase.name, async () => {
      for (const latency of ['unit', 'uniform:0.5:3', 'rdma']) {
        for (let seed = 1; seed <= 8; seed++) {
          const simulation = new Simulation({
            scenario: `conformance: ${testCase.name}`,
            seed,
            params: {},
            processCount: testCase.processCount,
            memoryCount: testCase.memoryCount,
            regions: testCase.regions,
            latency: latencyModel(latency),
            horizon: 1_000_000,
          });
          for (const memory of testCase.crashedMemories ?? []) simulation.crashMemory(memory);
          const results: Record<number, unknown> = {};
          for (const [process, body] of Object.entries(testCase.bodies)) {
            simulation.spawn(Number(process), async (fabric) => {
              results[Number(process)] = await body(fabric);
            });
          }
          const outcome = await simulation.run();
          const where = `seed ${seed}, latency ${latency}`;
          assert.deepEqual(outcome.errors, [], where);
          assert.equal(outcome.end, 'done', `${where}: every body finished`);
          try {
            testCase.check(results);
          } catch (error) {
            throw new Error(`${where}: ${(error as Error).message}`);
          }
        }
      }
    });
  }
});
