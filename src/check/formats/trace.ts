import { HistoryError, type HistoryEvent } from '../history.js';
import { jsonEvent, jsonObject } from './jsonEvent.js';
import { numberedLines } from './lines.js';

const operationTypes = new Map([
  ['op.invoke', 'invoke'],
  ['op.ok', 'ok'],
  ['op.fail', 'fail'],
  ['op.info', 'info'],
]);

/**
 * A trace from `mnm run --trace` (docs/trace.md): JSON lines, a header first.
 * Only the application operations are taken — lines of type `op.invoke`,
 * `op.ok`, `op.fail`, `op.info` with fields `p` (process), `op` (operation
 * id), `f`, optional `key`, and `value`; a return names its call by `op`.
 * Every other line (verbs, messages, faults) is skipped, but must still be JSON.
 */
export function parseTrace(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  let first = true;
  for (const { line, text: content } of numberedLines(text)) {
    const object = jsonObject(content, line);
    if (first) {
      if (object.type !== 'header') throw new HistoryError(line, 'a trace starts with its header line ({"type":"header", ...})');
      first = false;
      continue;
    }
    const type = typeof object.type === 'string' ? operationTypes.get(object.type) : undefined;
    if (type === undefined) continue;
    if (object.op === undefined) throw new HistoryError(line, `an ${String(object.type)} line needs "op" (the operation id)`);
    events.push(jsonEvent({ process: object.p, type, f: object.f, key: object.key, value: object.value, op: object.op }, line, { process: 'p', type: 'type' }));
  }
  return events;
}
