import type { Scenario } from './scenario.js';
import { consensusScenarios } from './consensus.js';
import { logScenarios } from './log.js';
import { muScenario } from './mu.js';
import { registerScenario } from './register.js';
import { cbScenario } from './cb.js';
import { rbScenario } from './rb.js';
import { brachaScenario } from './bracha.js';
import { kvLogScenario } from './kvLog.js';
import { swarmScenarios } from './swarm.js';
import { safeGuessScenario } from './safeGuess.js';
import { swarmKvScenario } from './swarmKv.js';
import { rawScenario } from './rawRegister.js';
import { bftScenario } from './bft.js';
import { pbftScenario } from './pbft.js';
import { bftScheduleScenarios } from './bftSchedules/index.js';

/**
 * The scenario registry: every runnable scenario by name. A leaf of
 * `scenarios/` — it imports the scenario files and nothing that runs them —
 * so that the worker entry (what a worker thread or OS process loads to
 * build its body) reaches the scenarios without the simulator or the runners.
 *
 * Adding a protocol adds one line to `builtInScenarios` (docs/architecture.md).
 */
export const builtInScenarios: readonly Scenario[] = [registerScenario, ...consensusScenarios, ...logScenarios, muScenario, cbScenario, rbScenario, brachaScenario, kvLogScenario, ...swarmScenarios, safeGuessScenario, rawScenario, swarmKvScenario, bftScenario, pbftScenario];

/**
 * Scripted schedules (the §6 interleavings of bft, bftSchedules/): runnable
 * by name like any scenario (`mnm run bft --schedule NAME` runs
 * `bft-schedule-NAME`, and a replay command names that), but not listed among
 * the protocols — each is one protocol's run under a script, not a protocol.
 */
export const scheduleScenarios: readonly Scenario[] = bftScheduleScenarios;

const registered: Scenario[] = [...builtInScenarios];
/** Where each user scenario came from (its module's file URL), so that workers can load the same module. */
const moduleUrls = new Map<string, string>();

/** Every runnable scenario: the built-in ones, then those a user added (a live view). */
export const scenarios: readonly Scenario[] = registered;

export function findScenario(name: string): Scenario | undefined {
  return registered.find((scenario) => scenario.name === name) ?? scheduleScenarios.find((scenario) => scenario.name === name);
}

/**
 * Adds a user's scenario, loaded from the module at `moduleUrl`. Adding the
 * same module's scenario again is a no-op; another scenario under a taken
 * name is refused (a user scenario never shadows a built-in one).
 */
export function addScenario(scenario: Scenario, moduleUrl: string): void {
  const existing = findScenario(scenario.name);
  if (existing) {
    if (moduleUrls.get(scenario.name) === moduleUrl) return;
    throw new Error(`scenario name '${scenario.name}' is taken by ${moduleUrls.has(scenario.name) ? `the scenario of ${moduleUrls.get(scenario.name)}` : 'a built-in scenario'} (accepted: a name not in ${registered.map((candidate) => candidate.name).join(', ')})`);
  }
  registered.push(scenario);
  moduleUrls.set(scenario.name, moduleUrl);
}

/** The module URL of a user scenario, or undefined for a built-in one. */
export function scenarioModuleUrl(name: string): string | undefined {
  return moduleUrls.get(name);
}
