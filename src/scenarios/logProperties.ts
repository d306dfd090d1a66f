import type { HistoryEvent, NoteEvent } from '../fabric/index.js';
import { eventsOf } from '../fabric/events.js';
import { checkRunLinearizable } from './linearizable.js';
import type { Violation } from './scenario.js';

/**
 * Properties of a replicated-log run, judged from the history (each client
 * invokes `append(v)` and returns the index) and the processes' notes
 * (`decide`/`learn` {index, value} per consensus instance, `commit` {index,
 * value} per delivered log entry):
 *
 * - agreement: no two processes decide different values at one instance,
 *   and of any two processes' delivered logs one is a prefix of the other;
 * - validity: every delivered entry was appended by someone (in the history,
 *   or among the `appendable` values of appends the history does not record);
 * - integrity: no value is delivered twice in a log, and a log is delivered
 *   in order from position 0;
 * - placement: every completed append's index holds its value in every log
 *   that reaches that index;
 * - linearizability: the appends' history is linearizable for the `log`
 *   model (an append that completed before another began has a lower index),
 *   judged when the history records every append.
 */
export function checkLogRun(history: readonly HistoryEvent[], notes: readonly NoteEvent[], appendable: readonly unknown[] = [], everyAppendRecorded = true): Violation[] {
  const violations: Violation[] = [];
  const instances = new Map<number, { value: unknown; process: number }>();
  const logs = new Map<number, unknown[]>();
  const decisions = [...eventsOf(notes, 'decide'), ...eventsOf(notes, 'learn')].sort((a, b) => a.time - b.time);
  for (const event of decisions) {
    if (event.index === undefined) continue;
    const first = instances.get(event.index);
    if (first === undefined) instances.set(event.index, { value: event.value, process: event.process });
    else if (JSON.stringify(first.value) !== JSON.stringify(event.value)) {
      violations.push({ property: 'agreement', detail: `instance ${event.index}: p${first.process} decided ${JSON.stringify(first.value)}, p${event.process} ${event.kind === 'decide' ? 'decided' : 'learned'} ${JSON.stringify(event.value)}` });
    }
  }
  for (const event of eventsOf(notes, 'commit')) {
    const log = logs.get(event.process) ?? [];
    logs.set(event.process, log);
    if (event.index !== log.length) violations.push({ property: 'integrity', detail: `p${event.process} delivered position ${event.index} after ${log.length} entries` });
    log.push(event.value);
  }
  const appended = new Set([...appendable, ...history.filter((event) => event.f === 'append' && event.type === 'invoke').map((event) => event.value)].map((value) => JSON.stringify(value)));
  for (const [process, log] of logs) {
    const seen = new Set<string>();
    log.forEach((value, index) => {
      const key = JSON.stringify(value);
      if (!appended.has(key)) violations.push({ property: 'validity', detail: `p${process}'s log holds ${key} at ${index}, which nobody appended` });
      if (seen.has(key)) violations.push({ property: 'integrity', detail: `p${process}'s log holds ${key} twice (again at ${index})` });
      seen.add(key);
    });
  }
  const ordered = [...logs].sort(([a], [b]) => a - b);
  for (let a = 0; a < ordered.length; a++) {
    for (let b = a + 1; b < ordered.length; b++) {
      const [p, left] = ordered[a];
      const [q, right] = ordered[b];
      const shared = Math.min(left.length, right.length);
      for (let index = 0; index < shared; index++) {
        if (JSON.stringify(left[index]) !== JSON.stringify(right[index])) {
          violations.push({ property: 'agreement', detail: `logs of p${p} and p${q} differ at ${index}: ${JSON.stringify(left[index])} vs ${JSON.stringify(right[index])}` });
          break;
        }
      }
    }
  }
  const invoked = new Map<number, unknown>();
  for (const event of history) {
    if (event.f !== 'append') continue;
    if (event.type === 'invoke') invoked.set(event.op, event.value);
    if (event.type !== 'ok' || typeof event.value !== 'number') continue;
    const value = JSON.stringify(invoked.get(event.op));
    for (const [process, log] of logs) {
      if (event.value < log.length && JSON.stringify(log[event.value]) !== value) {
        violations.push({ property: 'placement', detail: `p${event.process}'s append of ${value} returned ${event.value}, but p${process}'s log holds ${JSON.stringify(log[event.value])} there` });
      }
    }
  }
  // The log model counts positions among the appends it sees: it can judge only a history that records them all.
  if (violations.length === 0 && everyAppendRecorded) {
    const result = checkRunLinearizable(history, 'log');
    if (result.verdict === 'not-linearizable') violations.push({ property: 'linearizability', detail: result.explanation });
  }
  return violations;
}
