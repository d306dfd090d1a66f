import { eventsOf } from '../fabric/events.js';
import type { HistoryEvent, NoteEvent } from '../fabric/index.js';

/**
 * Per-decision costs of a `bft` or `pbft` run, read from the notes and the
 * clients' history alike for both, so the two sit side by side in one
 * table: for each executed request (c, s), the delay from its invocation
 * to the first decision of its instance and to its `ok`; for `pbft`, also
 * from the PRE-PREPARE (`pbft-propose`) to the first decision.
 */
export interface DecisionDelays {
  /** Requests measured (invoked, executed, completed). */
  readonly requests: number;
  /** Mean delays from the client's invocation: to the first replica's decision, to the client's `ok`. */
  readonly invokeToDecide: number;
  readonly invokeToOk: number;
  /** Mean delay from the proposal to the first decision (pbft; null without `pbft-propose` notes). */
  readonly proposeToDecide: number | null;
}

export function decisionDelays(history: readonly HistoryEvent[], notes: readonly NoteEvent[]): DecisionDelays {
  const decidedAt = new Map<number, number>();
  for (const note of notes) {
    if (note.kind !== 'bft-decide') continue;
    const instance = Number((note.detail as { i: number }).i);
    if (!decidedAt.has(instance) || note.time < (decidedAt.get(instance) as number)) decidedAt.set(instance, note.time);
  }
  const proposedAt = new Map<number, number>();
  for (const note of notes.filter((candidate) => candidate.kind === 'pbft-propose')) {
    const { v, i } = note.detail as { v: number; i: number };
    if (v === 0 && !proposedAt.has(i)) proposedAt.set(i, note.time);
  }
  const instanceOf = new Map<string, number>();
  for (const event of eventsOf(notes, 'bft-execute')) if (!instanceOf.has(`${event.c}/${event.s}`)) instanceOf.set(`${event.c}/${event.s}`, event.i);
  const calls = new Map<number, number>();
  const invokedAt = new Map<string, number>();
  let toDecide = 0;
  let toOk = 0;
  let measured = 0;
  for (const event of history) {
    if (event.type === 'invoke') {
      const sequence = (calls.get(event.process) ?? 0) + 1;
      calls.set(event.process, sequence);
      invokedAt.set(`${event.process}/${event.op}`, event.time);
      invokedAt.set(`seq:${event.process}/${sequence}`, event.time);
    }
  }
  const okAt = new Map<string, number>();
  const okSequence = new Map<number, number>();
  for (const event of history) {
    if (event.type !== 'ok' && event.type !== 'info' && event.type !== 'fail') continue;
    const sequence = (okSequence.get(event.process) ?? 0) + 1;
    okSequence.set(event.process, sequence);
    if (event.type === 'ok') okAt.set(`${event.process}/${sequence}`, event.time);
  }
  let fromProposal = 0;
  let proposalsMeasured = 0;
  for (const [key, instance] of instanceOf) {
    const invoked = invokedAt.get(`seq:${key}`);
    const ok = okAt.get(key);
    const decided = decidedAt.get(instance);
    if (invoked === undefined || ok === undefined || decided === undefined) continue;
    measured++;
    toDecide += decided - invoked;
    toOk += ok - invoked;
  }
  for (const [instance, proposed] of proposedAt) {
    const decided = decidedAt.get(instance);
    if (decided === undefined) continue;
    proposalsMeasured++;
    fromProposal += decided - proposed;
  }
  const mean = (sum: number, count: number) => (count === 0 ? 0 : Math.round((sum / count) * 1000) / 1000);
  return { requests: measured, invokeToDecide: mean(toDecide, measured), invokeToOk: mean(toOk, measured), proposeToDecide: proposalsMeasured === 0 ? null : mean(fromProposal, proposalsMeasured) };
}

/**
 * View changes of a `pbft` run: for each view v > 0 that some replica
 * entered, the delay from the first VIEW-CHANGE(v) sent to the last
 * replica's entry into v (NEW-VIEW sent or accepted) — the view change
 * proper, after the timer that started it.
 */
export function viewChangeDelays(notes: readonly NoteEvent[]): { readonly view: number; readonly delay: number }[] {
  const started = new Map<number, number>();
  const entered = new Map<number, number>();
  for (const event of notes) {
    if (event.kind !== 'pbft-view-change' && event.kind !== 'pbft-new-view') continue;
    const view = Number((event.detail as { v: number }).v);
    if (event.kind === 'pbft-view-change') {
      if (!started.has(view) || event.time < (started.get(view) as number)) started.set(view, event.time);
    } else if (!entered.has(view) || event.time > (entered.get(view) as number)) entered.set(view, event.time);
  }
  return [...entered.entries()]
    .filter(([view]) => started.has(view))
    .sort((a, b) => a[0] - b[0])
    .map(([view, time]) => ({ view, delay: time - (started.get(view) as number) }));
}
