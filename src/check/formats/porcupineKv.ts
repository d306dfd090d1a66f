import type { EventType, HistoryEvent } from '../history.js';
import { parseJepsenEdn } from './jepsenEdn.js';
import { numberedLines } from './lines.js';

/**
 * Porcupine's kv histories: one EDN map per line,
 * `{:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}`,
 * checked with the kv model. They are Jepsen EDN histories (jepsenEdn.ts);
 * this reads the files' own layout directly, since the general reader is
 * several times slower, and hands any file with another line to it.
 */
export function parsePorcupineKv(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const { line, text: content } of numberedLines(text)) {
    const usual = usualLine.exec(content);
    if (!usual) return parseJepsenEdn(text);
    const [, process, type, f, key, value] = usual;
    events.push({ process: Number(process), type: type as EventType, f, key, value: value === undefined ? null : value, line });
  }
  return events;
}

const usualLine = /^\{:process (\d+), :type :(invoke|ok|fail|info), :f :([a-z]+), :key "([^"\\]*)", :value (?:nil|"([^"\\]*)")\}$/;
