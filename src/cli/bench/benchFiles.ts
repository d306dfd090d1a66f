import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ChartsUnavailable, writeCharts } from '../plots/index.js';
import type { BenchSuite } from './suite.js';

/** Where `mnm bench` writes `<suite>.json` and its charts unless `--plots DIR` says otherwise. */
export const defaultBenchDirectory = 'bench-results';

/**
 * Why `directory` could not be made and written, or undefined when it can:
 * its nearest existing ancestor must be a directory this process may write.
 * Checked before any suite runs, without creating anything (a run that is
 * interrupted before its first suite finishes leaves no empty directory).
 */
export function unwritableDirectory(directory: string): string | undefined {
  let existing = resolve(directory);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) return `'${existing}' is not a directory`;
  try {
    accessSync(existing, constants.W_OK);
    return undefined;
  } catch {
    return `'${existing}' is not writable`;
  }
}

/**
 * Writes one finished suite's JSON (the object `--json` prints for it) as
 * `<suite>.json` and its charts as `<suite>-<chart>.svg` into `directory`;
 * returns the paths, JSON first, and why the charts were skipped when the
 * charting libraries (optional dependencies) are absent. A suite without
 * charts writes its JSON only.
 */
export async function writeSuiteFiles(directory: string, suite: BenchSuite, result: Record<string, unknown>, json: Record<string, unknown>): Promise<{ paths: string[]; skipped?: string }> {
  mkdirSync(directory, { recursive: true });
  const jsonPath = join(directory, `${suite.name}.json`);
  writeFileSync(jsonPath, JSON.stringify(json, null, 1) + '\n');
  const charts = suite.charts ? suite.charts(result) : [];
  try {
    return { paths: [jsonPath, ...(await writeCharts(directory, suite.name, charts))] };
  } catch (error) {
    if (error instanceof ChartsUnavailable) return { paths: [jsonPath], skipped: error.message };
    throw error;
  }
}
