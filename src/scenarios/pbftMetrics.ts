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
  /** Calls completed (`ok`): invokeToOk's sample. */
  readonly calls: number;
  /** Mean delay from a call's invocation to its `ok`. */
  readonly invokeToOk: number;
  /** Requests executed and completed: invokeToDecide's sample. */
  readonly requests: number;
  /** Mean delay from a call's invocation to the first replica's decision of its instance. */
  readonly invokeToDecide: number;
  /** Mean delay from the proposal to the first decision (pbft, view 0; null without `pbft-propose` notes). */
  readonly proposeToDecide: number | null;
}

const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 1000) / 1000);

export function decisionDelays(history: readonly HistoryEvent[], notes: readonly NoteEvent[]): DecisionDelays {
  const decidedAt = new Map<number, number>();
  const proposedAt = new Map<number, number>();
  for (const note of notes) {
    if (note.kind === 'bft-decide') {
      const instance = Number((note.detail as { i: number }).i);
      if (!decidedAt.has(instance) || note.time < (decidedAt.get(instance) as number)) decidedAt.set(instance, note.time);
    } else if (note.kind === 'pbft-propose') {
      const { v, i } = note.detail as { v: number; i: number };
      if (v === 0 && !proposedAt.has(i)) proposedAt.set(i, note.time);
    }
  }
  const instanceOf = new Map<string, number>();
  for (const event of eventsOf(notes, 'bft-execute')) if (!instanceOf.has(`${event.c}/${event.s}`)) instanceOf.set(`${event.c}/${event.s}`, event.i);
  // A client has one call out at a time: its s-th invoke and its s-th completion are request (c, s).
  const invokes = new Map<number, number[]>();
  const completions = new Map<number, { type: string; time: number }[]>();
  for (const event of history) {
    if (event.type === 'invoke') invokes.set(event.process, [...(invokes.get(event.process) ?? []), event.time]);
    else completions.set(event.process, [...(completions.get(event.process) ?? []), { type: event.type, time: event.time }]);
  }
  const toOk: number[] = [];
  const toDecide: number[] = [];
  for (const [client, times] of invokes) {
    const ends = completions.get(client) ?? [];
    times.forEach((invoked, index) => {
      const end = ends[index];
      if (end?.type !== 'ok') return;
      toOk.push(end.time - invoked);
      const instance = instanceOf.get(`${client}/${index + 1}`);
      const decided = instance === undefined ? undefined : decidedAt.get(instance);
      if (decided !== undefined) toDecide.push(decided - invoked);
    });
  }
  const fromProposal: number[] = [];
  for (const [instance, proposed] of proposedAt) {
    const decided = decidedAt.get(instance);
    if (decided !== undefined) fromProposal.push(decided - proposed);
  }
  return { calls: toOk.length, invokeToOk: mean(toOk), requests: toDecide.length, invokeToDecide: mean(toDecide), proposeToDecide: fromProposal.length === 0 ? null : mean(fromProposal) };
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
