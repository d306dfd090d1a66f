import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunReport } from './index.js';
import { conflicting, viewChangeSchedules } from './bftSchedules/viewChange.js';
import type { BftSchedule } from './bftSchedules/schedule.js';
import type { BftMutant } from '../protocols/byzantine/bft/mutants.js';
import { runSchedule } from './bftSchedules/scheduleRuns.js';

/**
 * The §6 mutants of specs/bft-consensus.md in the request table and the
 * timers, each caught by the spec's interleaving as a built-in schedule
 * (bftSchedules/viewChange.ts, on the harness of viewChangeHarness.ts):
 * the same schedule on correct code is safe (and live where it owes it),
 * on the mutant the scenario's checks report the violation.
 */

interface ScriptDetails {
  decisions: { process: number; v: number; i: number; h: string; path: string; time: number }[];
  views: number;
  suspicions: number;
  executed: number;
  sizing: string | null;
  calls: { ok: number; info: number };
  gets: unknown[];
}

function scheduleOf(mutant: BftMutant): BftSchedule {
  const schedule = viewChangeSchedules.find((candidate) => candidate.mutant === mutant);
  assert.ok(schedule, `a view-change schedule for ${mutant}`);
  return schedule;
}

/** Runs the schedule of `name` (seed 1, unit latency, its own pauses and crashes) on correct code, or on `mutant`. */
async function run(name: BftMutant, mutant?: BftMutant): Promise<RunReport & { details: ScriptDetails }> {
  const schedule = scheduleOf(name);
  const report = await runSchedule(schedule, 1, mutant);
  return report as RunReport & { details: ScriptDetails };
}

const properties = (report: RunReport) => report.violations.map((violation) => violation.property);

describe('bft mutants of the request table and timers (§6), caught by scripted schedules', () => {
  it('no-dedupe (2.4.8): b = p0 proposes the resent append(x, a) at 0 and again at 1; correct replicas run it once, the mutant twice and get sees "aa"', async () => {
    const correct = await run('no-dedupe');
    assert.deepEqual(correct.violations, [], 'correct: safe and live');
    assert.equal(correct.linearizable, true);
    assert.deepEqual(correct.details.gets, ['a']);
    assert.ok(correct.details.views >= 1, 'the all-skipped batch at 1 is a trigger (§2.5.1): view 1 serves the get');
    const mutant = await run('no-dedupe', 'no-dedupe');
    assert.ok(properties(mutant).includes('integrity'), JSON.stringify(mutant.violations));
    assert.ok(properties(mutant).includes('linearizability'), JSON.stringify(mutant.violations));
    assert.equal(mutant.linearizable, false);
    assert.deepEqual(mutant.details.gets, ['aa']);
  });

  it('op-executed (2.4.8): a conflicting client sends op1 to the leader and op2 under the same (c, s) to p2 only; the mutant runs both', async () => {
    const correct = await run('op-executed');
    assert.deepEqual(correct.violations, [], 'correct: (c, 1) ran, so op2 is settled at p2 and answered again at p0');
    assert.equal(correct.linearizable, true);
    const mutant = await run('op-executed', 'op-executed');
    assert.ok(
      mutant.violations.some((violation) => violation.property === 'integrity' && violation.detail.includes(`(${conflicting}/1) twice`)),
      JSON.stringify(mutant.violations),
    );
  });

  it('fixed-timers (2.5.4): n = 5, Tdecide = Tslow + 1; b1, b2 withhold everything (crashed), so each decision is slow and a Tdecide ends the view; doubling outgrows it, fixed timers never do', async () => {
    const correct = await run('fixed-timers');
    assert.deepEqual(correct.violations, [], 'correct: the timers doubled once and view 1 decided');
    assert.ok(correct.details.suspicions > 0 && correct.details.views >= 1, JSON.stringify(correct.details));
    assert.deepEqual(correct.details.gets, ['a']);
    const mutant = await run('fixed-timers', 'fixed-timers');
    assert.ok(properties(mutant).includes('liveness'), JSON.stringify(mutant.violations));
    assert.equal(mutant.details.executed, 0, 'every view ended on Tdecide before its slow path decided');
    // The views it is sized for ran out (§2.1's stream-full): a consequence of the endless view changes.
    assert.equal(mutant.details.sizing, 'stream-full');
  });

  it('old-treq (2.4.8): p0 pauses; R\'s Treq ends view 0 at p2; b = p1 leads view 1 and censors R; only a restarted Treq suspects b', async () => {
    const correct = await run('old-treq');
    assert.deepEqual(correct.violations, [], 'correct: both restart Treq in view 1, seal it, and view 2 (p2) runs R');
    assert.ok(correct.details.views >= 2, JSON.stringify(correct.details));
    const mutant = await run('old-treq', 'old-treq');
    // The client's call never completes: it gives up (liveness) or is still waiting at the horizon (termination).
    assert.ok(properties(mutant).some((property) => property === 'liveness' || property === 'termination'), JSON.stringify(mutant.violations));
    assert.equal(mutant.details.calls.ok, 0);
    assert.equal(mutant.details.views, 1, 'stuck in b\'s view 1: p2\'s Treq ran out in view 0 and was not restarted');
  });
});

describe('bft mutant lowest-view (§6), caught by a scripted schedule', () => {
  it('lowest-view (2.6.4): b commits A in view 0 (PC {b, p1}); view 1 decides C at p1, which pauses; NEW_VIEW(2) from {b, p2} must fix C, not A', async () => {
    const correct = await run('lowest-view');
    assert.deepEqual(correct.violations, [], 'correct: the highest-view entry (1, 0, C) wins');
    const decided = (report: typeof correct) => report.details.decisions.map((decision) => `p${decision.process} v${decision.v} i${decision.i} ${decision.h}`);
    const [c, again] = correct.details.decisions;
    assert.deepEqual([c.process, c.v, c.path, again.process, again.v], [1, 1, 'fast', 2, 2], decided(correct).join(', '));
    assert.equal(again.h, c.h, 'p2 decides C in view 2');
    const mutant = await run('lowest-view', 'lowest-view');
    assert.ok(properties(mutant).includes('agreement'), JSON.stringify(mutant.violations));
    const [first, second] = mutant.details.decisions;
    assert.notEqual(second.h, first.h, `p2 decides A in view 2 where p1 decided C in view 1: ${decided(mutant).join(', ')}`);
  });
});
