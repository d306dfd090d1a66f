import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryEvent } from '../../fabric/index.js';
import { benchPlans, casesOf } from './swarm.js';
import { latenciesByFunction as latenciesOf, operationCosts, roundTripFigures } from './swarmFigures.js';
import { baselineCase, benchRows, caseCosts, rawOperation, ratio, swarmTargets, within, writeRatio, type BenchAlgorithm, type BenchBackend, type BenchCase, type Measurement } from './swarmRows.js';

/** A measurement whose every op has `count` latencies all equal to `latency` (µs), with the given fast-path share. */
function measured(backend: BenchBackend, algorithm: BenchAlgorithm, benchCase: BenchCase, ops: Record<string, { latency: number; share?: number; rtt?: number; count?: number }>, ok = true, workload = benchCase === 'contention' ? 'contention' : 'solo'): Measurement {
  const byOp = Object.fromEntries(
    Object.entries(ops).map(([op, figures]) => [op, { latencies: Array.from({ length: figures.count ?? 10 }, () => figures.latency), rttP50: figures.rtt ?? 1, rttP99: figures.rtt ?? 1, fastPathShare: figures.share ?? 1 }]),
  );
  return { backend, algorithm, case: benchCase, workload, ok, byOp, command: `mnm run ${algorithm}` };
}

const floors = { sim: { read: 2, write: 2, source: 'raw, one client' }, tcp: { read: 25, write: 20, source: 'verbs' } };

