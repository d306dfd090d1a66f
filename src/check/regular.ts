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

const valueKey = (value: unknown) => JSON.stringify(value ?? null);

/** Index of the first element of the ascending `sorted` that is >= `bound` (its length if none). */
function firstAtLeast(sorted: readonly number[], bound: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < bound) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The one writer's writes, indexed so that each read is judged in
 * logarithmic time (a long run's check stays linear in its length).
 *
 * With one writer, calls alternate with returns, so the writes that
 * returned are ordered the same way by call and by return: the writes a
 * read may see among them are one contiguous run. Writes that never
 * returned (unknown outcome) are concurrent with every read called after
 * them: a prefix of their own list.
 */
class WriteIndex {
  /** Writes that returned, in call order, with their call and return positions (both ascending). */
  private readonly returned: Call[] = [];
  private readonly returnedCalls: number[] = [];
  private readonly returnedReturns: number[] = [];
  /** Writes with no return, in call order. */
  private readonly open: Call[] = [];
  private readonly openCalls: number[] = [];
  /** Per value written: positions in `returned`, and the earliest call of an open write. */
  private readonly byValue = new Map<string, { returned: number[]; openCall: number }>();

  constructor(writes: readonly Call[]) {
    for (const write of writes) {
      const key = valueKey(write.value);
      let entry = this.byValue.get(key);
      if (!entry) this.byValue.set(key, (entry = { returned: [], openCall: Infinity }));
      if (write.returned === Infinity) {
        this.open.push(write);
        this.openCalls.push(write.invoked);
        entry.openCall = Math.min(entry.openCall, write.invoked);
      } else {
        entry.returned.push(this.returned.length);
        this.returned.push(write);
        this.returnedCalls.push(write.invoked);
        this.returnedReturns.push(write.returned);
      }
    }
  }

  /** The write that completed last before position `invoked`, if any. */
  lastCompletedBefore(invoked: number): Call | undefined {
    const count = firstAtLeast(this.returnedReturns, invoked);
    return count === 0 ? undefined : this.returned[count - 1];
  }

  /** The positions in `returned` of writes concurrent with a read over [invoked, returned]: [from, to). */
  private concurrentRange(read: Call): { from: number; to: number; openCount: number } {
    return {
      from: firstAtLeast(this.returnedReturns, read.invoked),
      to: firstAtLeast(this.returnedCalls, read.returned),
      openCount: firstAtLeast(this.openCalls, read.returned),
    };
  }

  /** Whether some write concurrent with `read` wrote the value with this key. */
  concurrentWrote(read: Call, key: string): boolean {
    const entry = this.byValue.get(key);
    if (!entry) return false;
    const { from, to } = this.concurrentRange(read);
    if (entry.openCall < read.returned) return true;
    const first = firstAtLeast(entry.returned, from);
    return first < entry.returned.length && entry.returned[first] < to;
  }

  /** The writes concurrent with `read`, in call order (for the report of a violation). */
  concurrent(read: Call): Call[] {
    const { from, to, openCount } = this.concurrentRange(read);
    const found = [...this.returned.slice(from, to), ...this.open.slice(0, openCount)];
    return found.sort((a, b) => a.invoked - b.invoked);
  }
}

/** Checks regularity; returns the reads that break it (empty when regular). Linear in the history's length, up to a logarithm. */
export function checkRegular(history: readonly RegisterEvent[]): RegularityViolation[] {
  const all = calls(history);
  const writes = all.filter((call) => call.f === 'write' && call.outcome !== 'fail');
  const writers = new Set(writes.map((write) => write.process));
  if (writers.size > 1) throw new Error(`regularity is defined here for one writer; processes ${[...writers].join(', ')} all write`);
  const index = new WriteIndex(writes);
  const violations: RegularityViolation[] = [];
  for (const read of all) {
    if (read.f !== 'read' || read.outcome !== 'ok') continue;
    const lastCompleted = index.lastCompletedBefore(read.invoked);
    const key = valueKey(read.result);
    if (valueKey(lastCompleted ? lastCompleted.value : null) === key || index.concurrentWrote(read, key)) continue;
    const allowed: unknown[] = [lastCompleted ? lastCompleted.value : null, ...index.concurrent(read).map((write) => write.value)];
    violations.push({
      process: read.process,
      index: read.returned,
      value: read.result ?? null,
      allowed,
      detail: `read by p${read.process} returned ${JSON.stringify(read.result ?? null)}, but the last write completed before it began wrote ${JSON.stringify(allowed[0])}${allowed.length > 1 ? ` and concurrent writes wrote ${allowed.slice(1).map((value) => JSON.stringify(value)).join(', ')}` : ''}`,
    });
  }
  return violations;
}
