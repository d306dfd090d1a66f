import { eventsOf } from '../fabric/events.js';
import type { HistoryEvent, NoteEvent } from '../fabric/index.js';
import { decodeKvCommand } from '../protocols/kv/kvCommand.js';
import { KvStateMachine } from '../protocols/kv/kvStateMachine.js';
import { checkRunLinearizable } from './linearizable.js';
import { deliveredLogs } from './logProperties.js';
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
 * - replica state: a replica's state after c log entries (`kv-state`
 *   notes: checkpoints, and its final state) is the state the correct
 *   machine reaches by applying the first c entries of that replica's
 *   delivered log (replayed here from its `commit` notes, whose values are
 *   the entries' bytes in hex), and replicas that applied the same number
 *   of entries report the same digest. A replica that installed a snapshot
 *   (`snapshot` notes) is judged on the prefix it stands for, checked
 *   against the others' delivered logs (`deliveredLogs`).
 */
export function checkKvRun(history: readonly HistoryEvent[], notes: readonly NoteEvent[], matchBy: 'process' | 'op' = 'process'): Violation[] {
  // A replica that installed a snapshot (Mu's recycled log) has the snapshot's prefix checked and counted as its log's (logProperties.ts).
  const { logs, violations } = deliveredLogs(notes);
  const ordered = [...logs].sort(([a], [b]) => a - b);
  for (let a = 0; a < ordered.length; a++) {
    for (let b = a + 1; b < ordered.length; b++) {
      const [p, left] = ordered[a];
      const [q, right] = ordered[b];
      const differs = left.findIndex((value, index) => index < right.length && JSON.stringify(value) !== JSON.stringify(right[index]));
      if (differs >= 0) violations.push({ property: 'agreement', detail: `logs of p${p} and p${q} differ at ${differs}`, involved: { processes: [p, q] } });
    }
  }
  const replayed = new Map<number, string[] | undefined>();
  const digestsOf = (process: number): string[] | undefined => {
    if (!replayed.has(process)) replayed.set(process, replayDigests(logs.get(process) ?? []));
    return replayed.get(process);
  };
  const states = new Map<number, { digest: string; process: number }>();
  for (const event of eventsOf(notes, 'kv-state')) {
    const expected = digestsOf(event.process)?.[event.applied];
    if (expected !== undefined && expected !== event.digest) {
      violations.push({
        property: 'replica-state',
        detail: `after ${event.applied} log entries p${event.process}'s state has digest ${event.digest}, but applying its log's first ${event.applied} entries gives ${expected}`,
        involved: { processes: [event.process] },
      });
    }
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
  const result = checkRunLinearizable(history, 'kv', matchBy);
  if (result.verdict === 'not-linearizable') violations.push({ property: 'linearizability', detail: result.explanation });
  return violations;
}

/**
 * The correct machine's digest after each prefix of a delivered log (index
 * c: after c entries), or undefined when the log's values are not the hex
 * of its entries (a log that notes its values otherwise cannot be replayed).
 */
function replayDigests(values: readonly unknown[]): string[] | undefined {
  const machine = new KvStateMachine();
  const digests = [machine.digest()];
  for (const value of values) {
    if (typeof value !== 'string' || !/^([0-9a-f]{2})*$/.test(value)) return undefined;
    const command = decodeKvCommand(Uint8Array.from(value.match(/../g) ?? [], (pair) => parseInt(pair, 16)));
    if (command) machine.apply(command);
    digests.push(machine.digest());
  }
  return digests;
}
