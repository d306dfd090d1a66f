import { eventsOf } from '../fabric/events.js';
import type { HistoryEvent, NoteEvent } from '../fabric/index.js';
import { checkRunLinearizable } from './linearizable.js';
import type { Violation } from './scenario.js';

/**
 * The properties of a `bft` run (specs/bft-consensus.md §3), from the
 * replicas' `bft-decide` and `bft-execute` notes and the clients' history:
 *
 * - agreement: no two replicas decide different batches at one instance;
 * - prefix agreement: replicas execute the same (c, s) sequence (one a
 *   prefix of the other);
 * - integrity: each replica executes each (c, s) at most once;
 * - validity: only requests a configured client invoked are executed
 *   (c a client, s ≤ the calls c started);
 * - linearizability: the clients' history against the `kv` model;
 * - liveness (when the run's faults leave it owed): every call completed.
 */
export interface BftCheckContext {
  readonly replicas: number;
  readonly clients: readonly number[];
  /** Whether every client call must complete (no faults beyond a tolerated crash). */
  readonly liveness: boolean;
  /** Byzantine clients: their requests are whatever they signed (no bound on s) and their calls owe no liveness. */
  readonly byzantineClients?: readonly number[];
}

export function checkBft(history: readonly HistoryEvent[], notes: readonly NoteEvent[], context: BftCheckContext): Violation[] {
  const violations: Violation[] = [];
  const decided = new Map<number, { h: string; process: number }>();
  for (const event of eventsOf(notes, 'bft-decide')) {
    const first = decided.get(event.i);
    if (!first) decided.set(event.i, { h: event.h, process: event.process });
    else if (first.h !== event.h) {
      violations.push({ property: 'agreement', detail: `p${first.process} decided ${first.h.slice(0, 12)} at instance ${event.i}, p${event.process} ${event.h.slice(0, 12)}`, involved: { processes: [first.process, event.process] } });
    }
  }
  const invoked = new Map<number, number>();
  for (const event of history) if (event.type === 'invoke') invoked.set(event.process, (invoked.get(event.process) ?? 0) + 1);
  const executed = new Map<number, string[]>();
  const seen = new Map<number, Set<string>>();
  for (const event of eventsOf(notes, 'bft-execute')) {
    const key = `${event.c}/${event.s}`;
    const list = executed.get(event.process) ?? [];
    list.push(key);
    executed.set(event.process, list);
    const once = seen.get(event.process) ?? new Set<string>();
    if (once.has(key)) violations.push({ property: 'integrity', detail: `p${event.process} executed (${key}) twice`, involved: { processes: [event.process] } });
    once.add(key);
    seen.set(event.process, once);
    const byzantineClient = context.byzantineClients?.includes(event.c) ?? false;
    if (!context.clients.includes(event.c) || event.s < 1 || (!byzantineClient && event.s > (invoked.get(event.c) ?? 0))) {
      violations.push({ property: 'validity', detail: `p${event.process} executed (${key}), which no configured client invoked`, involved: { processes: [event.process] } });
    }
  }
  const sequences = [...executed.entries()].sort((a, b) => a[0] - b[0]);
  for (let a = 0; a < sequences.length; a++) {
    for (let b = a + 1; b < sequences.length; b++) {
      const [p, left] = sequences[a];
      const [q, right] = sequences[b];
      const differs = left.findIndex((key, index) => index < right.length && key !== right[index]);
      if (differs >= 0) violations.push({ property: 'prefix-agreement', detail: `p${p} and p${q} executed different requests as their request ${differs}: (${left[differs]}) and (${right[differs]})`, involved: { processes: [p, q] } });
    }
  }
  // A Byzantine client's calls are all outstanding (info) at once: pair returns by operation id, not by process.
  const result = checkRunLinearizable(history, 'kv', context.byzantineClients?.length ? 'op' : 'process');
  if (result.verdict === 'not-linearizable') violations.push({ property: 'linearizability', detail: result.explanation });
  if (context.liveness) {
    const open = history.filter((event) => event.type === 'info' && !(context.byzantineClients?.includes(event.process) ?? false));
    if (open.length > 0) violations.push({ property: 'liveness', detail: `${open.length} client call(s) gave up (outcome unknown) although the faults stayed within tolerance`, involved: { processes: [...new Set(open.map((event) => event.process))] } });
  }
  return violations;
}

/** Decisions per path (each instance counted once, by its first decider's path). */
export function decisionCounts(notes: readonly NoteEvent[]): { fast: number; slow: number } {
  const paths = new Map<number, string>();
  for (const event of eventsOf(notes, 'bft-decide')) if (!paths.has(event.i)) paths.set(event.i, event.path);
  let fast = 0;
  let slow = 0;
  for (const path of paths.values()) if (path === 'fast') fast++;
  else slow++;
  return { fast, slow };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Delays of the run's calls: from a client's invoke to the first decision
 * of the instance that executed it (the REQ's delay, then the protocol's),
 * and to its `ok` (end to end). Client c's s-th call is its s-th invoke.
 */
export function callDelays(history: readonly HistoryEvent[], notes: readonly NoteEvent[]): { toDecideMedian: number | null; endToEndMedian: number | null } {
  const invokes = new Map<string, number>();
  const counts = new Map<number, number>();
  const opened = new Map<number, number>();
  const endToEnd: number[] = [];
  for (const event of history) {
    if (event.type === 'invoke') {
      const s = (counts.get(event.process) ?? 0) + 1;
      counts.set(event.process, s);
      invokes.set(`${event.process}/${s}`, event.time);
      opened.set(event.op, event.time);
    } else if (event.type === 'ok') endToEnd.push(event.time - (opened.get(event.op) ?? event.time));
  }
  const decidedAt = new Map<number, number>();
  for (const event of eventsOf(notes, 'bft-decide')) if (!decidedAt.has(event.i)) decidedAt.set(event.i, event.time);
  const toDecide: number[] = [];
  const counted = new Set<string>();
  for (const event of eventsOf(notes, 'bft-execute')) {
    const key = `${event.c}/${event.s}`;
    const invoked = invokes.get(key);
    const decided = decidedAt.get(event.i);
    if (counted.has(key) || invoked === undefined || decided === undefined) continue;
    counted.add(key);
    toDecide.push(decided - invoked);
  }
  return { toDecideMedian: median(toDecide), endToEndMedian: median(endToEnd) };
}
