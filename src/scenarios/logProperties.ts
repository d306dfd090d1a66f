import type { HistoryEvent, NoteEvent } from '../fabric/index.js';
import { decodeEvent, eventsOf, type ProtocolEvent } from '../fabric/events.js';
import { chainDigest, emptyChain } from '../protocols/consensus/mu/muSnapshot.js';
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
 *
 * A replica of a recycled log (Mu) may install a snapshot instead of
 * delivering a prefix (`snapshot` {index, digest} notes: see
 * `deliveredLogs`); its log counts as that prefix, once checked.
 */
export function checkLogRun(history: readonly HistoryEvent[], notes: readonly NoteEvent[], appendable: readonly unknown[] = [], everyAppendRecorded = true): Violation[] {
  const violations: Violation[] = [];
  const instances = new Map<number, { value: unknown; process: number }>();
  const { logs, violations: snapshotViolations } = deliveredLogs(notes);
  violations.push(...snapshotViolations);
  const decisions = [...eventsOf(notes, 'decide'), ...eventsOf(notes, 'learn')].sort((a, b) => a.time - b.time);
  for (const event of decisions) {
    if (event.index === undefined) continue;
    const first = instances.get(event.index);
    if (first === undefined) instances.set(event.index, { value: event.value, process: event.process });
    else if (JSON.stringify(first.value) !== JSON.stringify(event.value)) {
      violations.push({ property: 'agreement', detail: `instance ${event.index}: p${first.process} decided ${JSON.stringify(first.value)}, p${event.process} ${event.kind === 'decide' ? 'decided' : 'learned'} ${JSON.stringify(event.value)}` });
    }
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

/**
 * Each process's delivered log from its `commit` notes {index, value}, in
 * order from position 0 (a gap or a repeat is an `integrity` violation).
 * A `snapshot` note {index: P, digest} — a replica of a recycled log
 * installed another's state instead of delivering positions below P — is
 * checked against what was delivered: the positions below P as the
 * processes' commit notes show them (the first note of each position; the
 * prefix comparison between logs judges the rest) must all be known and
 * have the snapshot's chained digest (muSnapshot.ts `chainDigest`), else
 * an `agreement` violation. The process's log then holds those values
 * below P, so every check on logs (prefixes, placement, replay) covers it.
 */
export function deliveredLogs(notes: readonly NoteEvent[]): { readonly logs: Map<number, unknown[]>; readonly violations: Violation[] } {
  const violations: Violation[] = [];
  const logs = new Map<number, unknown[]>();
  const commits = eventsOf(notes, 'commit');
  // In the order the notes were made (a snapshot and the deliveries right after it share their time).
  const steps = notes
    .map(decodeEvent)
    .filter((event): event is ProtocolEvent & { kind: 'commit' | 'snapshot' } => event?.kind === 'commit' || event?.kind === 'snapshot')
    .sort((a, b) => a.time - b.time);
  const reference: unknown[] = [];
  for (const event of commits) if (!(event.index in reference)) reference[event.index] = event.value;
  const chains: (string | undefined)[] = [emptyChain];
  const chainAt = (position: number): string | undefined => {
    for (let at = chains.length - 1; at < position; at++) chains[at + 1] = !(at in reference) || chains[at] === undefined ? undefined : chainDigest(chains[at] as string, reference[at] as never);
    return chains[position];
  };
  for (const note of steps) {
    const log = logs.get(note.process) ?? [];
    logs.set(note.process, log);
    const index = note.index;
    if (note.kind === 'snapshot') {
      const digest = note.digest;
      const expected = chainAt(index);
      if (index < log.length) violations.push({ property: 'integrity', detail: `p${note.process} installed a snapshot of ${index} entries after delivering ${log.length}`, involved: { processes: [note.process] } });
      else if (expected === undefined) violations.push({ property: 'agreement', detail: `p${note.process} installed a snapshot of ${index} entries, but no process delivered all of them`, involved: { processes: [note.process] } });
      else if (expected !== digest) violations.push({ property: 'agreement', detail: `p${note.process} installed a snapshot of ${index} entries with digest ${String(digest)}; the delivered prefix of ${index} entries has digest ${expected}`, involved: { processes: [note.process] } });
      else log.push(...reference.slice(log.length, index));
      continue;
    }
    if (index !== log.length) violations.push({ property: 'integrity', detail: `p${note.process} delivered position ${index} after ${log.length} entries` });
    log.push(note.value);
  }
  return { logs, violations };
}
