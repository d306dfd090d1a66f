import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryEvent } from '../../fabric/index.js';
import { casesOf } from './swarm.js';
import { latenciesByFunction as latenciesOf, operationCosts, roundTripFigures } from './swarmFigures.js';
import { baselineCase, benchRows, caseCosts, rawOperation, ratio, swarmTargets, within, type BenchAlgorithm, type BenchBackend, type BenchCase, type Measurement } from './swarmRows.js';

/** A measurement whose every op has `count` latencies all equal to `latency` (µs), with the given fast-path share. */
function measured(backend: BenchBackend, algorithm: BenchAlgorithm, benchCase: BenchCase, ops: Record<string, { latency: number; share?: number; rtt?: number; count?: number }>, ok = true): Measurement {
  const byOp = Object.fromEntries(
    Object.entries(ops).map(([op, figures]) => [op, { latencies: Array.from({ length: figures.count ?? 10 }, () => figures.latency), rttP50: figures.rtt ?? 1, rttP99: figures.rtt ?? 1, fastPathShare: figures.share ?? 1 }]),
  );
  return { backend, algorithm, case: benchCase, ok, byOp, command: `mnm run ${algorithm}` };
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
    assert.equal(baselineCase('memory-crashed'), 'uncontended');
    assert.equal(baselineCase('contention'), 'contention');
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

  it('--quick runs every case on the simulator, fewer on shm and tcp; raw never with a crashed memory', () => {
    assert.deepEqual(casesOf('sim', 'safe-guess', true), ['uncontended', 'contention', 'skew', 'memory-crashed']);
    assert.deepEqual(casesOf('tcp', 'swarm-kv', true), ['uncontended', 'contention', 'memory-crashed']);
    assert.deepEqual(casesOf('shm', 'dm-abd', true), ['uncontended', 'contention']);
    assert.deepEqual(casesOf('shm', 'raw', false), ['uncontended', 'contention', 'skew']);
  });
});
