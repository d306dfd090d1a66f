import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addScenario, findScenario } from './registry.js';
import type { Scenario } from './scenario.js';

/**
 * Loading a user's scenario module (`mnm run --scenario ./mine.js`): an ES
 * module whose default export, or named export `scenario`, is a `Scenario`.
 * The same module is loaded again inside every worker thread or OS process
 * of a real backend (by its file URL), so its `body` must build each
 * process from the options alone, as built-in scenarios do.
 */

/** The fields a user scenario must have; `summary`, `mutants` and `validate` may be left out. */
export const requiredScenarioFields = ['name', 'defaults', 'tolerance', 'regions', 'body', 'check'] as const;

/** The file URL of a scenario module named by a path (relative to `base`) or a file URL. */
export function scenarioModuleUrlOf(specifier: string, base = process.cwd()): string {
  if (specifier.startsWith('file:')) return new URL(specifier).href;
  return pathToFileURL(isAbsolute(specifier) ? specifier : resolve(base, specifier)).href;
}

/** Loads, checks and registers the scenario of a module; throws a one-line message naming what is wrong. */
export async function loadUserScenario(specifier: string, base = process.cwd()): Promise<Scenario> {
  const url = scenarioModuleUrlOf(specifier, base);
  const path = fileURLToPath(url);
  if (!existsSync(path)) throw new Error(`--scenario ${specifier}: no such file (${path})`);
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`--scenario ${specifier}: the module failed to load: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  }
  const exported = module.default ?? module.scenario;
  if (typeof exported !== 'object' || exported === null) {
    throw new Error(`--scenario ${specifier}: the module exports no scenario (accepted: a default export or a named export 'scenario' holding a Scenario object)`);
  }
  const scenario = completed(exported as Partial<Scenario>, specifier);
  // Loading the same module twice (the CLI, then a sweep's replay) keeps the first registration.
  addScenario(scenario, url);
  return findScenario(scenario.name) as Scenario;
}

/** Checks the required fields and fills in the optional ones. */
function completed(candidate: Partial<Scenario>, specifier: string): Scenario {
  const missing = requiredScenarioFields.filter((field) => candidate[field] === undefined);
  if (missing.length > 0) {
    throw new Error(`--scenario ${specifier}: the scenario lacks ${missing.map((field) => `'${field}'`).join(', ')} (required: ${requiredScenarioFields.join(', ')}; see docs/cli.md)`);
  }
  const wrong: string[] = [];
  if (typeof candidate.name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/i.test(candidate.name)) wrong.push("'name' must be a word (letters, digits, '-')");
  const defaults = candidate.defaults as Partial<Scenario['defaults']> | undefined;
  if (typeof defaults !== 'object' || defaults === null || ![defaults.n, defaults.memories, defaults.ops].every((value) => Number.isInteger(value))) {
    wrong.push("'defaults' must be { n, memories, ops } integers");
  }
  for (const field of ['tolerance', 'regions', 'body', 'check'] as const) if (typeof candidate[field] !== 'function') wrong.push(`'${field}' must be a function`);
  for (const field of ['validate', 'details'] as const) if (candidate[field] !== undefined && typeof candidate[field] !== 'function') wrong.push(`'${field}' must be a function`);
  if (wrong.length > 0) throw new Error(`--scenario ${specifier}: ${wrong.join('; ')}`);
  const scenario = candidate as Scenario;
  return {
    ...scenario,
    summary: typeof scenario.summary === 'string' ? scenario.summary : `user scenario from ${specifier}`,
    mutants: scenario.mutants ?? {},
    validate: scenario.validate ?? (() => {}),
  };
}
