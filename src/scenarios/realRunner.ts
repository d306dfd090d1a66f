import { describeFault, realBackendFaults } from '../fabric/faults.js';
import { runShm, type RealRunResult } from '../shm/runShm.js';
import { colocatedFaultProblem, runTcp } from '../tcp/runTcp.js';
import { Prng } from '../sim/index.js';
import { realDelayMicroseconds, timeUnitMicroseconds } from './realTime.js';
import { drawClockOffsets } from '../sim/faults.js';
import { findScenario } from './registry.js';
import { judgedReport, type RunReport } from './judge.js';
import { faultsOf } from './runFaults.js';
import type { ResolvedOptions, Scenario } from './scenario.js';
import type { ScenarioBodyArgs } from './workerEntry.js';

export { scenarioBody } from './workerEntry.js';

/**
 * Runs scenarios on the real backends (`--backend shm|tcp`) and judges them
 * exactly as the simulator's runner does: the scenario's safety check on the
 * history, then liveness against the faults' tolerance.
 *
 * Each process's body is built inside its own worker thread (shm) or OS
 * process (tcp) by `scenarioBody` (workerEntry.ts), from the resolved options alone,
 * so bodies share nothing but the fabric.
 *
 * Time. Protocols size their timeouts in the latency model's delays
 * (`latencyModel(options.latency).minimum`). On a real backend the model
 * only sets the time unit: one minimum delay of the model lasts
 * `realDelayMicroseconds[backend]` of real time. Those are deliberately
 * larger than the backends' raw round trips (a few µs on shm, ~35 µs on
 * tcp): Node timers have a 1 ms grain and a woken thread on a busy 2-core
 * machine can wait milliseconds, so heartbeats and suspicion timeouts must
 * be milliseconds, not microseconds. Latencies in reports are real time in
 * that unit (multiply by the unit to get µs; `details.timeUnitMicroseconds`).
 *
 * What differs from the simulator: no trace (so `metrics` and `traceHash`
 * are null), `end` is `done` or `deadline` (wall clock), clock skew and
 * drift are applied to each process's `clock()` as the simulator does (same
 * seed, same offsets), and only crash faults can be injected (a crashed process is a terminated worker or a
 * SIGKILLed OS process; a crashed memory never answers again).
 */
// The unit lives in realTime.ts, where scenario bodies (inside the workers) can read it too.
export { realDelayMicroseconds, timeUnitMicroseconds, type RealBackend } from './realTime.js';

/** Throws a one-line message when a run asks a real backend for something it cannot do. */
export function validateRealRun(options: ResolvedOptions): void {
  if (options.backend === undefined || options.backend === 'sim') return;
  if (!(options.backend in realDelayMicroseconds)) throw new Error(`--backend ${options.backend}: unknown backend (accepted: sim, shm, tcp)`);
  if (options.faults !== 'none' && options.faults !== 'crash' && options.faults !== 'clocks') {
    throw new Error(`--faults ${options.faults}: the ${options.backend} backend injects crashes and clock skew only (accepted with --backend ${options.backend}: none, crash, clocks)`);
  }
  if (options.pause) throw new Error(`--pause: the ${options.backend} backend injects crashes only (pauses need the simulator)`);
}

/**
 * Over TCP a co-located scenario (Mu) serves memory mI inside process pI's
 * OS process: a crash of only one of them cannot be injected. A one-line
 * message naming the host crash to use, or undefined.
 */
export function colocatedCrashProblem(options: ResolvedOptions, scenario: Scenario): string | undefined {
  if (options.backend !== 'tcp' || !scenario.colocated?.(options)) return undefined;
  for (const fault of faultsOf(options, scenario)) {
    // Other faults are refused anyway (validateRealRun names them).
    if (fault.kind !== 'crash-process' && fault.kind !== 'crash-memory' && fault.kind !== 'crash-host') continue;
    const problem = colocatedFaultProblem(fault, options.n, options.memories);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Runs one resolved scenario on shm or tcp and judges it; the report has the simulator runner's shape. */
export async function runOnRealBackend(resolved: ResolvedOptions): Promise<RunReport> {
  validateRealRun(resolved);
  const scenario = findScenario(resolved.protocol) as Scenario;
  const faults = faultsOf(resolved, scenario);
  const unit = timeUnitMicroseconds(resolved);
  // A user scenario's module is loaded again in every worker, which cannot tell synchronously which processes only serve: say so.
  const idle = () => Array.from({ length: resolved.n }, (_, process) => process).filter((process) => scenario.body(resolved, process) === undefined);
  // The same per-process offsets as the simulator would draw for this seed; each process's fabric applies its own.
  const clocks = resolved.skew || resolved.drift ? drawClockOffsets(new Prng(resolved.seed, 'clocks'), resolved.n, resolved.skew ?? 0, resolved.drift ?? 0) : undefined;
  const args: ScenarioBodyArgs = {
    options: resolved,
    ...(resolved.scenarioModule !== undefined ? { scenarioModule: resolved.scenarioModule, idle: idle() } : {}),
    ...(clocks ? { clocks } : {}),
  };
  const config = {
    processCount: resolved.n,
    memoryCount: resolved.memories,
    regions: scenario.regions(resolved),
    body: { module: new URL('./workerEntry.js', import.meta.url).href, export: 'scenarioBody', args },
    seed: resolved.seed,
    unitMicroseconds: unit,
    // Refused here, with the same message the backend would give, before any worker starts.
    faults: realBackendFaults(faults, resolved.backend as string),
    // A scenario whose memory mI lives on process pI's host (Mu): over TCP, pI's own OS process serves it (docs/backends.md).
    ...(resolved.backend === 'tcp' && scenario.colocated?.(resolved) ? { colocatedMemories: true } : {}),
    // The horizon bounds the run in real time too, but never below 10 s: a noisy machine must not turn into a liveness failure.
    deadlineMilliseconds: Math.max(10_000, (resolved.horizon * unit) / 1000),
  };
  const result: RealRunResult = resolved.backend === 'tcp' ? await runTcp(config) : await runShm(config);
  // A leader crash is aimed by prediction here (the coordinator sees no notes while the run goes): say at whom.
  const leader = resolved.crashLeaderAt !== undefined ? faults.find((fault) => fault.kind === 'crash-host' && fault.at === resolved.crashLeaderAt) : undefined;
  const leaderFaults = resolved.crashLeaderAt !== undefined ? { leaderFaults: { crashLeaderAt: leader ? `${describeFault(leader)} (predicted leader)` : null } } : {};
  return judgedReport(scenario, resolved, faults, result, { metrics: null, traceHash: null, scale: unit, details: { backend: resolved.backend, timeUnitMicroseconds: unit, ...leaderFaults } });
}
