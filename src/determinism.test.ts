import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from './scenarios/index.js';

/**
 * Simulations are deterministic: nothing inside a run may read the wall
 * clock or the global random source. This runs whole scenarios (simulator,
 * protocols, checkers) with those replaced by throwers.
 */
describe('determinism', () => {
  it('no simulated run reads the wall clock or Math.random', async () => {
    const realNow = Date.now;
    const realRandom = Math.random;
    const realPerformance = performance.now;
    const forbidden = () => {
      throw new Error('wall clock or Math.random used inside a simulation');
    };
    const hashes: string[] = [];
    Date.now = forbidden;
    Math.random = forbidden;
    performance.now = forbidden;
    try {
      for (const protocol of ['register', 'paxos', 'pmp', 'disk-paxos']) {
        const report = await runScenario({ protocol, seed: 5, latency: 'lan', faults: 'all' }, 'hash');
        assert.equal(report.ok, true, protocol);
        hashes.push(report.traceHash as string);
      }
    } finally {
      Date.now = realNow;
      Math.random = realRandom;
      performance.now = realPerformance;
    }
    for (const [index, protocol] of ['register', 'paxos', 'pmp', 'disk-paxos'].entries()) {
      assert.equal((await runScenario({ protocol, seed: 5, latency: 'lan', faults: 'all' }, 'hash')).traceHash, hashes[index], `${protocol}: same seed, same trace`);
    }
  });

  it('bft (signatures, CB streams, timers) reads no wall clock and replays its trace', async () => {
    const realNow = Date.now;
    const realRandom = Math.random;
    const forbidden = () => {
      throw new Error('wall clock or Math.random used inside a simulation');
    };
    const options = { protocol: 'bft', seed: 5, latency: 'lan', faults: 'none' as const, ops: 2, f: 1, crash: 'p2@30' };
    let first;
    Date.now = forbidden;
    Math.random = forbidden;
    try {
      first = await runScenario(options, 'hash');
    } finally {
      Date.now = realNow;
      Math.random = realRandom;
    }
    assert.equal(first.ok, true, JSON.stringify(first.violations));
    assert.equal((await runScenario(options, 'hash')).traceHash, first.traceHash);
  });
});
