import type { Fabric, ProcessId } from '../fabric/index.js';
import { withLocalClock, type ClockOffset } from '../realtime/localClock.js';
import { findScenario } from './registry.js';
import type { ResolvedOptions, Scenario } from './scenario.js';
import { loadUserScenario } from './userScenario.js';

/**
 * What a real backend's worker thread or OS process loads to build its
 * process's body (`BodyReference.module`): the scenario registry and nothing
 * that runs scenarios — no simulator, no runner (src/architecture.test.ts
 * checks this module's import closure).
 */

/** The arguments the real-backend runner passes to every process (JSON). */
export interface ScenarioBodyArgs {
  readonly options: ResolvedOptions;
  /** A user scenario's module (file URL), loaded here too; absent for built-in scenarios. */
  readonly scenarioModule?: string;
  /** Processes whose body is undefined (they only serve): known to the coordinator, which has loaded the scenario. */
  readonly idle?: readonly ProcessId[];
  /** Each process's clock offset, drawn by the coordinator from the seed (absent: true time). */
  readonly clocks?: readonly ClockOffset[];
}

/** The body factory the workers and OS processes call: one scenario process, built from the options. */
export function scenarioBody(args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  const { options, scenarioModule, idle, clocks } = args as ScenarioBodyArgs;
  const offset = clocks?.[process] ?? { skew: 0, drift: 0 };
  const builtIn = findScenario(options.protocol);
  if (builtIn && scenarioModule === undefined) {
    const body = builtIn.body(options, process);
    if (!body) return undefined;
    return async (fabric) => {
      await body(withLocalClock(fabric, offset));
      return null;
    };
  }
  if (scenarioModule === undefined) throw new Error(`unknown protocol '${options.protocol}'`);
  if (idle?.includes(process)) return undefined;
  // A factory is synchronous; the module starts loading now (before the process says it is ready) and the body awaits it.
  const loading: Promise<Scenario> = loadUserScenario(scenarioModule);
  loading.catch(() => {});
  return async (fabric) => {
    const scenario = await loading;
    const body = scenario.body(options, process);
    if (body) await body(withLocalClock(fabric, offset));
    return null;
  };
}
