import type { CommandIO } from '../command.js';
import type { Chart } from '../plots/index.js';

/**
 * A benchmark suite of `mnm bench <suite>`. It measures in one run both what
 * it reports and the baseline it compares with, and reports ratios (never
 * absolute times alone). `run` returns the suite's JSON result; `summary`
 * turns it into the human report.
 */
export interface BenchSuite {
  readonly name: string;
  readonly summary: string;
  run(options: BenchOptions, io: CommandIO): Promise<Record<string, unknown>>;
  summarize(result: Record<string, unknown>): string;
  /**
   * The suite's charts, drawn from its JSON result (docs/plots.md): latency
   * CDFs, ratios against the in-run baseline, tables as bars. `mnm bench`
   * writes each as `<suite>-<name>.svg` next to `<suite>.json`.
   */
  charts?(result: Record<string, unknown>): Chart[];
}

export interface BenchOptions {
  /** A short version for smoke runs (seconds, not minutes). */
  readonly quick: boolean;
  /** Suppress progress (with --json). */
  readonly quiet: boolean;
}
