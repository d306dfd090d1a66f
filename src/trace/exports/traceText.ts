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
 * string `type` and a numeric time `t`. The events the exporters draw must
 * name hosts of the header (`p` below `processes`, `m` below `memories`) and
 * carry their ids, so that no slice lands on a track the header does not
 * have. Blank lines are skipped; event types this reader does not know are
 * kept (exporters ignore them, as the format asks).
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
    const wrong = wrongField(record, header);
    if (wrong) throw new TraceTextError(line, `${record.type}: ${wrong}`);
    events.push(record as unknown as TraceEvent);
  }
  if (!header) throw new TraceTextError(1, 'empty: a trace starts with its header line {"type":"header", ...}');
  return { header, events };
}

/** The fields each event type needs to be drawn: hosts (`p`, `m`, `from`, `to`) and ids. */
const requiredFields: Readonly<Record<string, readonly { readonly name: string; readonly host?: 'p' | 'm' }[]>> = {
  'verb.issue': [{ name: 'id' }, { name: 'p', host: 'p' }, { name: 'm', host: 'm' }],
  'verb.arrive': [{ name: 'id' }, { name: 'm', host: 'm' }],
  'verb.lost': [{ name: 'id' }, { name: 'm', host: 'm' }],
  'verb.complete': [{ name: 'id' }, { name: 'p', host: 'p' }],
  'perm.change': [{ name: 'm', host: 'm' }, { name: 'p', host: 'p' }],
  'msg.send': [{ name: 'id' }, { name: 'from', host: 'p' }, { name: 'to', host: 'p' }],
  'msg.deliver': [{ name: 'id' }, { name: 'to', host: 'p' }],
  'msg.drop': [{ name: 'id' }],
  'op.invoke': [{ name: 'op' }, { name: 'p', host: 'p' }],
  'op.ok': [{ name: 'op' }, { name: 'p', host: 'p' }],
  'op.fail': [{ name: 'op' }, { name: 'p', host: 'p' }],
  'op.info': [{ name: 'op' }, { name: 'p', host: 'p' }],
  note: [{ name: 'p', host: 'p' }],
};

function wrongField(record: Record<string, unknown>, header: TraceHeader): string | undefined {
  for (const { name, host } of requiredFields[record.type as string] ?? []) {
    const value = record[name];
    if (!Number.isSafeInteger(value) || (value as number) < 0) return `"${name}" is ${JSON.stringify(value) ?? 'missing'}, expected a whole number`;
    const hosts = host === 'p' ? header.processes : host === 'm' ? header.memories : undefined;
    if (hosts !== undefined && (value as number) >= hosts) return `"${name}" is ${String(value)}, but the header has ${hosts} ${host === 'p' ? 'processes' : 'memories'} (${host}0 to ${host}${hosts - 1})`;
  }
  return undefined;
}
