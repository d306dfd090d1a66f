import { Accounting } from '../trace/accounting.js';
import { mnmVersion } from '../trace/provenance.js';
import { TraceRecorder, type TraceOutput } from '../trace/recorder.js';
import type { HistoryEvent } from '../fabric/index.js';
import {
  Prng,
  Simulation,
  describeFault,
  faultProfiles,
  latencyModel,
  type Fault,
  type MemoryWatcher,
  parseCrashes,
  parseHolds,
  parsePauses,
  parseNotePauses,
} from '../sim/index.js';
import { findScenario, scenarioModuleUrl, scenarios } from './registry.js';
import { judgedReport, type RunReport } from './judge.js';
import { colocatedCrashProblem, runOnRealBackend, validateRealRun } from './realRunner.js';
import { faultsOf, leaderFaultsOf } from './runFaults.js';
import { clockProfileBounds } from '../sim/faults.js';
import type { ResolvedOptions, RunOptions, Scenario } from './scenario.js';

export type { RunReport } from './judge.js';

/** How much of the trace a run keeps: none, only its hash, or every line. */
export type TraceMode = 'off' | 'hash' | 'full';

/**
 * Where a run's records go as they happen, so that a long run need not hold
 * them: with `trace`, the trace's text streams out in chunks (the report
 * then carries its hash but not its text, whatever the trace mode);
 * `onHistoryEvent` hears each application operation event. A real backend
 * hands its records over when it is done.
 */
export interface RunOutputs {
  readonly trace?: TraceOutput;
  readonly onHistoryEvent?: (event: HistoryEvent) => void;
}


