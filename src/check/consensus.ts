import { decodeEvents, decodeOperation, type NoteRecord } from '../fabric/events.js';

/**
 * Properties of single-decree consensus, judged from a run's history (each
 * process invokes `propose(v)` and returns the decision) and the processes'
 * decision notes (`decide`/`learn` with a `value`):
 *
 * - agreement: no two processes decide differently;
 * - validity: every decision was some process's input;
 * - integrity: a process decides at most once (never two values, never two returns).
 *
 * Termination is judged by the runner (bodies that did not return). Notes are
 * read through the event catalogue (`fabric/events.ts`); a decision note
 * whose fields do not decode is itself a violation (`event-format`), since a
 * checker that skipped it would pass a run it never saw.
 */
export interface ProposeEvent {
  readonly process: number;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly f: string;
  readonly value: unknown;
}

/** A note of the run (any kind; the decisions are picked out by the decoder); its time matters not here. */
export type DecisionNote = Omit<NoteRecord, 'time'> & { readonly time?: number };

export interface ConsensusViolation {
  readonly property: 'agreement' | 'validity' | 'integrity' | 'event-format';
  readonly detail: string;
}

export function checkConsensus(history: readonly ProposeEvent[], notes: readonly DecisionNote[]): ConsensusViolation[] {
  const violations: ConsensusViolation[] = [];
  const operations = history.flatMap((event) => {
    const operation = decodeOperation(event);
    return operation && operation.f === 'propose' ? [operation] : [];
  });
  const inputs = new Set(operations.filter((operation) => operation.kind === 'invoke').map((operation) => JSON.stringify(operation.value)));
  const decisions = new Map<number, unknown[]>();
  const add = (process: number, value: unknown) => {
    const list = decisions.get(process) ?? [];
    list.push(value);
    decisions.set(process, list);
  };
  const returns = new Map<number, number>();
  for (const operation of operations) {
    if (operation.kind !== 'return' || operation.outcome !== 'ok') continue;
    add(operation.process, operation.value);
    returns.set(operation.process, (returns.get(operation.process) ?? 0) + 1);
  }
  const { events, malformed } = decodeEvents(notes.filter((note) => note.kind === 'decide' || note.kind === 'learn').map((note) => ({ ...note, time: note.time ?? 0 })));
  for (const problem of malformed) violations.push({ property: 'event-format', detail: problem });
  for (const event of events) if (event.kind === 'decide' || event.kind === 'learn') add(event.process, event.value);

  for (const [process, count] of returns) {
    if (count > 1) violations.push({ property: 'integrity', detail: `p${process} returned from propose ${count} times` });
  }
  const decided = new Map<string, number[]>();
  for (const [process, values] of decisions) {
    const distinct = [...new Set(values.map((value) => JSON.stringify(value)))];
    if (distinct.length > 1) violations.push({ property: 'integrity', detail: `p${process} decided ${distinct.join(' and ')}` });
    for (const value of distinct) {
      decided.set(value, [...(decided.get(value) ?? []), process]);
      if (!inputs.has(value)) violations.push({ property: 'validity', detail: `p${process} decided ${value}, which no process proposed (inputs: ${[...inputs].join(', ')})` });
    }
  }
  if (decided.size > 1) {
    const sides = [...decided].map(([value, processes]) => `${processes.map((process) => `p${process}`).join(',')} decided ${value}`);
    violations.push({ property: 'agreement', detail: sides.join('; ') });
  }
  return violations;
}
