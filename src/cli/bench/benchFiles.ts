import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChartsUnavailable, writeCharts } from '../plots/index.js';
import type { BenchSuite } from './suite.js';

/** Where `mnm bench` writes `<suite>.json` and its charts unless `--plots DIR` says otherwise. */
export const defaultBenchDirectory = 'bench-results';

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
