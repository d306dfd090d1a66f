import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findScenario } from '../../scenarios/index.js';
import { capturedMain } from '../_capturedMain.js';
import { defaultSwarmTableConfig, expectationFor, measureSwarmTable, rowsOf, swarmTable, workloadFor, type MeasuredRun, type SwarmTable } from './swarm.js';

const io = { stdout: () => {}, stderr: () => {}, stderrIsTerminal: false };
/** Smaller than the command's runs (one seed, 30 operations per client): the same cases and figures. */
const small = { ...defaultSwarmTableConfig, seeds: [1], ops: 30 };

type Row = Record<string, unknown>;
function rowOf(table: SwarmTable, algorithm: string, op: string, swarmCase: string, cache: string | null = null): Row {
  const found = table.rows.find((row) => row.algorithm === algorithm && row.op === op && row.case === swarmCase && row.cache === cache);
  assert.ok(found, `no row ${algorithm} ${op} ${swarmCase} ${cache ?? ''}`);
  return found;
}

function assertWellFormed(table: SwarmTable): void {
  for (const row of table.rows) {
    assert.equal(row.ok, true, String(row.replay));
    const share = row.fastPathShare as number;
    assert.ok(share >= 0 && share <= 1, `fastPathShare ${share}`);
    assert.ok((row.rttP50 as number) <= (row.rttP99 as number) && (row.rttP99 as number) <= (row.rttMax as number));
    assert.ok(['read', 'write', 'get', 'put'].includes(String(row.op)), String(row.op));
    assert.ok(['uncontended', 'contention', 'skew'].includes(String(row.case)));
    assert.ok(row.cache === null || row.cache === 'hit' || row.cache === 'miss');
    for (const hash of row.traceHashes as string[]) assert.match(hash, /^sha256:/);
  }
}

