/**
 * Regularity of a single-writer register (Lamport): every read returns the
 * value of the last write that completed before the read began, or of a write
 * concurrent with it. Weaker than linearizability: two reads may see a
 * concurrent write in opposite orders (the new/old inversion).
 *
 * Input is a history in mnm's format (line order = real time). A write with
 * unknown outcome (`info`, or no return) is concurrent with everything after
 * its call; a failed write (`fail`) had no effect.
 */

export interface RegisterEvent {
  readonly process: number;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly f: string;
  readonly value: unknown;
}

export interface RegularityViolation {
  readonly process: number;
  /** Index of the read's return in the history. */
  readonly index: number;
  readonly value: unknown;
  readonly allowed: readonly unknown[];
  readonly detail: string;
}

interface Call {
  readonly process: number;
  readonly f: string;
  readonly value: unknown;
  readonly invoked: number;
  returned: number;
  outcome: 'ok' | 'fail' | 'info' | 'pending';
  result: unknown;
}

/** Pairs invokes with their returns; throws on a malformed history. */
function calls(history: readonly RegisterEvent[]): Call[] {
  const open = new Map<number, Call>();
  const all: Call[] = [];
  history.forEach((event, index) => {
    if (event.type === 'invoke') {
      if (open.has(event.process)) throw new Error(`history event ${index}: process ${event.process} invoked twice without a return`);
      const call: Call = { process: event.process, f: event.f, value: event.value, invoked: index, returned: Infinity, outcome: 'pending', result: undefined };
      open.set(event.process, call);
      all.push(call);
      return;
    }
    const call = open.get(event.process);
    if (!call) throw new Error(`history event ${index}: a ${event.type} of process ${event.process} without a call`);
    open.delete(event.process);
    call.outcome = event.type;
    call.result = event.value;
    if (event.type !== 'info') call.returned = index;
  });
  return all;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Checks regularity; returns the reads that break it (empty when regular). */
export function checkRegular(history: readonly RegisterEvent[]): RegularityViolation[] {
  const all = calls(history);
  const writes = all.filter((call) => call.f === 'write' && call.outcome !== 'fail');
  const writers = new Set(writes.map((write) => write.process));
  if (writers.size > 1) throw new Error(`regularity is defined here for one writer; processes ${[...writers].join(', ')} all write`);
  const violations: RegularityViolation[] = [];
  for (const read of all) {
    if (read.f !== 'read' || read.outcome !== 'ok') continue;
    let lastCompleted: Call | undefined;
    const allowed: unknown[] = [];
    for (const write of writes) {
      if (write.returned < read.invoked) lastCompleted = write;
      else if (write.invoked < read.returned) allowed.push(write.value);
    }
    allowed.unshift(lastCompleted ? lastCompleted.value : null);
    if (!allowed.some((value) => same(value, read.result))) {
      violations.push({
        process: read.process,
        index: read.returned,
        value: read.result ?? null,
        allowed,
        detail: `read by p${read.process} returned ${JSON.stringify(read.result ?? null)}, but the last write completed before it began wrote ${JSON.stringify(allowed[0])}${allowed.length > 1 ? ` and concurrent writes wrote ${allowed.slice(1).map((value) => JSON.stringify(value)).join(', ')}` : ''}`,
      });
    }
  }
  return violations;
}
