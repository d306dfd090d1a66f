import { jsonEvent, jsonObject } from './jsonEvent.js';
import { numberedLines } from './lines.js';
import type { TimedEvent } from './timedEvent.js';

/**
 * mnm's history format: JSON lines, one event per line, in real-time order:
 * `{"process": 0, "type": "invoke"|"ok"|"fail"|"info", "f": "read", "key": "k", "value": ...}`.
 * Extra fields are ignored; a numeric `time` is kept for merging several files.
 */
export function parseMnmHistory(text: string): TimedEvent[] {
  const events: TimedEvent[] = [];
  for (const { line, text: content } of numberedLines(text)) {
    const object = jsonObject(content, line);
    const event = jsonEvent({ process: object.process, type: object.type, f: object.f, key: object.key, value: object.value }, line, { process: 'process', type: 'type' });
    events.push(typeof object.time === 'number' && Number.isFinite(object.time) ? { ...event, time: object.time } : event);
  }
  return events;
}
