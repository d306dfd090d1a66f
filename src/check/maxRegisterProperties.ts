import type { Operation } from './history.js';
import { pairOperations } from './pairing.js';

/**
 * The lecture's three properties of a max register, checked on a history
 * (mnm's format, line order = real time; values are numbers, the initial
 * value is 0):
 *
 * - **validity**: a read returns 0 or a value some write was invoked with
 *   before the read returned;
 * - **read–read monotonicity**: a read that starts after another read
 *   returned returns at least as much;
 * - **write–read monotonicity**: a read that starts after write(v) returned
 *   returns at least v.
 *
 * Why not the linearizability checker's `max-register` model: SWARM's max
 * registers keep these three but are not linearizable (a READ of several
 * buffers may tear, and a reliable read's step may miss a write still in
 * progress while returning a smaller one written after it began — spec
 * swarm.md §2), so the model would flag correct runs.
 *
 * A write whose outcome is unknown (`info`, or never returned) counts for
 * validity from its call on and never for write–read monotonicity; a
 * failed one (`fail`) never happened. Reads that did not return `ok` say
 * nothing.
 */
export interface MaxRegisterEvent {
  readonly process: number;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly f: string;
  readonly value: unknown;
}

export type MaxRegisterProperty = 'validity' | 'read-read monotonicity' | 'write-read monotonicity';

export interface MaxRegisterViolation {
  readonly property: MaxRegisterProperty;
  readonly detail: string;
  /** History indices of the calls involved (invocations): the read, and the earlier read or write. */
  readonly calls: readonly number[];
}

/** Calls paired with their returns (the project's pairing: an index's line is its position + 1), checked to be a max register's. */
function pair(history: readonly MaxRegisterEvent[]): Operation[] {
  const calls = pairOperations(history.map((event, index) => ({ ...event, line: index + 1 })));
  for (const call of calls) {
    if (call.f !== 'read' && call.f !== 'write') throw new Error(`history event ${call.called}: a max register has read and write, not '${call.f}'`);
    if (call.f === 'write' && typeof call.input !== 'number') throw new Error(`history event ${call.called}: a max-register write takes a number, got ${JSON.stringify(call.input)}`);
  }
  return calls;
}

/** Every violation of the three properties in `history` (empty: it keeps them). */
export function checkMaxRegisterProperties(history: readonly MaxRegisterEvent[]): MaxRegisterViolation[] {
  const calls = pair(history);
  const reads = calls.filter((call) => call.f === 'read' && call.outcome === 'ok');
  const writes = calls.filter((call) => call.f === 'write' && call.outcome !== 'fail');
  const violations: MaxRegisterViolation[] = [];
  for (const read of reads) {
    const value = read.output;
    if (typeof value !== 'number') {
      violations.push({ property: 'validity', detail: `p${read.process}'s read (event ${read.called}) returned ${JSON.stringify(value)}, not a number`, calls: [read.called] });
      continue;
    }
    if (value !== 0 && !writes.some((write) => write.input === value && write.called < read.returned)) {
      violations.push({ property: 'validity', detail: `p${read.process}'s read (event ${read.called}) returned ${value}, which no write invoked before it returned wrote`, calls: [read.called] });
    }
    const earlierRead = reads.find((other) => other.returned < read.called && (other.output as number) > value);
    if (earlierRead) {
      violations.push({
        property: 'read-read monotonicity',
        detail: `p${read.process}'s read (event ${read.called}) returned ${value} after p${earlierRead.process}'s read (event ${earlierRead.called}) had returned ${String(earlierRead.output)}`,
        calls: [read.called, earlierRead.called],
      });
    }
    const earlierWrite = writes.find((write) => write.outcome === 'ok' && write.returned < read.called && (write.input as number) > value);
    if (earlierWrite) {
      violations.push({
        property: 'write-read monotonicity',
        detail: `p${read.process}'s read (event ${read.called}) returned ${value} after p${earlierWrite.process}'s write(${String(earlierWrite.input)}) (event ${earlierWrite.called}) had returned`,
        calls: [read.called, earlierWrite.called],
      });
    }
  }
  return violations;
}