describe('mnm table swarm', () => {
  it("measures raw, ABD and DM-ABD next to the spec's §7: DM-ABD writes in 2, In-n-Out reads in 1, raw in 1/1", async () => {
    const table = await measureSwarmTable({ ...small, algorithms: ['raw', 'abd', 'dm-abd'] }, io, true);
    assertWellFormed(table);
    for (const op of ['read', 'write']) {
      const raw = rowOf(table, 'raw', op, 'uncontended');
      assert.deepEqual([raw.rttP50, raw.rttP99, raw.fastPathShare, raw.expected, raw.delaysP50], [1, 1, 1, '1', 2], op);
    }
    for (const swarmCase of ['uncontended', 'contention', 'skew']) {
      const write = rowOf(table, 'dm-abd', 'write', swarmCase);
      assert.deepEqual([write.rttP50, write.rttP99, write.fastPathShare, write.expected], [2, 2, 0, '2'], swarmCase);
      // Under `unit` a round trip is 2 one-way delays: the counted round trips agree with the history's latency.
      assert.equal(write.delaysP50, 4);
      assert.equal(rowOf(table, 'abd', 'write', swarmCase).rttP50, 1);
    }
    const read = rowOf(table, 'dm-abd', 'read', 'uncontended');
    assert.deepEqual([read.rttP50, read.expected, read.expectedColumn], [1, '1', 'no contention, clocks in sync']);
    // Without overlapping operations (solo) an In-n-Out read never writes back; under uniform think times some do.
    if (read.workload === 'solo') assert.equal(read.fastPathShare, 1);
    assert.equal(rowOf(table, 'raw', 'read', 'uncontended').workload, 'solo');
    assert.equal(rowOf(table, 'dm-abd', 'read', 'contention').expected, '2-3');
    // Each client runs 30 operations on one seed: every operation is in exactly one row.
    const dmAbdOps = table.rows.filter((row) => row.algorithm === 'dm-abd' && row.case === 'uncontended').reduce((sum, row) => sum + (row.ops as number), 0);
    assert.equal(dmAbdOps, small.clients * small.ops);
    assert.match(String(rowOf(table, 'dm-abd', 'read', 'skew').replay), /--skew 10 --drift 10000/);
    assert.match(swarmTable.render(table), /dm-abd\s+write\s+uncontended\s+(solo|uniform)\s+-\s+2\s+2\s+2\s+0%\s+2\b/);
  });

  it('prints exactly one JSON object with --json, and absent algorithms as notes on stderr, never as rows', async () => {
    const run = await capturedMain('table', 'swarm', '--json');
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const table = JSON.parse(lines[0]) as SwarmTable;
    assertWellFormed(table);
    for (const algorithm of ['raw', 'abd', 'dm-abd', 'dm-abd-out-of-place', 'safe-guess', 'swarm-kv']) {
      const registered = findScenario(algorithm) !== undefined;
      // A registered algorithm must have rows: a case it refuses is in `absent` with its reason (shown here), never silently dropped.
      assert.equal(table.rows.some((row) => row.algorithm === algorithm), registered, `${algorithm}: ${JSON.stringify(table.absent.filter((entry) => entry.algorithm === algorithm))}`);
      assert.equal(table.absent.some((entry) => entry.algorithm === algorithm && entry.case === null), !registered, algorithm);
      if (!registered) assert.match(run.stderr, new RegExp(`${algorithm}: not registered yet`));
    }
  });

  it('builds rows from op-cost notes (pure): fast-path share, p99, cache outcomes split, expectations from §7', () => {
    const run = (costs: MeasuredRun['costs']): MeasuredRun => ({ seed: 1, ok: true, traceHash: 'sha256:x', replay: 'mnm run …', costs, history: [], counters: { staleGuesses: 2 } });
    const many = Array.from({ length: 98 }, () => ({ f: 'get', roundTrips: 1, cache: 'hit' as const }));
    const rows = rowsOf('swarm-kv', 'contention', 'contention', [run([...many, { f: 'get', roundTrips: 4, cache: 'hit' }, { f: 'get', roundTrips: 3, cache: 'miss' }]), run([{ f: 'get', roundTrips: 5, cache: 'hit' }, { f: 'put', roundTrips: 3, cache: 'miss' }])]);
    assert.deepEqual(
      rows.map((row) => [row.op, row.cache, row.rttP50, row.rttP99, row.rttMax, row.ops, row.expected]),
      [
        ['get', 'hit', 1, 4, 5, 100, '2-4'],
        ['get', 'miss', 3, 3, 3, 1, '3-5'],
        ['put', 'miss', 3, 3, 3, 1, '4-6'],
      ],
    );
    assert.equal(rows[0].fastPathShare, 0.98);
    assert.deepEqual(rows[0].counters, { staleGuesses: 4 });
    assert.deepEqual(expectationFor('safe-guess', 'write', 'uncontended', null), { expected: '1', column: 'no contention, clocks in sync', source: '§7 Safe-Guess write' });
    assert.equal(expectationFor('swarm-kv', 'put', 'uncontended', 'miss')?.expected, '3');
    assert.equal(expectationFor('dm-abd-out-of-place', 'read', 'uncontended', null)?.expected, '2');
    assert.equal(expectationFor('dm-abd', 'scan', 'uncontended', null), null);
    assert.deepEqual([workloadFor('uncontended', ['uniform', 'contention', 'solo']), workloadFor('skew', ['uniform', 'contention']), workloadFor('contention', ['uniform', 'contention']), workloadFor('contention', ['ycsb-a'])], ['solo', 'uniform', 'contention', undefined]);
  });

  it('Safe-Guess: writes and reads in one round trip without contention (§7), every case measured', { skip: findScenario('safe-guess') ? false : 'the safe-guess scenario is not registered yet' }, async () => {
    const table = await measureSwarmTable({ ...small, algorithms: ['safe-guess'] }, io, true);
    assertWellFormed(table);
    for (const op of ['read', 'write']) {
      const row = rowOf(table, 'safe-guess', op, 'uncontended');
      assert.equal(row.rttP50, 1, op);
      assert.equal(row.expected, '1');
      // §7 and the issue: without contention (solo: no two operations overlap), at least 99 % in one round trip.
      if (row.workload === 'solo') assert.ok((row.fastPathShare as number) >= 0.99, `${op}: ${row.fastPathShare}`);
      for (const swarmCase of ['contention', 'skew']) assert.ok((rowOf(table, 'safe-guess', op, swarmCase).ops as number) > 0);
    }
  });

  it("DM-ABD out of place: every read fetches (2 round trips), writes 2", { skip: findScenario('dm-abd-out-of-place') ? false : 'the dm-abd-out-of-place scenario is not registered yet' }, async () => {
    const table = await measureSwarmTable({ ...small, algorithms: ['dm-abd-out-of-place'] }, io, true);
    assertWellFormed(table);
    assert.equal(rowOf(table, 'dm-abd-out-of-place', 'read', 'uncontended').rttP50, 2);
    assert.equal(rowOf(table, 'dm-abd-out-of-place', 'write', 'uncontended').rttP50, 2);
  });

  it('SWARM-KV: get and put rows; a cache hit costs one round trip without contention', { skip: findScenario('swarm-kv') ? false : 'the swarm-kv scenario is not registered yet' }, async () => {
    const table = await measureSwarmTable({ ...small, algorithms: ['swarm-kv'] }, io, true);
    assertWellFormed(table);
    const uncontended = table.rows.filter((row) => row.case === 'uncontended');
    assert.ok(uncontended.some((row) => row.op === 'get') && uncontended.some((row) => row.op === 'put'));
    for (const row of uncontended.filter((one) => one.cache === 'hit')) assert.equal(row.rttP50, 1, String(row.op));
  });
});
