import type { HistoryEvent } from '../fabric/index.js';

/** A run's application operations in the checker's history format: JSON lines, line order = real time. */
export function historyLines(history: readonly HistoryEvent[]): string {
  return history
    .map((event) =>
      JSON.stringify({
        process: event.process,
        type: event.type,
        f: event.f,
        ...(event.key === undefined ? {} : { key: event.key }),
        value: event.value,
        time: event.time,
      }),
    )
    .map((line) => line + '\n')
    .join('');
}