describe('mnm bench swarm: rows, ratios and targets (pure)', () => {
  it('ratio: two decimals, null without both figures or over 0', () => {
    assert.equal(ratio(4.03, 2.02), 2);
    assert.equal(ratio(1, 3), 0.33);
    assert.equal(ratio(null, 2), null);
    assert.equal(ratio(2, undefined), null);
    assert.equal(ratio(2, 0), null);
    assert.deepEqual([rawOperation('get'), rawOperation('put'), rawOperation('read'), rawOperation('write')], ['read', 'write', 'read', 'write']);
    assert.deepEqual((['uncontended', 'contention', 'skew', 'memory-crashed'] as const).map(baselineCase), ['uncontended', 'contention', 'uncontended', 'uncontended']);
  });

  it('sets each row against raw in the same case on the same backend (a crashed memory against raw uncontended), and against the verb floor', () => {
    const rows = benchRows(
      [
        measured('sim', 'raw', 'uncontended', { read: { latency: 2 }, write: { latency: 2.5 } }),
        measured('sim', 'raw', 'contention', { read: { latency: 4 }, write: { latency: 4 } }),
        measured('sim', 'dm-abd', 'uncontended', { read: { latency: 2 }, write: { latency: 5, rtt: 2, share: 0 } }),
        measured('sim', 'dm-abd', 'contention', { write: { latency: 6, rtt: 2, share: 0 } }),
        measured('sim', 'swarm-kv', 'memory-crashed', { get: { latency: 3 }, put: { latency: 5 } }),
        // Another backend's raw is no baseline here.
        measured('tcp', 'raw', 'uncontended', { read: { latency: 100 }, write: { latency: 100 } }),
      ],
      floors,
    );
    const row = (algorithm: string, op: string, benchCase: string) => rows.find((one) => one.backend === 'sim' && one.algorithm === algorithm && one.op === op && one.case === benchCase);
    assert.deepEqual([row('dm-abd', 'write', 'uncontended')?.p50VsRaw, row('dm-abd', 'write', 'uncontended')?.p50VsFloor, row('dm-abd', 'write', 'uncontended')?.fastPathShare], [2, 2.5, 0]);
    assert.equal(row('dm-abd', 'write', 'contention')?.p50VsRaw, 1.5);
    assert.equal(row('dm-abd', 'read', 'uncontended')?.p50VsRaw, 1);
    assert.deepEqual([row('swarm-kv', 'get', 'memory-crashed')?.p50VsRaw, row('swarm-kv', 'put', 'memory-crashed')?.p50VsRaw], [1.5, 2]);
    assert.equal(rows.find((one) => one.backend === 'tcp')?.p50VsFloor, 4);
    // Raw in another workload is no baseline: a uniform row needs raw uniform.
    const otherWorkload = benchRows([measured('sim', 'raw', 'uncontended', { read: { latency: 2 } }), measured('sim', 'dm-abd', 'uncontended', { read: { latency: 2 } }, true, 'uniform')], floors);
    assert.equal(otherWorkload.find((one) => one.algorithm === 'dm-abd')?.p50VsRaw, null);
    // A raw run that failed its checks is no baseline.
    const failedRaw = benchRows([measured('sim', 'raw', 'uncontended', { read: { latency: 2 } }, false), measured('sim', 'dm-abd', 'uncontended', { read: { latency: 2 } })], floors);
    assert.equal(failedRaw.find((one) => one.algorithm === 'dm-abd')?.p50VsRaw, null);
  });

  it('tables the cost of contention and skew as ratios to the uncontended case, with the fast-path shares', () => {
    const rows = benchRows(
      [
        measured('sim', 'safe-guess', 'uncontended', { write: { latency: 2, share: 1 } }),
        measured('sim', 'safe-guess', 'contention', { write: { latency: 5, share: 0.6 } }),
        measured('sim', 'safe-guess', 'skew', { write: { latency: 3, share: 0.9 } }),
      ],
      floors,
    );
    assert.deepEqual(caseCosts(rows), [{ backend: 'sim', algorithm: 'safe-guess', op: 'write', contentionP50: 2.5, contentionP99: 2.5, skewP50: 1.5, skewP99: 1.5, fastPath: { uncontended: 1, contention: 0.6, skew: 0.9 } }]);
  });

  it("judges the issue's targets: DM-ABD / Safe-Guess write ≈ 2, ≥ 99 % in one round trip, SWARM-KV within 1.5x of raw with a memory crashed", () => {
    const runs = [
      measured('tcp', 'raw', 'uncontended', { read: { latency: 100 }, write: { latency: 100 } }),
      measured('tcp', 'dm-abd', 'uncontended', { write: { latency: 400, rtt: 2, share: 0 } }),
      measured('tcp', 'safe-guess', 'uncontended', { read: { latency: 150, share: 1, count: 100 }, write: { latency: 210, share: 0.98, count: 100 } }),
      measured('tcp', 'swarm-kv', 'memory-crashed', { get: { latency: 140 }, put: { latency: 160 } }),
    ];
    const verdicts = swarmTargets(benchRows(runs, floors), new Set(), ['tcp']);
    assert.deepEqual(
      verdicts.map((verdict) => [verdict.name, verdict.met]),
      [
        ['tcp: DM-ABD write p50 / Safe-Guess write p50, uncontended (≈ 2)', true],
        ['tcp: Safe-Guess operations in one round trip, uncontended', true],
        ['tcp, memory m2 crashed: SWARM-KV get p50 / raw read p50', true],
        ['tcp, memory m2 crashed: SWARM-KV put p50 / raw write p50', false],
      ],
    );
    assert.match(verdicts[0].line, /1\.9 x/);
    // In different workloads (DM-ABD has no solo), each is first set against raw in its own workload.
    const mixed = benchRows(
      [
        measured('sim', 'raw', 'uncontended', { write: { latency: 2 } }, true, 'solo'),
        measured('sim', 'raw', 'uncontended', { write: { latency: 3 } }, true, 'uniform'),
        measured('sim', 'dm-abd', 'uncontended', { write: { latency: 6 } }, true, 'uniform'),
        measured('sim', 'safe-guess', 'uncontended', { write: { latency: 2 } }, true, 'solo'),
      ],
      floors,
    );
    assert.deepEqual(writeRatio(mixed, 'sim'), { value: 2, normalized: true });
    assert.match(swarmTargets(mixed, new Set(), ['sim'])[0].line, /each over raw in its workload, uniform \/ solo\): 2 x/);
    assert.match(verdicts[1].line, /99%/);
    // Absent algorithms: every target that needs them is "not measured", NOT met.
    const absent = swarmTargets(benchRows([runs[0], runs[1]], floors), new Set(['safe-guess', 'swarm-kv']), ['tcp']);
    assert.ok(absent.every((verdict) => !verdict.met && /not measured \((safe-guess|swarm-kv) is not registered yet\)/.test(verdict.line)), absent.map((verdict) => verdict.line).join('\n'));
    assert.equal(within('a', 2.6, 1.5, 2.5).met, false);
    assert.equal(within('a', 1.5, 1.5, 2.5).met, true);
  });

  it('reads latencies from a history in µs, dropping each client’s warm-up', () => {
    const history: HistoryEvent[] = [];
    let op = 0;
    for (const process of [0, 1]) {
      for (let index = 0; index < 5; index++) {
        op++;
        const start = index * 10;
        history.push({ process, type: 'invoke', f: index % 2 === 0 ? 'read' : 'write', value: null, time: start, op });
        history.push({ process, type: 'ok', f: index % 2 === 0 ? 'read' : 'write', value: null, time: start + index + 1 + process, op });
      }
    }
    const all = latenciesOf(history, 250, 0);
    assert.deepEqual(all.get('read'), [250, 750, 1250, 500, 1000, 1500]);
    const warm = latenciesOf(history, 250, 0.2);
    // Each client's first of five operations (a read) is not counted.
    assert.deepEqual(warm.get('read'), [750, 1250, 1000, 1500]);
    assert.deepEqual(warm.get('write'), [500, 1000, 750, 1250]);
  });

  it("reads op-cost notes, with SWARM-KV's cache outcome when noted, into round-trip figures", () => {
    const costs = operationCosts([
      { kind: 'op-cost', detail: { f: 'get', roundTrips: 1, cache: 'hit' } },
      { kind: 'op-cost', detail: { f: 'put', roundTrips: 3, cacheHit: false } },
      { kind: 'op-cost', detail: { f: 'read', roundTrips: 2 } },
      { kind: 'decide', detail: { f: 'read', roundTrips: 9 } },
    ]);
    assert.deepEqual(costs, [
      { f: 'get', roundTrips: 1, cache: 'hit' },
      { f: 'put', roundTrips: 3, cache: 'miss' },
      { f: 'read', roundTrips: 2, cache: null },
    ]);
    assert.deepEqual(roundTripFigures([1, 1, 0, 2, 4]), { count: 5, rttP50: 1, rttP99: 4, rttMax: 4, fastPathShare: 0.6 });
  });

  it('plans raw in every (case, workload) the rows are set against; --quick runs every case on the simulator, fewer on shm and tcp', () => {
    assert.deepEqual(casesOf('sim', true), ['uncontended', 'contention', 'skew', 'memory-crashed']);
    assert.deepEqual(casesOf('tcp', true), ['uncontended', 'contention', 'memory-crashed']);
    assert.deepEqual(casesOf('shm', true), ['uncontended']);
    assert.deepEqual(casesOf('shm', false), ['uncontended', 'contention', 'skew', 'memory-crashed']);
    const workloads: Record<string, readonly string[]> = { raw: ['uniform', 'contention', 'solo'], 'dm-abd': ['uniform', 'contention'], 'safe-guess': ['uniform', 'contention', 'solo', 'idle'], 'swarm-kv': ['ycsb-a'] };
    const { plans, unfit } = benchPlans('tcp', true, (algorithm) => workloads[algorithm], ['raw', 'dm-abd', 'safe-guess', 'swarm-kv']);
    const names = (list: readonly { algorithm: string; case: string; workload: string }[]) => list.map((plan) => `${plan.algorithm} ${plan.case} ${plan.workload}`);
    assert.deepEqual(names(plans), [
      'raw uncontended solo',
      'raw contention contention',
      'raw uncontended uniform',
      'dm-abd uncontended uniform',
      'dm-abd contention contention',
      'dm-abd memory-crashed uniform',
      'safe-guess uncontended solo',
      'safe-guess contention contention',
      'safe-guess memory-crashed solo',
    ]);
    assert.deepEqual(names(unfit), ['swarm-kv uncontended -', 'swarm-kv contention -', 'swarm-kv memory-crashed -']);
    // On shm --quick runs the uncontended case only: raw too.
    assert.deepEqual(names(benchPlans('shm', true, (algorithm) => workloads[algorithm], ['raw', 'dm-abd']).plans), ['raw uncontended solo', 'raw uncontended uniform', 'dm-abd uncontended uniform']);
  });
});
