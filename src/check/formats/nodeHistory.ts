import { HistoryError } from '../history.js';
import { jsonEvent, jsonObject } from './jsonEvent.js';
import { numberedLines } from './lines.js';
import type { TimedEvent } from './timedEvent.js';

/**
 * What one `mnm node` writes (`--history`; `mnm cluster up` puts one such
 * file per process in its state directory, `pN.history.jsonl`): JSON lines
 * `{"type":"history","event":{"process","type","f","key"?,"value","time","op"}}`
 * for its operations, `{"type":"note",…}` for protocol notes, and a last
 * `{"type":"done"}` or `{"type":"error","message":…}`. The operations are
 * taken, paired by their operation id, with their time (the cluster's shared
 * clock), so that several nodes' files merge into one history; the other
 * lines are skipped. A file without its `done` line comes from a node that
 * was stopped or crashed: its open calls stay unknown outcomes.
 */
export function parseNodeHistory(text: string): TimedEvent[] {
  const events: TimedEvent[] = [];
  for (const { line, text: content } of numberedLines(text)) {
    const record = jsonObject(content, line);
    if (record.type === 'note' || record.type === 'done' || record.type === 'error') continue;
    if (record.type !== 'history') throw new HistoryError(line, `a node history line is of type "history", "note", "done" or "error", got ${JSON.stringify(record.type) ?? 'nothing'}`);
    const event = record.event;
    if (event === null || typeof event !== 'object' || Array.isArray(event)) throw new HistoryError(line, 'a "history" line needs its "event" object');
    const fields = event as Record<string, unknown>;
    if (typeof fields.time !== 'number' || !Number.isFinite(fields.time)) throw new HistoryError(line, `"time" must be a number, got ${JSON.stringify(fields.time) ?? 'nothing'}`);
    if (fields.op === undefined) throw new HistoryError(line, 'a "history" event needs "op" (its operation id)');
    const parsed = jsonEvent({ process: fields.process, type: fields.type, f: fields.f, key: fields.key, value: fields.value, op: fields.op }, line, { process: 'process', type: 'type' });
    events.push({ ...parsed, time: fields.time });
  }
  return events;
}
