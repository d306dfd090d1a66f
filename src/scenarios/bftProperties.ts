import { eventsOf } from '../fabric/events.js';
import type { HistoryEvent, NoteEvent } from '../fabric/index.js';
import { checkRunLinearizable } from './linearizable.js';
import type { Violation } from './scenario.js';

/**
 * The properties of a `bft` run (specs/bft-consensus.md §3), from the
 * replicas' `bft-decide` and `bft-execute` notes and the clients' history:
 *
 * - agreement: no two replicas decide different batches at one instance;
 * - prefix agreement: at each instance two replicas both executed, they
 *   executed the same (c, s) list; an instance a replica skipped by
 *   installing a STATE (`bft-skip {from, to}`, §2.7.2) is compared nowhere
 *   (its effect arrives in the snapshot, whose digest a CP certifies);
 * - integrity: each replica executes each (c, s) at most once, and its
 *   state only moves forward: no execution below an instance it reached,
 *   no skip that goes back (`install-back`);
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
}

/** One replica's executions (per instance, in order) and the ranges it skipped by installing a STATE. */
interface ReplicaRun {
  readonly byInstance: Map<number, string[]>;
  readonly skipped: { readonly from: number; readonly to: number }[];
  /** The highest instance executed or installed so far. */
  reached: number;
  readonly seen: Set<string>;
}

/** The highest instance the replica's notes show it executed (by a note, or by a skip past it). */
function executedThrough(run: ReplicaRun): number {
  let through = -1;
  for (const instance of run.byInstance.keys()) through = Math.max(through, instance);
  for (const skip of run.skipped) through = Math.max(through, skip.to);
  return through;
}

function skippedAt(run: ReplicaRun, instance: number): boolean {
  return run.skipped.some((skip) => skip.from <= instance && instance <= skip.to);
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
  const runs = new Map<number, ReplicaRun>();
  const runOf = (process: number): ReplicaRun => {
    let run = runs.get(process);
    if (!run) {
      run = { byInstance: new Map(), skipped: [], reached: -1, seen: new Set() };
      runs.set(process, run);
    }
    return run;
  };
  // Notes are in time order, so each replica's executions and skips come in the order it made them.
  for (const note of notes) {
    if (note.kind === 'bft-skip') {
      const [event] = eventsOf([note], 'bft-skip');
      if (!event) continue;
      const run = runOf(event.process);
      // Installing moves only forward (§2.7.2): from = executed+1, to = CP′.next−1 ≥ from.
      if (event.to < event.from || event.from <= run.reached) {
        violations.push({ property: 'integrity', detail: `p${event.process} installed a snapshot through instance ${event.to} after executing through ${Math.max(run.reached, event.from - 1)}: its state moved back`, involved: { processes: [event.process] } });
      }
      run.skipped.push({ from: event.from, to: event.to });
      run.reached = Math.max(run.reached, event.to);
      continue;
    }
    if (note.kind !== 'bft-execute') continue;
    const [event] = eventsOf([note], 'bft-execute');
    if (!event) continue;
    const key = `${event.c}/${event.s}`;
    const run = runOf(event.process);
    if (event.i < run.reached) violations.push({ property: 'integrity', detail: `p${event.process} executed (${key}) at instance ${event.i} after reaching instance ${run.reached}`, involved: { processes: [event.process] } });
    run.reached = Math.max(run.reached, event.i);
    const list = run.byInstance.get(event.i) ?? [];
    list.push(key);
    run.byInstance.set(event.i, list);
    if (run.seen.has(key)) violations.push({ property: 'integrity', detail: `p${event.process} executed (${key}) twice`, involved: { processes: [event.process] } });
    run.seen.add(key);
    if (!context.clients.includes(event.c) || event.s < 1 || event.s > (invoked.get(event.c) ?? 0)) {
      violations.push({ property: 'validity', detail: `p${event.process} executed (${key}), which no configured client invoked`, involved: { processes: [event.process] } });
    }
  }
  // Prefix agreement, instance by instance: where two replicas both executed i (neither skipped it by a STATE), they ran the same (c, s) list there.
  const ordered = [...runs.entries()].sort((a, b) => a[0] - b[0]);
  for (let a = 0; a < ordered.length; a++) {
    for (let b = a + 1; b < ordered.length; b++) {
      const [p, left] = ordered[a];
      const [q, right] = ordered[b];
      const upTo = Math.min(executedThrough(left), executedThrough(right));
      for (let instance = 0; instance <= upTo; instance++) {
        if (skippedAt(left, instance) || skippedAt(right, instance)) continue;
        const mine = (left.byInstance.get(instance) ?? []).join(' ');
        const theirs = (right.byInstance.get(instance) ?? []).join(' ');
        if (mine === theirs) continue;
        violations.push({ property: 'prefix-agreement', detail: `p${p} and p${q} executed different requests at instance ${instance}: (${mine || 'none'}) and (${theirs || 'none'})`, involved: { processes: [p, q] } });
        break;
      }
    }
  }
  const result = checkRunLinearizable(history, 'kv');
  if (result.verdict === 'not-linearizable') violations.push({ property: 'linearizability', detail: result.explanation });
  if (context.liveness) {
    const open = history.filter((event) => event.type === 'info');
    if (open.length > 0) violations.push({ property: 'liveness', detail: `${open.length} client call(s) gave up (outcome unknown) although the faults stayed within tolerance`, involved: { processes: [...new Set(open.map((event) => event.process))] } });
  }
  return violations;
}

/** State transfer in a run (§2.7.2): STATEs installed and the instances they skipped, FETCHes sent, STATEs refused. */
export function transferCounts(notes: readonly NoteEvent[]): { skips: number; skippedInstances: number; fetches: number; refused: number } {
  const skips = eventsOf(notes, 'bft-skip');
  return {
    skips: skips.length,
    skippedInstances: skips.reduce((total, skip) => total + Math.max(0, skip.to - skip.from + 1), 0),
    fetches: eventsOf(notes, 'bft-fetch').length,
    refused: eventsOf(notes, 'bft-state-refused').length,
  };
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
