import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decisionTargets, instanceDecisions, leaderWriteReference, logDecisions, measureEchoFloor, measureFloor, type DecisionFigures } from './backends.js';
import { loadLogTarget } from './logDecisions.js';

/**
 * The backend bench's bodies on real backends, with tiny counts: they run to
 * the end, measure every decision they were asked for, and relate them to the
 * floor. No timing is asserted (the machine is shared).
 */
describe('bench backends: floor and decisions', () => {
  const counts = { warmup: 3, sequential: 6, windowed: 12 };

  for (const backend of ['shm', 'tcp'] as const) {
    it(`${backend}: the floor and the leader-write reference log measure what they were asked`, async () => {
      const floor = await measureFloor(backend, 50);
      assert.equal(floor.memories, 3);
      assert.equal(floor.needed, 2);
      assert.ok(floor.sequential.p50 > 0 && floor.sequential.p99 >= floor.sequential.p50);
      assert.ok(floor.pipelinedPerSecond > 0);
      const log = await logDecisions(backend, leaderWriteReference, counts, floor);
      assert.equal(log.measured, 'log');
      assert.ok(log.sequential.p50 > 0 && log.windowed.perSecond > 0);
      assert.equal(log.p50TimesFloor, Math.round((log.sequential.p50 / floor.sequential.p50) * 100) / 100);
      const echo = await measureEchoFloor(backend, 50);
      assert.equal(echo.needed, 1, 'with the sender, one echo of two makes a majority of 3');
      assert.ok(echo.sequential.p50 > 0 && echo.pipelinedPerSecond > 0);
    });
  }

  it('shm: PMP single-decree instances decide one at a time and in a window', async () => {
    const floor = await measureFloor('shm', 50);
    const pmp = await instanceDecisions('shm', 'pmp', counts, floor);
    assert.equal(pmp.measured, 'instances');
    assert.ok(pmp.sequential.perSecond > 0 && pmp.windowed.perSecond > 0);
    assert.ok(pmp.p50TimesFloor > 0);
  });

  it('a log target that is not exported is refused by name', async () => {
    await assert.rejects(loadLogTarget({ module: leaderWriteReference.module, export: 'noSuchTarget' }), /exports no LogBenchTarget 'noSuchTarget'/);
  });

  it('targets: met and NOT met follow the ratios', () => {
    const figures = (p50TimesFloor: number, p50: number, percent: number): DecisionFigures => ({
      measured: 'log',
      sequential: { p50, p99: p50, perSecond: 1 },
      windowed: { p50, p99: p50, perSecond: 1 },
      window: 16,
      p50TimesFloor,
      p99TimesFloor: p50TimesFloor,
      windowedPercentOfFloorPipelined: percent,
    });
    const verdicts = decisionTargets({ shm: { pmp: figures(2.5, 10, 40), paxos: figures(9, 40, 5) }, tcp: { pmp: figures(2.5, 100, 1), paxos: figures(1, 80, 1) } });
    assert.deepEqual(
      verdicts.map((verdict) => verdict.met),
      [true, false, false, true],
    );
    assert.ok(verdicts.every((verdict) => verdict.line.includes('PMP-log')));
  });
});
