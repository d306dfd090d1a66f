import type { HistoryEvent } from '../fabric/index.js';

/** One application operation event as a line of the checker's history format (with its newline). */
export function historyLine(event: HistoryEvent): string {
  return (
    JSON.stringify({
      process: event.process,
      type: event.type,
      f: event.f,
      ...(event.key === undefined ? {} : { key: event.key }),
      value: event.value,
      time: event.time,
    }) + '\n'
  );
}

/** A run's application operations in the checker's history format: JSON lines, line order = real time. */
export function historyLines(history: readonly HistoryEvent[]): string {
  return history.map(historyLine).join('');
}
