import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NoteEvent } from '../fabric/index.js';
import { commitMetrics, failoverMetrics, failoverTrials, percentile, throughput } from './muMetrics.js';
import { leaderAt } from './mu.js';

/** The pure computations behind Mu's `metrics.commit`, `throughput`, `metrics.failover` (docs/metrics.md). */
function note(time: number, process: number, kind: string, detail: Record<string, number> = {}): NoteEvent {
  return { time, process, kind, detail } as NoteEvent;
}

describe('Mu metrics from notes', () => {
  it('percentiles are nearest-rank', () => {
    assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
    assert.equal(percentile([1, 2, 3, 4], 0.99), 4);
    assert.equal(percentile([7], 0.5), 7);
  });

  it('commit latency runs from an entry\'s start to its decide, scaled to the unit', () => {
    const notes = [note(0, 0, 'leading', { ballot: 1 }), note(2, 0, 'decide', { index: 0, ballot: 1, started: 0 }), note(5, 0, 'decide', { index: 1, ballot: 1, started: 1 }), note(5, 1, 'learn', { index: 0 })];
    assert.deepEqual(commitMetrics(notes), { p50: 2, p99: 4, count: 2 });
    assert.deepEqual(commitMetrics(notes, 250), { p50: 500, p99: 1000, count: 2 });
    assert.equal(commitMetrics([note(0, 0, 'leading', { ballot: 1 })]), null);
    // Two entries from the first start (0) to the last decide (5): 400 per 1000 time units.
    assert.equal(throughput(notes), 400);
    assert.equal(throughput(notes, 1000), 0.4);
  });

  it('fail-over is null while the leader never changed', () => {
    assert.equal(failoverMetrics([note(0, 0, 'leading', { ballot: 1 }), note(2, 0, 'decide', { index: 0, ballot: 1, started: 0 })]), null);
  });

  it('a trial splits into detection (failure → first attempt), permission switch (→ leading) and catch-up (→ first decide)', () => {
    const notes = [
      note(0, 0, 'leading', { ballot: 1 }),
      note(8, 0, 'decide', { index: 3, ballot: 1, started: 6 }),
      note(40, 1, 'attempt', { ballot: 5 }),
      note(50, 1, 'leading', { ballot: 5 }),
      note(53, 1, 'decide', { index: 4, ballot: 5, started: 51 }),
    ];
    // Crashed at 20: detection from the crash.
    assert.deepEqual(failoverMetrics(notes, [{ at: 20, process: 0, kind: 'crash' }]), { p50: 33, max: 33, trials: 1, detection: 20, permissionSwitch: 10, catchUp: 3 });
    // No fault known (a spurious change): from the old term's last decide.
    const [trial] = failoverTrials(notes);
    assert.equal(trial.failedAt, 8);
    assert.equal(trial.detection, 32);
    assert.equal(trial.total, 45);
    // A fault of another process does not count as the leader's failure.
    assert.equal(failoverTrials(notes, [{ at: 20, process: 2, kind: 'crash' }])[0].failedAt, 8);
  });

  it('a trial whose new term never decided counts, but has no fail-over time', () => {
    const notes = [note(0, 0, 'leading', { ballot: 1 }), note(30, 1, 'attempt', { ballot: 5 }), note(35, 1, 'leading', { ballot: 5 })];
    assert.deepEqual(failoverMetrics(notes, [{ at: 10, process: 0, kind: 'pause' }]), { p50: null, max: null, trials: 1, detection: null, permissionSwitch: null, catchUp: null });
  });

  it('the leader at a time is the live process with the highest term not deposed nor abandoned', () => {
    const notes = [note(0, 0, 'leading', { ballot: 1 }), note(30, 1, 'attempt', { ballot: 5 }), note(35, 1, 'leading', { ballot: 5 })];
    assert.equal(leaderAt(notes.slice(0, 1), []), 0);
    assert.equal(leaderAt(notes, []), 1);
    assert.equal(leaderAt(notes, [1]), 0);
    assert.equal(leaderAt([...notes, note(40, 1, 'deposed', { ballot: 5 })], []), 0);
    assert.equal(leaderAt([...notes, note(40, 1, 'attempt', { ballot: 9 })], [0]), undefined);
  });
});
