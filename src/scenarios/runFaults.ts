import { Prng, drawFaults, latencyModel, parseCrashes, parsePauses, type DynamicFault, type Fault } from '../sim/index.js';
import type { ProcessId } from '../fabric/index.js';
import type { ResolvedOptions, Scenario } from './scenario.js';

/**
 * The faults of a run: drawn from its profile by seed, plus the explicit
 * ones. On a real backend also `--crash-leader-at T`, aimed at the leader
 * its coordinator predicts (leaderPredictedAt); on the simulator that one is
 * dynamic (leaderFaultsOf).
 */
export function faultsOf(options: ResolvedOptions, scenario: Scenario): Fault[] {
  const world = { processCount: options.n, memoryCount: options.memories };
  const latency = latencyModel(options.latency);
  const window = scenario.faultWindow?.(options) ?? Math.min(options.horizon / 2, options.ops * 8 * latency.mean);
  const outageMax = scenario.outageMax?.(options);
  // Long pauses outlast every timeout of the protocol: four times the longest ordinary outage.
  const longOutage = 4 * (outageMax ?? window / 3);
  const drawn = drawFaults(options.faults, scenario.tolerance(options), { ...world, window, longOutage, ...(outageMax !== undefined ? { outageMax } : {}) }, new Prng(options.seed, 'faults'));
  const faults = [...drawn, ...parseCrashes(options.crash ?? '', world), ...parsePauses(options.pause ?? '', world)].sort((a, b) => a.at - b.at);
  const real = options.backend !== undefined && options.backend !== 'sim';
  if (real && options.crashLeaderAt !== undefined) {
    const leader = leaderPredictedAt(options, scenario, faults, options.crashLeaderAt);
    if (leader !== undefined) return [...faults, { kind: 'crash-host', at: options.crashLeaderAt, host: leader } as Fault].sort((a, b) => a.at - b.at);
  }
  return faults;
}

/** The processes a crash fault stops before `at` (a host crash stops its process). */
function crashedBefore(faults: readonly Fault[], at: number): ProcessId[] {
  const crashed: ProcessId[] = [];
  for (const fault of faults) {
    if (fault.at >= at) continue;
    if (fault.kind === 'crash-process') crashed.push(fault.process);
    if (fault.kind === 'crash-host') crashed.push(fault.host);
  }
  return crashed;
}

/**
 * The leader a real backend's coordinator aims `--crash-leader-at T` at: it
 * sees no notes while the run goes, so it asks the scenario who leads given
 * the crashes that struck before T (Mu: the lowest-id replica not crashed).
 */
export function leaderPredictedAt(options: ResolvedOptions, scenario: Scenario, faults: readonly Fault[], at: number): ProcessId | undefined {
  return scenario.leader?.predicted(crashedBefore(faults, at), options);
}

/**
 * `--crash-leader-at T` and `--pause-leader-at T --for D` on the simulator:
 * faults resolved at T from the run's own state (the scenario's `leader.at`
 * over the notes so far), so they strike whoever leads then — deterministic,
 * as the state at T is. A crash takes the leader's host (process and memory).
 */
export function leaderFaultsOf(options: ResolvedOptions, scenario: Scenario): DynamicFault[] {
  const leader = scenario.leader;
  if (!leader) return [];
  const faults: DynamicFault[] = [];
  if (options.crashLeaderAt !== undefined) {
    const at = options.crashLeaderAt;
    faults.push({ at, resolve: ({ notes, crashedProcesses }) => whoever(leader.at(notes, crashedProcesses), (host) => ({ kind: 'crash-host', at, host }) as Fault) });
  }
  if (options.pauseLeaderAt !== undefined && options.pauseFor !== undefined) {
    const at = options.pauseLeaderAt;
    const duration = options.pauseFor;
    faults.push({ at, resolve: ({ notes, crashedProcesses }) => whoever(leader.at(notes, crashedProcesses), (process) => ({ kind: 'pause', at, process, duration }) as Fault) });
  }
  return faults;
}

function whoever(process: ProcessId | undefined, fault: (process: ProcessId) => Fault): Fault | undefined {
  return process === undefined ? undefined : fault(process);
}
