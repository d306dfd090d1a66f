import type { HistoryEvent } from './history.js';
import type { TestRandom } from './_prng.js';

/**
 * Random concurrent histories that are linearizable by construction, for the
 * property tests: processes call operations at random times, each operation
 * takes effect on a sequential object at a random moment between its call and
 * its return, and its result is what the object returned then. Some
 * operations end unknown (`info`, or no return at all) after taking effect or
 * before; a cas whose compare fails ends in `fail` (it had no effect). Then
 * `mutate` breaks some of them.
 */

/** A sequential object: what calls look like and what they return. */
export interface SequentialObject {
  readonly model: string;
  call(random: TestRandom): { f: string; key?: string; value: unknown };
  /** Applies the call; `applied: false` means it had no effect (it will end in `fail`). */
  apply(call: { f: string; key?: string; value: unknown }): { output: unknown; applied: boolean };
  /** Another plausible result for a read-only call (for mutations), or undefined if it has none. */
  otherResult?(call: { f: string; key?: string; value: unknown }, output: unknown, random: TestRandom): unknown;
}

export type ObjectFactory = () => SequentialObject;

const small = [0, 1, 2];

export const sequentialObjects: Readonly<Record<string, ObjectFactory>> = {
  register: () => {
    let value: unknown = null;
    return {
      model: 'register',
      call: (random) => (random.chance(0.5) ? { f: 'read', value: null } : { f: 'write', value: random.pick(small) }),
      apply(call) {
        if (call.f === 'read') return { output: value, applied: true };
        value = call.value;
        return { output: call.value, applied: true };
      },
      otherResult: (_call, output, random) => random.pick([null, ...small].filter((candidate) => candidate !== output)),
    };
  },
  'cas-register': () => {
    let value: unknown = null;
    return {
      model: 'cas-register',
      call(random) {
        const roll = random.below(3);
        if (roll === 0) return { f: 'read', value: null };
        if (roll === 1) return { f: 'write', value: random.pick(small) };
        return { f: 'cas', value: [random.pick([null, ...small]), random.pick(small)] };
      },
      apply(call) {
        if (call.f === 'read') return { output: value, applied: true };
        if (call.f === 'write') {
          value = call.value;
          return { output: call.value, applied: true };
        }
        const [expected, desired] = call.value as [unknown, unknown];
        if (expected !== value) return { output: call.value, applied: false };
        value = desired;
        return { output: call.value, applied: true };
      },
      otherResult: (_call, output, random) => random.pick([null, ...small].filter((candidate) => candidate !== output)),
    };
  },
  kv: () => {
    const store = new Map<string, string>();
    return {
      model: 'kv',
      call(random) {
        const key = random.pick(['a', 'b']);
        const roll = random.below(4);
        if (roll <= 1) return { f: 'get', key, value: null };
        return { f: roll === 2 ? 'put' : 'append', key, value: random.pick(['x', 'y', 'zz']) };
      },
      apply(call) {
        const key = call.key as string;
        const current = store.get(key) ?? '';
        if (call.f === 'get') return { output: current === '' ? null : current, applied: true };
        store.set(key, call.f === 'put' ? (call.value as string) : current + (call.value as string));
        return { output: call.value, applied: true };
      },
      otherResult: (_call, output, random) => random.pick(['', 'x', 'xy', 'zz', 'yx'].filter((candidate) => candidate !== (output ?? ''))),
    };
  },
  'max-register': () => {
    let value: number | null = null;
    return {
      model: 'max-register',
      call: (random) => (random.chance(0.5) ? { f: 'read', value: null } : { f: 'write', value: random.below(5) }),
      apply(call) {
        if (call.f === 'read') return { output: value, applied: true };
        value = value === null ? (call.value as number) : Math.max(value, call.value as number);
        return { output: call.value, applied: true };
      },
      otherResult: (_call, output, random) => random.pick([null, 0, 1, 2, 3, 4].filter((candidate) => candidate !== output)),
    };
  },
  log: () => {
    const entries: unknown[] = [];
    return {
      model: 'log',
      call: (random) => (random.chance(0.4) ? { f: 'read', value: null } : { f: 'append', value: random.pick(['a', 'b', 1]) }),
      apply(call) {
        if (call.f === 'read') return { output: [...entries], applied: true };
        entries.push(call.value);
        return { output: entries.length - 1, applied: true };
      },
      otherResult: (_call, output, random) => {
        const list = output as unknown[];
        return random.chance(0.5) && list.length > 0 ? list.slice(0, -1) : [...list, random.pick(['a', 'b'])];
      },
    };
  },
};

