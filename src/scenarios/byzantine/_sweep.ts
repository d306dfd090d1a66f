import assert from 'node:assert/strict';
import { runScenario, type RunOptions, type RunReport } from '../index.js';

/** Test helpers of the broadcast scenarios' sweeps (private: tests only). */
export async function sweep(options: Omit<RunOptions, 'seed'>, seeds: number, first = 1): Promise<RunReport[]> {
  const reports: RunReport[] = [];
  for (let seed = first; seed < first + seeds; seed++) reports.push(await runScenario({ ...options, seed }, 'off'));
  return reports;
}

export function assertClean(reports: readonly RunReport[], what: string): void {
  for (const report of reports) {
    assert.deepEqual(report.violations, [], `${what}, seed ${report.seed}: ${report.faults.join('; ')}`);
  }
}
