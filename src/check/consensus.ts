/**
 * Properties of single-decree consensus, judged from a run's history (each
 * process invokes `propose(v)` and returns the decision) and the processes'
 * decision notes (`decide`/`learn` with a `value`):
 *
 * - agreement: no two processes decide differently;
 * - validity: every decision was some process's input;
 * - integrity: a process decides at most once (never two values, never two returns).
 *
 * Termination is judged by the runner (bodies that did not return).
 */
export interface ProposeEvent {
  readonly process: number;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly f: string;
  readonly value: unknown;
}

export interface DecisionNote {
  readonly process: number;
  readonly kind: string;
  readonly detail?: { readonly value?: unknown };
}

export interface ConsensusViolation {
  readonly property: 'agreement' | 'validity' | 'integrity';
  readonly detail: string;
}

export function checkConsensus(history: readonly ProposeEvent[], notes: readonly DecisionNote[]): ConsensusViolation[] {
  const violations: ConsensusViolation[] = [];
  const inputs = new Set(history.filter((event) => event.type === 'invoke' && event.f === 'propose').map((event) => JSON.stringify(event.value)));
  const decisions = new Map<number, unknown[]>();
  const add = (process: number, value: unknown) => {
    const list = decisions.get(process) ?? [];
    list.push(value);
    decisions.set(process, list);
  };
  const returns = new Map<number, number>();
  for (const event of history) {
    if (event.f !== 'propose' || event.type !== 'ok') continue;
    add(event.process, event.value);
    returns.set(event.process, (returns.get(event.process) ?? 0) + 1);
  }
  for (const note of notes) if ((note.kind === 'decide' || note.kind === 'learn') && note.detail && 'value' in note.detail) add(note.process, note.detail.value);

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
