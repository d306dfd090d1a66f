import { HistoryError, type EventType, type HistoryEvent } from '../history.js';
import { numberedLines } from './lines.js';

/**
 * Jepsen's etcd logs from Porcupine's test suite: one event per line,
 * `INFO  jepsen.util - P	:type	:f	value`, where value is nil, an integer,
 * `[A B]` (cas) or `:timed-out`. Lines of other loggers are skipped; a
 * jepsen.util line about a client process that does not have this shape is
 * bad input rather than something to skip.
 *
 * `:info` (and `:timed-out` on a write or cas) is an unknown outcome. A
 * `:fail :read :timed-out` is one too, but a read has no effect, so it stays a
 * `fail` (dropped, exactly) — and Jepsen lets that process call again, which
 * an `info` would forbid. Any other `:fail` (a cas whose compare failed) did
 * not take effect.
 */
const clientLine = /jepsen\.util\s+-\s+(\d+)\s/;
const shape = /jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(nil|-?\d+|\[\s*-?\d+\s+-?\d+\s*\]|:timed-out)\s*$/;

export function parsePorcupineEtcd(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const { line, text: content } of numberedLines(text)) {
    if (!clientLine.test(content)) continue;
    const match = shape.exec(content);
    if (!match) throw new HistoryError(line, `not a Jepsen client event 'P :type :f value' (read/write/cas with nil, an integer, [A B] or :timed-out)`);
    const [, process, rawType, f, rawValue] = match;
    let type = rawType as EventType;
    if (rawValue === ':timed-out') {
      if (type === 'invoke' || type === 'ok') throw new HistoryError(line, `:timed-out is not a value for :${type}`);
      if (f !== 'read') type = 'info';
    }
    events.push({ process: Number(process), type, f, value: etcdValue(rawValue), line });
  }
  return events;
}

function etcdValue(raw: string): unknown {
  if (raw === 'nil' || raw === ':timed-out') return null;
  if (raw.startsWith('[')) return raw.slice(1, -1).trim().split(/\s+/).map(Number);
  return Number(raw);
}