export interface GenerateOptions {
  readonly processes: number;
  readonly operations: number;
  /** Probability that an operation ends with an unknown outcome (info or no return). */
  readonly unknown: number;
}

/** A history of `operations` calls by `processes` concurrent clients, linearizable by construction. */
export function randomHistory(random: TestRandom, factory: ObjectFactory, options: GenerateOptions): HistoryEvent[] {
  const object = factory();
  interface Running {
    process: number;
    call: { f: string; key?: string; value: unknown };
    result?: { output: unknown; applied: boolean };
  }
  const events: Omit<HistoryEvent, 'line'>[] = [];
  const running: (Running | undefined)[] = new Array(options.processes).fill(undefined);
  // After an unknown outcome a client continues under a fresh process id (as in Jepsen).
  const processIds = Array.from({ length: options.processes }, (_, slot) => slot);
  let nextProcess = options.processes;
  let called = 0;
  const finish = (slot: number, type: 'ok' | 'fail' | 'info' | 'none') => {
    const operation = running[slot] as Running;
    if (type !== 'none') events.push({ process: operation.process, type, f: operation.call.f, ...(operation.call.key === undefined ? {} : { key: operation.call.key }), value: type === 'ok' ? operation.result?.output : operation.call.value });
    if (type === 'info' || type === 'none') processIds[slot] = nextProcess++;
    running[slot] = undefined;
  };
  while (called < options.operations || running.some((operation) => operation !== undefined)) {
    const slot = random.below(options.processes);
    const operation = running[slot];
    if (!operation) {
      if (called >= options.operations) continue;
      const call = object.call(random);
      running[slot] = { process: processIds[slot], call };
      events.push({ process: processIds[slot], type: 'invoke', ...call, value: call.value });
      called++;
    } else if (!operation.result) {
      if (random.chance(options.unknown / 2)) finish(slot, random.chance(0.5) ? 'info' : 'none');
      else operation.result = object.apply(operation.call);
    } else if (!operation.result.applied) {
      finish(slot, 'fail');
    } else {
      finish(slot, random.chance(options.unknown / 2) ? (random.chance(0.5) ? 'info' : 'none') : 'ok');
    }
  }
  return events.map((event, index) => ({ ...event, line: index + 1 }) as HistoryEvent);
}

/**
 * Breaks a history in one of two ways (the result may or may not still be
 * linearizable): a read's result is changed, or an operation is moved, call
 * and return, to just before the return of an operation that had finished
 * before it was called. Returns undefined when the chosen mutation does not
 * apply (the caller tries another).
 */
export function mutate(random: TestRandom, factory: ObjectFactory, events: readonly HistoryEvent[]): HistoryEvent[] | undefined {
  const object = factory();
  const renumber = (list: Omit<HistoryEvent, 'line'>[]) => list.map((event, index) => ({ ...event, line: index + 1 }) as HistoryEvent);
  if (random.chance(0.5)) {
    const reads = events.map((event, index) => ({ event, index })).filter(({ event }) => event.type === 'ok' && ['read', 'get'].includes(event.f));
    if (reads.length === 0 || !object.otherResult) return undefined;
    const { event, index } = random.pick(reads);
    const changed = [...events];
    changed[index] = { ...event, value: object.otherResult(event, event.value, random) };
    return changed;
  }
  // Pair calls and returns by process (the generator's histories are well formed).
  const spans: { call: number; ret: number }[] = [];
  const open = new Map<number, number>();
  events.forEach((event, index) => {
    if (event.type === 'invoke') open.set(event.process, index);
    else {
      spans.push({ call: open.get(event.process) as number, ret: index });
      open.delete(event.process);
    }
  });
  const moved = random.pick(spans.length > 0 ? spans : [undefined]);
  if (!moved) return undefined;
  const earlier = spans.filter((span) => span.ret < moved.call);
  if (earlier.length === 0) return undefined;
  const before = random.pick(earlier);
  const movedEvents = [events[moved.call], events[moved.ret]];
  const rest = events.filter((_, index) => index !== moved.call && index !== moved.ret);
  const at = rest.indexOf(events[before.ret]);
  return renumber([...rest.slice(0, at), ...movedEvents, ...rest.slice(at)]);
}
