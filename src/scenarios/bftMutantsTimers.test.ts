import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunReport } from './index.js';
import { flooder, timersSchedules } from './bftSchedules/timers.js';
import type { BftSchedule } from './bftSchedules/schedule.js';
import type { BftMutant } from '../protocols/byzantine/bft/mutants.js';
import { runSchedule } from './bftSchedules/scheduleRuns.js';

/**
 * The §6 mutants of specs/bft-consensus.md in the timers that start
 * obligations (`stale-obligations`, 2.4.3; `fifo-treq`, 2.4.8), each caught
 * by the spec's interleaving as a built-in schedule (bftSchedules/timers.ts,
 * on the harness of viewChangeHarness.ts): the same schedule on correct
 * code is safe and live, on the mutant the scenario's checks
 * (bftProperties) report liveness broken.
 */

interface ScriptDetails {
  views: number;
  suspicions: number;
  executed: number;
  sizing: string | null;
  calls: { ok: number; info: number };
  suspected: Suspicion[];
}

/** A correct replica's suspicion (§2.5.1), from its `bft-suspect` note: the view it sealed and why. */
interface Suspicion {
  readonly process: number;
  readonly view: number;
  readonly reason: string;
}

function scheduleOf(mutant: BftMutant): BftSchedule {
  const schedule = timersSchedules.find((candidate) => candidate.mutant === mutant);
  assert.ok(schedule, `a timers schedule for ${mutant}`);
  return schedule;
}

/** Runs the schedule of `name` (seed 1, unit latency, its own pauses) on correct code or on `mutant`; the suspicions are the run's `bft-suspect` notes (details). */
async function run(name: BftMutant, mutant?: BftMutant): Promise<RunReport & { details: ScriptDetails; suspicions: Suspicion[] }> {
  const schedule = scheduleOf(name);
  const report = (await runSchedule(schedule, 1, mutant)) as RunReport & { details: ScriptDetails };
  return { ...report, suspicions: report.details.suspected };
}

const properties = (report: RunReport) => report.violations.map((violation) => violation.property);

describe('bft mutants of the obligation timers (§6), caught by scripted schedules', () => {
  it('stale-obligations (2.4.3): b = p1 never seals view 1 and keeps proposing in it after the correct replicas left it', async () => {
    const correct = await run('stale-obligations');
    assert.deepEqual(correct.violations, [], 'correct: b\'s stale PREPAREs of view 1 start no timer; view 2 runs every call');
    assert.equal(correct.details.calls.ok, 8);
    assert.equal(correct.details.views, 2, JSON.stringify(correct.details));
    assert.ok(
      correct.suspicions.every((suspicion) => suspicion.view <= 1),
      `only views 0 and 1 end (p0 paused, b censors): ${JSON.stringify(correct.suspicions)}`,
    );
    const mutant = await run('stale-obligations', 'stale-obligations');
    assert.ok(properties(mutant).includes('liveness'), JSON.stringify(mutant.violations));
    assert.ok(mutant.details.calls.info > 0 && mutant.details.calls.ok < 8, JSON.stringify(mutant.details.calls));
    // Views 2 (p2) and 3 (p0), correct leaders, each end on the Tdecide of an instance of view 1, which both replicas left.
    const stale = mutant.suspicions.filter((suspicion) => suspicion.view >= 2 && /^Tdecide: \(1, \d+\)/.test(suspicion.reason));
    for (const view of [2, 3]) {
      for (const replica of [0, 2]) assert.ok(stale.some((suspicion) => suspicion.view === view && suspicion.process === replica), `p${replica} suspects view ${view} on a stale instance: ${JSON.stringify(mutant.suspicions)}`);
    }
    // The views it is sized for ran out (§2.1's stream-full): a consequence of the endless view changes.
    assert.equal(mutant.details.sizing, 'stream-full');
  });

  it("fifo-treq (2.4.8): a flooding client supersedes its REQ at the followers every Tfwd/4; one Treq per (c, s) runs out in every view, b's SEAL joins", async () => {
    const correct = await run('fifo-treq');
    assert.deepEqual(correct.violations, [], 'correct: the flood restarts the followers\' one Treq for c, which never runs out; view 0 runs every call');
    assert.equal(correct.details.calls.ok, 8);
    assert.equal(correct.details.views, 0, JSON.stringify(correct.details));
    assert.deepEqual(correct.suspicions, []);
    const mutant = await run('fifo-treq', 'fifo-treq');
    assert.ok(properties(mutant).includes('liveness'), JSON.stringify(mutant.violations));
    assert.ok(mutant.details.calls.info > 0 && mutant.details.calls.ok < 8, JSON.stringify(mutant.details.calls));
    // Views led by correct replicas end on the Treq of one of the flood's superseded (c, s) — view 1 at its own leader p1.
    const flooded = mutant.suspicions.filter((suspicion) => suspicion.reason.startsWith(`Treq: (${flooder}, `));
    for (const view of [0, 1, 3]) assert.ok(flooded.some((suspicion) => suspicion.view === view), `view ${view} ends on a flood Treq: ${JSON.stringify(mutant.suspicions)}`);
    assert.ok(flooded.some((suspicion) => suspicion.view === 1 && suspicion.process === 1), `p1 suspects the view it leads: ${JSON.stringify(mutant.suspicions)}`);
    // The views it is sized for ran out (§2.1's stream-full): a consequence of the endless view changes.
    assert.equal(mutant.details.sizing, 'stream-full');
  });
});