/** Fills in a scenario's defaults and checks every option; throws a one-line message on bad input. */
export function resolveOptions(options: RunOptions): ResolvedOptions {
  const scenario = scenarioFor(options.protocol);
  if (!faultProfiles.includes(options.faults)) throw new Error(`unknown fault profile '${options.faults}' (accepted: ${faultProfiles.join(', ')})`);
  if (options.mutant !== undefined && !(options.mutant in scenario.mutants)) {
    const accepted = Object.keys(scenario.mutants);
    throw new Error(`${scenario.name} has no mutant '${options.mutant}' (accepted: ${accepted.length > 0 ? accepted.join(', ') : 'none'})`);
  }
  const latency = latencyModel(options.latency);
  const sized = options.f !== undefined && scenario.sizeFor ? scenario.sizeFor(options.f, options) : undefined;
  // Neither --n nor --f: a scenario with a default f sizes n from it (bft with --clients 3 alone: n = 3 + 3).
  const defaultSized = options.f === undefined && options.n === undefined && scenario.defaultF !== undefined && scenario.sizeFor ? scenario.sizeFor(scenario.defaultF, options) : undefined;
  if (sized && options.n !== undefined && options.n !== sized.n) throw new Error(`--n ${options.n} conflicts with --f ${options.f}: ${scenario.name} with f = ${options.f} has n = ${sized.n}`);
  // A scenario whose processes are its clients: --clients C is --n C (and --f then sizes the memories only).
  const clientProcesses = scenario.clientsAreProcesses && options.clients !== undefined ? options.clients : undefined;
  if (clientProcesses !== undefined && options.n !== undefined && options.n !== clientProcesses) throw new Error(`--n ${options.n} conflicts with --clients ${clientProcesses}: ${scenario.name} runs one client per process (give one of them)`);
  if (sized?.memories !== undefined && options.memories !== undefined && options.memories !== sized.memories) {
    throw new Error(`--memories ${options.memories} conflicts with --f ${options.f}: ${scenario.name} with f = ${options.f} has ${sized.memories} memories`);
  }
  let resolved: ResolvedOptions = {
    protocol: scenario.name,
    seed: options.seed,
    n: options.n ?? clientProcesses ?? sized?.n ?? defaultSized?.n ?? scenario.defaults.n,
    memories: options.memories ?? sized?.memories ?? scenario.defaultMemories?.(options.n ?? clientProcesses ?? sized?.n ?? defaultSized?.n ?? scenario.defaults.n, options.log ?? scenario.logs?.[0]) ?? scenario.defaults.memories,
    latency: latency.name,
    faults: options.faults,
    ...(options.crash ? { crash: options.crash } : {}),
    ...(options.pause ? { pause: options.pause } : {}),
    horizon: options.horizon ?? 2000 * latency.mean * Math.max(1, (options.ops ?? scenario.defaults.ops) / 10),
    ...(options.mutant ? { mutant: options.mutant } : {}),
    ops: options.ops ?? scenario.defaults.ops,
    ...(options.f !== undefined ? { f: options.f } : {}),
    ...(options.adversary !== undefined ? { adversary: options.adversary } : {}),
    ...(scenario.workloads ? { workload: options.workload ?? scenario.workloads[0] } : options.workload !== undefined ? { workload: options.workload } : {}),
    ...(scenario.logs ? { log: options.log ?? scenario.logs[0] } : options.log !== undefined ? { log: options.log } : {}),
    ...(options.slots !== undefined ? { slots: options.slots } : {}),
    ...(options.tear !== undefined ? { tear: options.tear } : {}),
    ...clockOptions(options, latency.mean),
    ...(options.hold ? { hold: options.hold } : {}),
    ...(options.clients !== undefined ? { clients: options.clients } : {}),
    ...(options.window !== undefined ? { window: options.window } : {}),
    ...(options.valueBytes !== undefined ? { valueBytes: options.valueBytes } : {}),
    ...(options.crashLeaderAt !== undefined ? { crashLeaderAt: options.crashLeaderAt } : {}),
    ...(options.pauseLeaderAt !== undefined ? { pauseLeaderAt: options.pauseLeaderAt } : {}),
    ...(options.pauseFor !== undefined ? { pauseFor: options.pauseFor } : {}),
    ...(options.backend !== undefined && options.backend !== 'sim' ? { backend: options.backend } : {}),
    ...(scenarioModuleUrl(scenario.name) !== undefined ? { scenarioModule: scenarioModuleUrl(scenario.name) } : {}),
  };
  if (resolved.tear !== undefined && !(resolved.tear > 0 && resolved.tear <= 1)) throw new Error(`--tear ${resolved.tear} is out of range (accepted: a fraction in (0, 1] of a write's completion delay)`);
  if (resolved.tear !== undefined && resolved.backend !== undefined) throw new Error(`--tear: the tear window is the simulator's; real backends tear as their hardware does`);
  if (options.horizon === undefined && scenario.minimumHorizon) {
    // A default horizon is only a default: raise it to what the scenario needs to judge liveness.
    const needed = scenario.minimumHorizon(resolved);
    if (needed > resolved.horizon) resolved = { ...resolved, horizon: needed };
  }
  if (resolved.skew !== undefined && !(Number.isFinite(resolved.skew) && resolved.skew >= 0)) throw new Error(`--skew ${resolved.skew} is out of range (accepted: a number >= 0 of time units; each process's clock is offset uniformly within ±skew)`);
  if (resolved.drift !== undefined && !(Number.isFinite(resolved.drift) && resolved.drift >= 0 && resolved.drift < 1e6)) {
    throw new Error(`--drift ${resolved.drift} is out of range (accepted: parts per million in [0, 1000000): each process's clock runs at a rate within 1 ± drift/10^6)`);
  }
  if (!Number.isSafeInteger(resolved.seed) || resolved.seed < 0) throw new Error(`seed ${resolved.seed} must be a non-negative integer`);
  if (!Number.isInteger(resolved.n) || resolved.n < 1 || resolved.n > 1024) throw new Error(`--n ${resolved.n} is out of range (accepted: 1..1024)`);
  if (!Number.isInteger(resolved.memories) || resolved.memories < 0 || resolved.memories > 1024) throw new Error(`--memories ${resolved.memories} is out of range (accepted: 0..1024)`);
  if (!(resolved.horizon > 0)) throw new Error(`--horizon ${resolved.horizon} must be positive`);
  validateRealRun(resolved);
  validateScenarioFlags(resolved, scenario);
  if (resolved.backend !== undefined && scenario.preload) throw new Error(`--backend ${resolved.backend}: ${scenario.name} loads its memories before the run, which only the simulator does so far (accepted: --backend sim)`);
  if (resolved.workload !== undefined && !scenario.workloads?.includes(resolved.workload)) {
    throw new Error(`--workload ${resolved.workload}: ${scenario.name} accepts ${scenario.workloads ? scenario.workloads.join(', ') : 'no workload option'}`);
  }
  if (resolved.log !== undefined && !scenario.logs?.includes(resolved.log)) {
    throw new Error(`--log ${resolved.log}: ${scenario.name} ${scenario.logs ? `runs on ${scenario.logs.join(', ')}` : 'takes no log option'}`);
  }
  if (resolved.slots !== undefined && !scenario.mixSlots) throw new Error(`--slots ${resolved.slots}: ${scenario.name} takes no slots option (accepted by: mu, kv-log --log mu, bft)`);
  if (resolved.slots !== undefined && !(Number.isInteger(resolved.slots) && resolved.slots >= 1)) throw new Error(`--slots ${resolved.slots} is out of range (accepted: an integer >= 1)`);
  scenario.validate(resolved);
  parseCrashes(resolved.crash ?? '', { processCount: resolved.n, memoryCount: resolved.memories });
  const colocatedProblem = colocatedCrashProblem(resolved, scenario);
  if (colocatedProblem !== undefined) throw new Error(colocatedProblem);
  parsePauses(resolved.pause ?? '', { processCount: resolved.n });
  parseNotePauses(resolved.pause ?? '', { processCount: resolved.n });
  if (resolved.hold) {
    if (resolved.backend !== undefined) throw new Error(`--hold: scripted schedules are the simulator's; a real backend's schedule is its own`);
    parseHolds(resolved.hold, { processCount: resolved.n, memoryCount: resolved.memories });
  }
  return resolved;
}

