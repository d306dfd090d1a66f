import { findScenario, loadUserScenario, runScenario, scenarioModuleUrl, type RunOptions, type RunReport, type Violation } from '../../scenarios/index.js';
import { mixedRunOptions, type FixedOptions } from '../../scenarios/mix.js';
import { replayCommand } from '../runArgs.js';
import { sizingOf } from '../report.js';
import { bftMixedRunOptions } from './bftMix.js';

/** Protocols whose mixed sweep draws its own configuration (every fault named, so liveness is judged too). */
const ownMixes: Readonly<Record<string, (seed: number, fixed: FixedOptions) => RunOptions>> = { bft: bftMixedRunOptions };

/**
 * What a sweep runs for each seed, as plain data: the same plan is handed to
 * every worker thread (structured clone), and each seed's options are a pure
 * function of the plan and the seed — which is why a seed's outcome does not
 * depend on the worker that ran it.
 */
export interface SweepPlan {
  readonly protocol: string;
  /** A user scenario's module (file URL), loaded again in each worker; absent for built-in scenarios. */
  readonly scenarioModule?: string;
  /** The options of every seed (without --mix), or the base the mix ignores. */
  readonly base: RunOptions;
  /** With --mix: the options given explicitly; the rest is drawn per seed. */
  readonly fixed?: FixedOptions;
}

/** One seed's result, small enough to send between threads: a failure carries its replay command. */
export interface SeedOutcome {
  readonly seed: number;
  readonly ok: boolean;
  readonly blocked: boolean;
  /** The run's linearizability check could not decide (`linearizable: null`). */
  readonly undecided?: boolean;
  /** The run ended for sizing (bft: `stream-full`, `snapshot-full`), which owes no liveness: counted apart. */
  readonly sized?: boolean;
  readonly failure?: SeedFailure;
}

/** A failing seed: the command that replays it and what it violated. */
export interface SeedFailure {
  readonly seed: number;
  readonly replay: string;
  readonly violations: readonly Violation[];
}

/** Thrown when a seed's drawn configuration is refused: a bug of the mix, named by seed. */
export class SeedConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedConfigurationError';
  }
}

/** The plan for a protocol; a user scenario's module is looked up so that workers can load it too. */
export function sweepPlanOf(base: RunOptions, fixed: FixedOptions | undefined): SweepPlan {
  const scenarioModule = scenarioModuleUrl(base.protocol);
  return { protocol: base.protocol, base, ...(fixed ? { fixed } : {}), ...(scenarioModule ? { scenarioModule } : {}) };
}

/** Makes the plan's scenario known in this thread (a worker starts with the built-in ones only). */
export async function preparePlan(plan: SweepPlan): Promise<void> {
  if (plan.scenarioModule !== undefined && findScenario(plan.protocol) === undefined) await loadUserScenario(plan.scenarioModule);
}

/** The run options of one seed. */
export function seedOptions(plan: SweepPlan, seed: number): RunOptions {
  const scenario = findScenario(plan.protocol);
  if (plan.fixed && scenario) {
    const mixed = (ownMixes[plan.protocol] ?? ((drawn: number, fixed: FixedOptions) => mixedRunOptions(scenario, drawn, fixed)))(seed, plan.fixed);
    return plan.base.backend !== undefined && plan.base.backend !== 'sim' ? onRealBackend(mixed, plan.fixed) : mixed;
  }
  return { ...plan.base, seed };
}

/**
 * A mixed configuration as a real backend can run it: the drawn sizes,
 * workload, log, clocks and mutant stay; the latency is the backend's own
 * (the `unit` model maps one time unit to its real delay), the simulator's
 * tear window goes, a drawn pause goes, and a profile the backend cannot
 * inject (pauses, partitions, loss) becomes `crash` — unless given
 * explicitly, which the run then refuses with its one-line message.
 */
function onRealBackend(mixed: RunOptions, fixed: FixedOptions): RunOptions {
  const { tear: _tear, pause: drawnPause, ...rest } = mixed;
  void _tear;
  const injectable = mixed.faults === 'none' || mixed.faults === 'crash' || mixed.faults === 'clocks';
  return {
    ...rest,
    latency: fixed.latency ?? 'unit',
    faults: fixed.faults ?? (injectable ? mixed.faults : 'crash'),
    // A drawn pause (bft's pause at a decision) goes too; a given one stays, for the run to refuse.
    ...(fixed.pause !== undefined ? { pause: fixed.pause } : {}),
  };
  void drawnPause;
}

/** Runs one seed on the simulator (or the plan's real backend), trace off (a failing seed is replayed — on a real backend, re-run — with its command). */
export async function runSeed(plan: SweepPlan, seed: number): Promise<SeedOutcome> {
  let report: RunReport;
  try {
    report = await runScenario(seedOptions(plan, seed), 'off');
  } catch (error) {
    // A drawn configuration the scenario refuses is a bug of the mix, not of the user: say which seed.
    if (plan.fixed) throw new SeedConfigurationError(`--mix drew options for seed ${seed} that ${plan.protocol} refuses: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  const sized = sizingOf(report) !== undefined ? { sized: true } : {};
  if (report.ok) return { seed, ok: true, blocked: report.blocked, ...(report.linearizable === null ? { undecided: true } : {}), ...sized };
  return { seed, ok: false, blocked: report.blocked, ...sized, failure: { seed, replay: replayCommand(report.params), violations: report.violations } };
}
