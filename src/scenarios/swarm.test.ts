import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findScenario, runScenario, type RunReport } from './index.js';
import { mixedRunOptions } from './mix.js';
import { checkRegular } from '../check/regular.js';

/**
 * The SWARM scenarios (docs/swarm.md): round trips in the common case, a
 * mixed sweep of each protocol without a violation, and every mutant caught
 * at the first seed of the mixed sweep that catches it (measured with
 * `mnm sweep <name> --mix --mutant <m> --seeds 500`), where the correct
 * protocol passes.
 */
const seeds = process.env.MNM_LONG ? 500 : 300;

const caught: Readonly<Record<string, Readonly<Record<string, { readonly at: number; readonly property: string }>>>> = {
  abd: {
    'no-write-back': { at: 9, property: 'linearizability' },
    'write-back-to-f': { at: 72, property: 'linearizability' },
  },
  'max-register': {
    'cas-stops-on-failure': { at: 7, property: 'write-read monotonicity' },
    'cas-retry-while-unequal': { at: 1, property: 'read-read monotonicity' },
    'no-write-back': { at: 36, property: 'read-read monotonicity' },
    'write-back-to-f': { at: 317, property: 'read-read monotonicity' },
    'write-back-to-responders-only': { at: 350, property: 'termination' },
  },
  'dm-abd': {
    'no-write-back': { at: 321, property: 'linearizability' },
    'write-without-scan': { at: 11, property: 'linearizability' },
    'write-back-to-f': { at: 321, property: 'linearizability' },
    'write-back-to-responders-only': { at: 42, property: 'termination' },
    'fetch-one-memory': { at: 988, property: 'termination' },
  },
  'dm-abd-out-of-place': {
    'no-write-back': { at: 1152, property: 'linearizability' },
    'write-without-scan': { at: 14, property: 'linearizability' },
    'write-back-to-f': { at: 1152, property: 'linearizability' },
    'write-back-to-responders-only': { at: 135, property: 'termination' },
    'fetch-one-memory': { at: 88, property: 'termination' },
  },
};

function mixed(protocol: string, seed: number, mutant?: string): Promise<RunReport> {
  const scenario = findScenario(protocol);
  assert.ok(scenario, protocol);
  return runScenario(mixedRunOptions(scenario, seed, mutant ? { mutant } : {}), 'off');
}

type RoundTrips = Record<string, { count: number; p50: number; p99: number; max: number; oneRoundTrip: number }>;

async function roundTrips(protocol: string, workload: string, n = 4): Promise<RoundTrips> {
  const report = await runScenario({ protocol, seed: 5, latency: 'unit', faults: 'none', workload, n, ops: 20 }, 'off');
  assert.deepEqual(report.violations, []);
  assert.equal(report.ok, true);
  return (report.details as { roundTrips: RoundTrips }).roundTrips;
}

describe('SWARM scenarios: round trips per operation', () => {
  it('abd: writes take 1 round trip; reads 1, or 2 with a write-back', async () => {
    const costs = await roundTrips('abd', 'uniform');
    assert.deepEqual([costs.write.p50, costs.write.max], [1, 1]);
    assert.equal(costs.read.p50, 1);
    assert.ok(costs.read.max <= 2);
    assert.equal(costs.read.count + costs.write.count, 80);
  });

  it('dm-abd (In-n-Out), one client: writes take 2 round trips (scan, publish), reads 1 (IP holds the value)', async () => {
    const costs = await roundTrips('dm-abd', 'uniform', 1);
    assert.deepEqual([costs.write.p50, costs.write.max], [2, 2]);
    assert.deepEqual([costs.read.p50, costs.read.max], [1, 1]);
  });

  it('dm-abd-out-of-place, one client: writes take 2 round trips, reads 2 (scan, fetch) once anything was written', async () => {
    const costs = await roundTrips('dm-abd-out-of-place', 'uniform', 1);
    assert.deepEqual([costs.write.p50, costs.write.max], [2, 2]);
    assert.deepEqual([costs.read.p50, costs.read.max], [2, 2]);
  });

  it('dm-abd under contention: writes 2 round trips; reads 1 to 3 (fetch when IP holds another write, write-back), most in 1', async () => {
    const costs = await roundTrips('dm-abd', 'contention');
    assert.deepEqual([costs.write.p50, costs.write.max], [2, 2]);
    assert.equal(costs.read.p50, 1);
    assert.ok(costs.read.max >= 2 && costs.read.max <= 3, `read max ${costs.read.max}`);
  });

  it('dm-abd-out-of-place under contention: writes 2; reads 2, 3 with a write-back', async () => {
    const costs = await roundTrips('dm-abd-out-of-place', 'contention');
    assert.deepEqual([costs.write.p50, costs.write.max], [2, 2]);
    assert.equal(costs.read.p50, 2);
    assert.ok(costs.read.max <= 3, `read max ${costs.read.max}`);
  });

  it('max-register: writes 0-1 round trips with a buffer each; reads 1-2', async () => {
    const costs = await roundTrips('max-register', 'uniform');
    assert.ok(costs.write.max <= 1, `write max ${costs.write.max}`);
    assert.ok(costs.read.p50 === 1 && costs.read.max <= 2);
  });

  it('max-register with shared buffers: a write may retry its CAS', async () => {
    let retried = false;
    for (let seed = 1; seed <= 10 && !retried; seed++) {
      const report = await runScenario({ protocol: 'max-register', seed, latency: 'unit', faults: 'none', workload: 'shared-buffers', n: 4, ops: 20 }, 'off');
      assert.deepEqual(report.violations, []);
      retried = ((report.details as { roundTrips: RoundTrips }).roundTrips.write?.max ?? 0) > 1;
    }
    assert.ok(retried, 'some write needed more than one CAS');
  });
});

