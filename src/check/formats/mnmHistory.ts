import type { HistoryEvent } from '../history.js';
import { jsonEvent, jsonObject } from './jsonEvent.js';
import { numberedLines } from './lines.js';

/**
 * mnm's history format: JSON lines, one event per line, in real-time order:
 * `{"process": 0, "type": "invoke"|"ok"|"fail"|"info", "f": "read", "key": "k", "value": ...}`.
 * Extra fields (such as `time`) are ignored.
 */
export function parseMnmHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const { line, text: content } of numberedLines(text)) {
    const object = jsonObject(content, line);
    events.push(jsonEvent({ process: object.process, type: object.type, f: object.f, key: object.key, value: object.value }, line, { process: 'process', type: 'type' }));
  }
  return events;
}
