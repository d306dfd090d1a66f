import assert from 'node:assert/strict';
import { Simulation } from '../../sim/simulation.js';
import { unitLatency } from '../../sim/latency.js';
import { broadcastRegions } from '../../protocols/byzantine/layout.js';
import { scriptDecisions, scriptProcess, scriptRun, scriptViolations, type BftScript, type BftScriptResult } from './scriptHarness.js';
import { runScenario, type RunReport } from '../runner.js';
import type { BftSchedule } from './index.js';

/**
 * Running scripts in tests: a one-off script on a simulator of its own
 * (`runBftScript`), and the shape of every scripted mutant test
 * (bftMutants*.test.ts): the same §6 schedule, by its scenario's name, on
 * correct code and on the mutant (`scheduleRuns`). No process may throw in
 * either, correct code must stay clean under the schedule, and the mutant
 * must be caught as the schedule says; what else the runs show is the
 * caller's to assert (from the reports' details). (Apart from scriptHarness.ts, which the registry's schedules
 * import: this module runs a simulator.)
 */

/** Runs a script on a simulator of its own: the processes a schedule's scenario runs (`scriptProcess`), seed and mutant from the script. */
export async function runBftScript(script: BftScript): Promise<BftScriptResult> {
  const seed = script.seed ?? 1;
  const run = scriptRun(script, seed, script.mutant);
  const simulation = new Simulation({
    scenario: 'bft-script',
    seed,
    params: { mutant: script.mutant ?? null },
    processCount: run.processCount,
    memoryCount: run.memories,
    regions: broadcastRegions(run.layout),
    latency: unitLatency,
    horizon: run.duration + 500,
    ...(script.faults ? { faults: script.faults } : {}),
    ...(script.holds ? { holds: script.holds } : {}),
  });
  for (let process = 0; process < run.processCount; process++) {
    const body = scriptProcess(script, run, process);
    if (body) simulation.spawn(process, body);
  }
  const result = await simulation.run();
  return {
    notes: result.notes,
    history: result.history,
    violations: scriptViolations(script, result.history, result.notes),
    errors: result.errors,
    decisions: scriptDecisions(result.notes),
    completed: result.history.filter((event) => event.type === 'ok').length,
  };
}

/** The §3 properties a scripted run violated, sorted, once each. */
export function violatedProperties(result: Pick<BftScriptResult, 'violations'>): string[] {
  return [...new Set(result.violations.map((violation) => violation.property))].sort();
}

/** One run of a schedule's scenario, as the CLI runs it (`mnm run bft-schedule-<mutant> --seed S [--mutant M]`), with the schedule's faults and holds. */
export function runSchedule(schedule: BftSchedule, seed: number, mutant?: string): Promise<RunReport> {
  return runScenario({ protocol: schedule.scenario.name, seed, latency: 'unit', faults: 'none', ...schedule.options, ...(mutant ? { mutant } : {}) }, 'off');
}

/**
 * A schedule on correct code and on its mutant at one seed: correct code
 * clean (no violation: safe, and live where the schedule owes it), the
 * mutant caught as one of `caughtAs`, no process throwing in either.
 */
export async function scheduleRuns(schedule: BftSchedule, seed = 1): Promise<{ correct: RunReport; broken: RunReport }> {
  const correct = await runSchedule(schedule, seed);
  const broken = await runSchedule(schedule, seed, schedule.mutant);
  const thrown = (report: RunReport) => report.violations.filter((violation) => violation.property === 'process-error');
  assert.deepEqual(thrown(correct), [], 'correct run: no process threw');
  assert.deepEqual(thrown(broken), [], 'mutant run: no process threw');
  assert.deepEqual(correct.violations, [], `correct code stays clean under the ${schedule.mutant} schedule (seed ${seed})`);
  assert.ok(
    broken.violations.some((violation) => schedule.caughtAs.includes(violation.property)),
    `${schedule.mutant} caught as one of ${schedule.caughtAs.join(', ')} (seed ${seed}): ${JSON.stringify(broken.violations)}`,
  );
  return { correct, broken };
}

/** A schedule run's decisions (report details) as replica → instance → batch hash (hex). */
export function decisionsOf(report: RunReport): Map<number, Map<number, string>> {
  const decisions = (report.details.decisions ?? {}) as Record<string, Record<string, string>>;
  return new Map(Object.entries(decisions).map(([replica, mine]) => [Number(replica), new Map(Object.entries(mine).map(([instance, hash]) => [Number(instance), hash]))]));
}

/** The calls that completed (ok) in a schedule run. */
export function completedCalls(report: RunReport): number {
  return Number(report.details.completed ?? 0);
}

/** Whether `process` decided `instance` on the fast path in a schedule run. */
export function decidedFast(report: RunReport, process: number, instance: number): boolean {
  const fast = (report.details.fast ?? {}) as Record<string, readonly number[]>;
  return fast[process]?.includes(instance) ?? false;
}

/** The views replicas entered in a schedule run (`bft-enter` notes: process, v, start, end of what NEW_VIEW fixed). */
export function viewsEntered(report: RunReport): { process: number; v: number; start: number; end: number }[] {
  return (report.details.entered ?? []) as { process: number; v: number; start: number; end: number }[];
}

/** The hash (hex) of the batch a Byzantine script named `name` in a schedule run (its `bft-script-batch` note), if it did. */
export function scriptedBatch(report: RunReport, name: string): string | undefined {
  const scripted = (report.details.scripted ?? []) as { kind: string; name?: string; h?: string }[];
  return scripted.find((note) => note.kind === 'bft-script-batch' && note.name === name)?.h;
}
