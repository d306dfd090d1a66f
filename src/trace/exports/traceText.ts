import type { TraceEvent, TraceHeader } from '../format.js';

/** Why a text is not a trace (docs/trace.md): the line and what was expected there. */
export class TraceTextError extends Error {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'TraceTextError';
  }
}

/** A trace read back from its text: the header and the events in file order. */
export interface ParsedTrace {
  readonly header: TraceHeader;
  readonly events: readonly TraceEvent[];
}

/**
 * Reads a trace's JSON lines: a header first (`"type":"header"` with
 * `processes` and `memories` counts), then events, each a JSON object with a
 * string `type` and a numeric time `t`. Blank lines are skipped; event types
 * this reader does not know are kept (exporters ignore them, as the format asks).
 */
export function parseTraceText(text: string): ParsedTrace {
  let header: TraceHeader | undefined;
  const events: TraceEvent[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const content = lines[index].trim();
    if (content === '') continue;
    const line = index + 1;
    let object: unknown;
    try {
      object = JSON.parse(content);
    } catch {
      throw new TraceTextError(line, header ? 'not JSON (a trace has one JSON object per line)' : 'not JSON: a trace starts with its header line {"type":"header", ...}');
    }
    if (typeof object !== 'object' || object === null || Array.isArray(object)) throw new TraceTextError(line, 'not a JSON object');
    const record = object as Record<string, unknown>;
    if (!header) {
      if (record.type !== 'header') throw new TraceTextError(line, 'not a trace header (expected {"type":"header", ...} first)');
      for (const count of ['processes', 'memories'] as const) {
        if (!Number.isSafeInteger(record[count]) || (record[count] as number) < 0) throw new TraceTextError(line, `the header's "${count}" is not a whole number`);
      }
      header = record as unknown as TraceHeader;
      continue;
    }
    if (typeof record.type !== 'string' || typeof record.t !== 'number' || !Number.isFinite(record.t)) {
      throw new TraceTextError(line, 'not a trace event (expected {"t": time, "type": "...", ...})');
    }
    events.push(record as unknown as TraceEvent);
  }
  if (!header) throw new TraceTextError(1, 'empty: a trace starts with its header line {"type":"header", ...}');
  return { header, events };
}
