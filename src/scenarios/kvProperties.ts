import { eventsOf } from '../fabric/events.js';
import type { HistoryEvent, NoteEvent } from '../fabric/index.js';
import { checkRunLinearizable } from './linearizable.js';
import type { Violation } from './scenario.js';

/**
 * Properties of a replicated key-value store run (`kv-log`), from the
 * clients' history and the replicas' notes:
 *
 * - linearizability: the history (get, put — a delete is a put of "" —,
 *   append; unknown outcomes as `info`) against the checker's `kv` model,
 *   checked key by key;
 * - log agreement: of any two replicas' delivered logs (`commit` notes),
 *   one is a prefix of the other;
 * - replica state: replicas that applied the same number of log entries
 *   report the same state digest (`kv-state` notes: checkpoints, and each
 *   replica's final state when it closed) — the state machine is
 *   deterministic, so a difference means a replica applied something else.
 */
export function checkKvRun(history: readonly HistoryEvent[], notes: readonly NoteEvent[]): Violation[] {
  const violations: Violation[] = [];
  const logs = new Map<number, unknown[]>();
  for (const event of eventsOf(notes, 'commit')) {
    const log = logs.get(event.process) ?? [];
    logs.set(event.process, log);
    log.push(event.value);
  }
  const ordered = [...logs].sort(([a], [b]) => a - b);
  for (let a = 0; a < ordered.length; a++) {
    for (let b = a + 1; b < ordered.length; b++) {
      const [p, left] = ordered[a];
      const [q, right] = ordered[b];
      const differs = left.findIndex((value, index) => index < right.length && JSON.stringify(value) !== JSON.stringify(right[index]));
      if (differs >= 0) violations.push({ property: 'agreement', detail: `logs of p${p} and p${q} differ at ${differs}`, involved: { processes: [p, q] } });
    }
  }
  const states = new Map<number, { digest: string; process: number }>();
  for (const event of eventsOf(notes, 'kv-state')) {
    const first = states.get(event.applied);
    if (first === undefined) states.set(event.applied, { digest: event.digest, process: event.process });
    else if (first.digest !== event.digest) {
      violations.push({
        property: 'replica-state',
        detail: `after ${event.applied} log entries p${first.process}'s state has digest ${first.digest}, p${event.process}'s ${event.digest}`,
        involved: { processes: [first.process, event.process] },
      });
    }
  }
  const result = checkRunLinearizable(history, 'kv');
  if (result.verdict === 'not-linearizable') violations.push({ property: 'linearizability', detail: result.explanation });
  return violations;
}
