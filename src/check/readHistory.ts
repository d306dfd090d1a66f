import { formatNamed, detectFormat, type HistoryFormat } from './formats/index.js';
import { HistoryError, type Operation } from './history.js';
import { pairOperations } from './pairing.js';

export interface ReadHistory {
  readonly format: HistoryFormat;
  readonly operations: Operation[];
  /** What an operation's `id` is, in words (for --json): its call's line, its trace op id, … */
  readonly operationIds: string;
}

/** Parses a history in the named format (or the detected one) and pairs its operations. Throws HistoryError on bad input. */
export function readHistory(text: string, formatName?: string): ReadHistory {
  const format = formatName === undefined ? detectFormat(text) : formatNamed(formatName);
  if (!format) throw new HistoryError(0, `unknown format '${formatName}'`);
  const events = format.parse(text);
  return { format, operations: pairOperations(events, format.matchBy), operationIds: operationIdsOf(format) };
}

/** How a format's operations are named when read from one file. */
export function operationIdsOf(format: HistoryFormat): string {
  if (format.matchBy === 'process') return 'line of the call';
  return format.name === 'trace' ? 'trace op id' : 'operation id';
}
