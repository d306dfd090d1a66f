import { HistoryError, type EventType, type HistoryEvent } from '../history.js';

const eventTypes: readonly string[] = ['invoke', 'ok', 'fail', 'info'];

/** Parses one line as a JSON object, or throws a HistoryError naming the line. */
export function jsonObject(text: string, line: number): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HistoryError(line, `not JSON (${reason})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HistoryError(line, 'expected a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * Builds an event from the fields shared by mnm histories and traces, checking
 * each: the process an integer, the type one of the four, f and key strings.
 * A missing value is null.
 */
export function jsonEvent(fields: { process: unknown; type: unknown; f: unknown; key: unknown; value: unknown; op?: unknown }, line: number, names: { process: string; type: string }): HistoryEvent {
  const { process, type, f, key, value, op } = fields;
  if (!Number.isSafeInteger(process)) throw new HistoryError(line, `"${names.process}" must be an integer, got ${JSON.stringify(process) ?? 'nothing'}`);
  if (typeof type !== 'string' || !eventTypes.includes(type)) throw new HistoryError(line, `"${names.type}" must be one of ${eventTypes.join(', ')}, got ${JSON.stringify(type) ?? 'nothing'}`);
  if (typeof f !== 'string' || f === '') throw new HistoryError(line, `"f" must be a function name, got ${JSON.stringify(f) ?? 'nothing'}`);
  if (key !== undefined && typeof key !== 'string') throw new HistoryError(line, `"key" must be a string, got ${JSON.stringify(key)}`);
  const event: HistoryEvent = {
    process: process as number,
    type: type as EventType,
    f,
    ...(key === undefined ? {} : { key }),
    value: value === undefined ? null : value,
    line,
  };
  if (op === undefined) return event;
  if (!Number.isSafeInteger(op)) throw new HistoryError(line, `"op" must be an integer operation id, got ${JSON.stringify(op)}`);
  return { ...event, op: op as number };
}
