import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { holdOnlySnapshotSchedule } from './bftSchedules/transferHoldOnlySnapshot.js';
import { runSchedule } from './bftSchedules/scheduleRuns.js';

/**
 * §6 `hold-only-snapshot` as a whole run (bftSchedules/transferHoldOnlySnapshot.ts):
 * correct p0 and p1, Byzantine b = p2, one client. p0 holds CP(4) and runs
 * 8–11; p1, kept behind, holds CP(8) = {p0, b} and FETCHes it from p0, b
 * silent. Correct code answers from the snapshot at 8 it kept; the mutant
 * kept only its newest (12), so p1 never catches up.
 */

interface TransferDetails {
  readonly fetches: readonly { readonly process: number; readonly next: number; readonly to: number }[];
  readonly skips: readonly { readonly process: number; readonly from: number; readonly to: number }[];
  readonly executed: Readonly<Record<string, number>>;
  readonly calls: { readonly ok: number; readonly info: number };
}

async function runHoldOnlySnapshot(mutant?: string) {
  const schedule = holdOnlySnapshotSchedule;
  const report = await runSchedule(schedule, 1, mutant);
  return { report, details: report.details as unknown as TransferDetails };
}

describe('bft §6 schedule hold-only-snapshot (§2.7.1, a run)', () => {
  it('correct: p0 ran 0–11 holding CP(4); p1 FETCHes CP(8) from p0 and installs it, every call completes, the checks are clean', async () => {
    const { report, details } = await runHoldOnlySnapshot();
    assert.deepEqual(report.violations, []);
    assert.equal(details.executed.p0, 12, 'p0 ran 0–11');
    assert.equal(details.calls.ok, 12);
    const atP1 = <T extends { readonly process: number }>(rows: readonly T[]): T[] => rows.filter((row) => row.process === 1);
    assert.ok(atP1(details.fetches).some((fetch) => fetch.next === 8 && fetch.to === 0), JSON.stringify(details.fetches));
    assert.deepEqual(atP1(details.skips).at(-1), { process: 1, from: 4, to: 7 }, 'p1 installed CP(8): executed = 7');
  });

  it('mutant hold-only-snapshot: p0 kept only snapshot 12, answers HAVE-CP(8); p1 FETCHes p0 and b in turn and never catches up (liveness)', async () => {
    const { report, details } = await runHoldOnlySnapshot('hold-only-snapshot');
    const liveness = report.violations.filter((violation) => violation.property === 'liveness');
    assert.equal(liveness.length, 1, JSON.stringify(report.violations));
    assert.match(liveness[0].detail, /^p1 FETCHed CP\(8\) .* and never got past instance 3/);
    assert.ok(holdOnlySnapshotSchedule.caughtAs.includes('liveness'));
    const fetchesOfEight = details.fetches.filter((fetch) => fetch.process === 1 && fetch.next === 8).map((fetch) => fetch.to);
    assert.deepEqual(fetchesOfEight.slice(0, 2), [0, 2], 'p0 first, then b (silent)');
    assert.ok(!details.skips.some((skip) => skip.process === 1 && skip.to >= 7), 'p1 never installs CP(8)');
  });
});
