import { formatNamed, detectFormat, type HistoryFormat } from './formats/index.js';
import { HistoryError, type Operation } from './history.js';
import { pairOperations } from './pairing.js';

export interface ReadHistory {
  readonly format: HistoryFormat;
  readonly operations: Operation[];
}

/** Parses a history in the named format (or the detected one) and pairs its operations. Throws HistoryError on bad input. */
export function readHistory(text: string, formatName?: string): ReadHistory {
  const format = formatName === undefined ? detectFormat(text) : formatNamed(formatName);
  if (!format) throw new HistoryError(0, `unknown format '${formatName}'`);
  const events = format.parse(text);
  return { format, operations: pairOperations(events, format.matchBy) };
}
