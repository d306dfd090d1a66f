import type { Scenario } from './scenario.js';
import { consensusScenarios } from './consensus.js';
import { logScenarios } from './log.js';
import { registerScenario } from './register.js';
import { cbScenario } from './cb.js';
import { rbScenario } from './rb.js';
import { brachaScenario } from './bracha.js';

/** Every runnable protocol scenario, by name. */
export const scenarios: readonly Scenario[] = [registerScenario, ...consensusScenarios, ...logScenarios, cbScenario, rbScenario, brachaScenario];

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((scenario) => scenario.name === name);
}

export type { Scenario, RunOptions, ResolvedOptions, Violation } from './scenario.js';
export { runScenario, resolveOptions, type RunReport, type TraceMode } from './runner.js';
