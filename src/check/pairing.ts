import { HistoryError, type HistoryEvent, type Operation, type Outcome } from './history.js';

/**
 * Pairs calls with returns. By default a return belongs to its process's
 * outstanding call (mnm and Jepsen histories: a process has at most one call
 * outstanding, and after an `info` it never calls again, since that call stays
 * outstanding forever). With `matchBy: 'op'` a return names its call by
 * operation id (traces), and a process may have several calls outstanding.
 */
export function pairOperations(events: readonly HistoryEvent[], matchBy: 'process' | 'op' = 'process'): Operation[] {
  interface Open {
    index: number;
    event: HistoryEvent;
    position: number;
    outcome: Outcome;
    output: unknown;
    returned: number;
    returnLine?: number;
  }
  const calls: Open[] = [];
  const outstanding = new Map<number, Open>();
  // A process whose call ended in `info` is retired: its call is outstanding forever.
  const retired = new Map<number, number>();
  const seenIds = new Set<number>();
  events.forEach((event, position) => {
    const name = matchBy === 'process' ? event.process : event.op;
    if (name === undefined) throw new HistoryError(event.line, `event has no operation id`);
    if (event.type === 'invoke') {
      if (matchBy === 'process') {
        const open = outstanding.get(event.process);
        if (open) throw new HistoryError(event.line, `process ${event.process} calls ${event.f} while its ${open.event.f} from line ${open.event.line} is still outstanding`);
        const infoLine = retired.get(event.process);
        if (infoLine !== undefined) throw new HistoryError(event.line, `process ${event.process} calls again after its info on line ${infoLine} (its outcome is unknown, so that call is still outstanding)`);
      } else {
        if (seenIds.has(name)) throw new HistoryError(event.line, `operation id ${name} is called twice`);
        seenIds.add(name);
      }
      const call: Open = { index: calls.length, event, position, outcome: 'pending', output: undefined, returned: Infinity };
      calls.push(call);
      outstanding.set(name, call);
      return;
    }
    const open = outstanding.get(name);
    if (!open) {
      const who = matchBy === 'process' ? `process ${event.process}` : `operation ${name}`;
      throw new HistoryError(event.line, `${event.type} of ${event.f} without a call (${who} has no operation outstanding)`);
    }
    if (matchBy === 'op' && open.event.process !== event.process) {
      throw new HistoryError(event.line, `operation ${name} was called by process ${open.event.process} but returns on process ${event.process}`);
    }
    if (open.event.f !== event.f) throw new HistoryError(event.line, `${event.type} of ${event.f} answers a call of ${open.event.f} (line ${open.event.line})`);
    if (open.event.key !== event.key) {
      throw new HistoryError(event.line, `${event.type} has key ${JSON.stringify(event.key)} but its call (line ${open.event.line}) has key ${JSON.stringify(open.event.key)}`);
    }
    outstanding.delete(name);
    open.outcome = event.type;
    open.output = event.value;
    open.returnLine = event.line;
    if (event.type === 'info') {
      if (matchBy === 'process') retired.set(event.process, event.line);
    } else {
      open.returned = position;
    }
  });
  return calls.map((call) => ({
    index: call.index,
    id: call.event.op ?? call.event.line,
    process: call.event.process,
    f: call.event.f,
    ...(call.event.key === undefined ? {} : { key: call.event.key }),
    input: call.event.value,
    output: call.outcome === 'ok' ? call.output : undefined,
    outcome: call.outcome,
    called: call.position,
    returned: call.returned,
    callLine: call.event.line,
    ...(call.returnLine === undefined ? {} : { returnLine: call.returnLine }),
  }));
}
