/** The scenarios' public face for the CLI and tests: the registry and the runners. */
export { scenarios, builtInScenarios, scheduleScenarios, findScenario, addScenario, scenarioModuleUrl } from './registry.js';
export { bftSchedules, findBftSchedule, bftScheduleScenarioName, type BftSchedule } from './bftSchedules/index.js';
export { loadUserScenario } from './userScenario.js';
export type { Scenario, RunOptions, ResolvedOptions, Violation } from './scenario.js';
export { runScenario, resolveOptions, type RunReport, type RunOutputs, type TraceMode } from './runner.js';