describe("ABD: the lecture's exercise", () => {
  it('without the write-back the register is regular but not linearizable; with it, linearizable on the same seed', async () => {
    const { at } = caught.abd['no-write-back'];
    const naive = await mixed('abd', at, 'no-write-back');
    assert.deepEqual(naive.violations.map((violation) => violation.property), ['linearizability']);
    assert.deepEqual(checkRegular(naive.history), [], 'the naive register is still regular');
    const repaired = await mixed('abd', at);
    assert.deepEqual(repaired.violations, []);
    assert.deepEqual(checkRegular(repaired.history), []);
  });
});

describe('DM-ABD (both builds) under crashes of memories and clients, torn reads and several latency models', () => {
  for (const protocol of ['dm-abd', 'dm-abd-out-of-place']) {
    for (const latency of ['unit', 'rdma', 'uniform:1:40', 'tail:1:30:0.1']) {
      it(`${protocol}, ${latency}, --faults all --tear 0.5 --workload contention: linearizable and finishing over 40 seeds`, async () => {
        let faulty = 0;
        for (let seed = 1; seed <= 40; seed++) {
          const report = await runScenario({ protocol, seed, latency, faults: 'all', tear: 0.5, workload: 'contention', n: 4, ops: 10 }, 'off');
          if (report.faults.length > 0) faulty++;
          assert.deepEqual(report.violations, [], `mnm run ${protocol} --seed ${seed} --latency ${latency} --faults all --tear 0.5 --workload contention --n 4`);
        }
        assert.ok(faulty >= 30, `faults in ${faulty} of 40 runs`);
      });
    }
  }

  it('a whole tear window (--tear 1): seed 142, where a crash cut an entry short after its CAS landed while the simulator kept order per region only, is linearizable, terminates and keeps Invariant D (docs/swarm.md)', async () => {
    const report = await runScenario({ protocol: 'dm-abd', seed: 142, latency: 'unit', faults: 'all', tear: 1, workload: 'contention', n: 4, ops: 10 }, 'off');
    assert.deepEqual(report.violations, []);
    assert.ok(report.ok || report.blocked);
  });
});

describe('SWARM scenarios: mixed sweeps', () => {
  for (const protocol of Object.keys(caught)) {
    it(`${protocol}: ${seeds} mixed seeds, no violation`, async () => {
      let faulty = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const report = await mixed(protocol, seed);
        if (report.faults.length > 0) faulty++;
        assert.deepEqual(report.violations, [], `seed ${seed}: mnm sweep ${protocol} --mix --first-seed ${seed} --seeds 1`);
        assert.equal(report.ok || report.blocked, true, `seed ${seed}`);
      }
      assert.ok(faulty > seeds / 4, `faults in ${faulty} of ${seeds} runs`);
    });

    for (const [mutant, { at, property }] of Object.entries(caught[protocol])) {
      it(`${protocol} mutant ${mutant} is caught at mixed seed ${at} (${property}); the protocol passes that seed`, async () => {
        const broken = await mixed(protocol, at, mutant);
        assert.ok(broken.violations.some((violation) => violation.property === property), JSON.stringify(broken.violations.map((violation) => violation.property)));
        const correct = await mixed(protocol, at);
        assert.deepEqual(correct.violations, []);
        assert.equal(correct.ok, true);
      });
    }
  }
});
