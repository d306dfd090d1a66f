import type { CommandIO } from '../command.js';

/**
 * A table of `mnm table <name>`: a lecture's table reproduced from measured
 * runs (never constants). Every row names the seed and traceHash of a run
 * that `mnm run … --json` reproduces.
 */
export interface Table {
  readonly name: string;
  readonly summary: string;
  /** Measures every row; returns `{ rows: [...] , ...}` as printed by --json. */
  measure(options: { readonly quiet: boolean }, io: CommandIO): Promise<{ rows: Record<string, unknown>[] } & Record<string, unknown>>;
  /** The human rendering of a measured table. */
  render(table: { rows: Record<string, unknown>[] } & Record<string, unknown>): string;
}