/** The flags only some scenarios take (`--clients`, `--window`, the leader faults): one-line errors saying what is accepted. */
function validateScenarioFlags(options: ResolvedOptions, scenario: Scenario): void {
  const takers = (flag: 'clients' | 'window') => scenarios.filter((candidate) => candidate.accepts?.includes(flag)).map((candidate) => candidate.name).join(', ') || 'none';
  for (const flag of ['clients', 'window'] as const) {
    const value = options[flag];
    if (value === undefined) continue;
    if (!scenario.accepts?.includes(flag)) throw new Error(`--${flag}: ${scenario.name} takes no --${flag} (accepted by: ${takers(flag)})`);
    if (!Number.isInteger(value) || value < 1 || value > 1024) throw new Error(`--${flag} ${value} is out of range (accepted: 1..1024)`);
  }
  if (options.valueBytes !== undefined) {
    if (!scenario.accepts?.includes('value-bytes')) throw new Error(`--value-bytes: ${scenario.name} takes no --value-bytes (accepted by: ${scenarios.filter((candidate) => candidate.accepts?.includes('value-bytes')).map((candidate) => candidate.name).join(', ') || 'none'})`);
    const bytes = options.valueBytes;
    if (!Number.isInteger(bytes) || bytes < 16 || bytes > 65536 || bytes % 8 !== 0) throw new Error(`--value-bytes ${bytes} is out of range (accepted: a multiple of 8 from 16 to 65536)`);
  }
  const leaderFlags = [options.crashLeaderAt !== undefined ? '--crash-leader-at' : undefined, options.pauseLeaderAt !== undefined ? '--pause-leader-at' : undefined].filter((flag) => flag !== undefined);
  if (leaderFlags.length > 0 && !scenario.leader) {
    throw new Error(`${leaderFlags[0]}: ${scenario.name} has no leader to aim at (accepted by: ${scenarios.filter((candidate) => candidate.leader).map((candidate) => candidate.name).join(', ') || 'none'}; use --crash / --pause with an explicit target)`);
  }
  for (const [flag, value] of [['--crash-leader-at', options.crashLeaderAt], ['--pause-leader-at', options.pauseLeaderAt]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new Error(`${flag} ${value} is out of range (accepted: a time >= 0)`);
  }
  if (options.pauseLeaderAt !== undefined && options.pauseFor === undefined) throw new Error(`--pause-leader-at ${options.pauseLeaderAt} needs --for D (accepted: --pause-leader-at T --for D, D > 0 time units)`);
  if (options.pauseFor !== undefined && options.pauseLeaderAt === undefined) throw new Error(`--for ${options.pauseFor}: only with --pause-leader-at T (accepted: --pause-leader-at T --for D)`);
  if (options.pauseFor !== undefined && !(Number.isFinite(options.pauseFor) && options.pauseFor > 0)) throw new Error(`--for ${options.pauseFor} is out of range (accepted: a duration > 0 time units)`);
  if (options.pauseLeaderAt !== undefined && options.backend !== undefined) throw new Error(`--pause-leader-at: the ${options.backend} backend injects crashes only (pauses need the simulator)`);
}

/** The clock bounds of a run: as given, else the `clocks` profile's, else none (absent from the options). */
function clockOptions(options: RunOptions, meanDelay: number): { skew?: number; drift?: number } {
  const profile = options.faults === 'clocks' ? clockProfileBounds(meanDelay) : undefined;
  const skew = options.skew ?? profile?.skew;
  const drift = options.drift ?? profile?.driftPpm;
  return { ...(skew !== undefined ? { skew } : {}), ...(drift !== undefined ? { drift } : {}) };
}

/** What each leader flag resolved to: the fault, or null when nobody led at its time. */
function leaderFaultDetails(options: ResolvedOptions, resolved: readonly Fault[]): Record<string, string | null> {
  const details: Record<string, string | null> = {};
  const find = (kind: Fault['kind'], at: number | undefined) => resolved.find((fault) => fault.kind === kind && fault.at === at);
  if (options.crashLeaderAt !== undefined) {
    const fault = find('crash-host', options.crashLeaderAt);
    details.crashLeaderAt = fault ? describeFault(fault) : null;
  }
  if (options.pauseLeaderAt !== undefined) {
    const fault = find('pause', options.pauseLeaderAt);
    details.pauseLeaderAt = fault ? describeFault(fault) : null;
  }
  return details;
}

/** The scenario's memory watcher for this run, as a config field (none: the field is absent). */
function memoryWatcherOf(scenario: Scenario, options: ResolvedOptions): { memoryWatcher?: MemoryWatcher } {
  const watcher = scenario.memoryWatcher?.(options);
  return watcher === undefined ? {} : { memoryWatcher: watcher };
}

function scenarioFor(name: string): Scenario {
  const scenario = findScenario(name);
  if (!scenario) throw new Error(`unknown protocol '${name}' (accepted: ${scenarios.map((candidate) => candidate.name).join(', ')})`);
  return scenario;
}

/**
 * Runs one scenario on the simulator and judges it: the scenario's safety
 * properties, then liveness — a process that should have finished and did
 * not is a violation when the faults stayed within the protocol's tolerance,
 * and `blocked` (not a failure) when they went beyond it.
 */
export async function runScenario(options: RunOptions, traceMode: TraceMode = 'hash', outputs: RunOutputs = {}): Promise<RunReport> {
  const resolved = resolveOptions(options);
  if (resolved.backend !== undefined) {
    const report = await runOnRealBackend(resolved);
    if (outputs.onHistoryEvent) for (const event of report.history) outputs.onHistoryEvent(event);
    if (outputs.trace && report.trace !== undefined && report.trace.length > 0) outputs.trace(report.trace);
    return report;
  }
  const scenario = scenarioFor(resolved.protocol);
  const staticFaults = faultsOf(resolved, scenario);
  const dynamicFaults = leaderFaultsOf(resolved, scenario);
  const notePauses = parseNotePauses(resolved.pause ?? '', { processCount: resolved.n });
  const tracing = traceMode !== 'off' || outputs.trace !== undefined;
  // Running totals only: a long run's metrics cost a few numbers per operation.
  const accounting = tracing ? new Accounting({ perOperation: false }) : undefined;
  const recorder = !tracing ? undefined : new TraceRecorder(outputs.trace ?? traceMode === 'full', accounting, mnmVersion());
  const simulation = new Simulation({
    scenario: scenario.name,
    seed: resolved.seed,
    params: { ...resolved },
    processCount: resolved.n,
    memoryCount: resolved.memories,
    regions: scenario.regions(resolved),
    latency: latencyModel(resolved.latency),
    horizon: resolved.horizon,
    faults: staticFaults,
    ...(dynamicFaults.length > 0 ? { dynamicFaults } : {}),
    ...(notePauses.length > 0 ? { notePauses } : {}),
    ...(scenario.colocated?.(resolved) ? { colocated: true } : {}),
    ...(resolved.tear !== undefined ? { tearFraction: resolved.tear } : {}),
    ...(scenario.cutShortWrites ? { cutShortWrites: true } : {}),
    ...(resolved.skew !== undefined ? { clockSkew: resolved.skew } : {}),
    ...(resolved.drift !== undefined ? { clockDrift: resolved.drift / 1e6 } : {}),
    ...(resolved.hold ? { holds: parseHolds(resolved.hold, { processCount: resolved.n, memoryCount: resolved.memories }) } : {}),
    ...(recorder ? { trace: recorder } : {}),
    ...(outputs.onHistoryEvent ? { onHistoryEvent: outputs.onHistoryEvent } : {}),
    ...memoryWatcherOf(scenario, resolved),
    ...(scenario.preload ? { preload: scenario.preload(resolved) } : {}),
  });
  for (let process = 0; process < resolved.n; process++) {
    const body = scenario.body(resolved, process);
    if (body) simulation.spawn(process, body);
  }
  const result = await simulation.run();
  // The leader faults count like any other once resolved (tolerance, the report's list).
  const faults = [...staticFaults, ...result.resolvedFaults].sort((a, b) => a.at - b.at);
  return judgedReport(scenario, resolved, faults, result, {
    metrics: accounting ? accounting.summary() : null,
    traceHash: recorder ? recorder.traceHash() : null,
    ...(dynamicFaults.length > 0 ? { details: { leaderFaults: leaderFaultDetails(resolved, result.resolvedFaults) } } : {}),
    ...(traceMode === 'full' && recorder && outputs.trace === undefined ? { trace: recorder.text() } : {}),
  });
}
