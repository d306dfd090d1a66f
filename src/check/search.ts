import { ConfigurationMemo, mix } from './memo.js';
import type { Model } from './model.js';
import type { ValueKey } from './values.js';

/** One operation as the search sees it: when it was called and returned, and the model's call. */
export interface SearchOperation {
  /** Event positions (real time); `returned` is Infinity when the outcome is unknown. */
  readonly called: number;
  readonly returned: number;
  readonly call: unknown;
  /** Whether the call can change the state (see PreparedCall). */
  readonly mutates: boolean;
  /** Unknown-outcome operations with equal effects are interchangeable (see `twins`). */
  readonly effect: string;
  /** Reads that accept the same states share this (see PreparedCall). */
  readonly observation?: string;
}

/** What a running search has done so far. */
export interface SearchProgress {
  /** Operations placed when the last slice ended. */
  placed: number;
  /** Steps of the frontier walk so far, and configurations memoized (measures of the work). */
  steps: number;
  configurations: number;
  /** The longest linearizable prefix found so far at a dead end, as in a not-linearizable outcome. */
  longest?: { readonly prefix: number[]; readonly unplaced: number[]; readonly state: unknown };
}

export type SearchOutcome =
  | { readonly verdict: 'linearizable'; readonly order: number[] }
  /** The longest linearizable prefix found, the operations none of which could follow it, and the state after it. */
  | { readonly verdict: 'not-linearizable'; readonly prefix: number[]; readonly unplaced: number[]; readonly state: unknown };

export interface SearchTuning {
  /**
   * Forced reads, impossible reads and twins (default on). Off leaves the
   * plain search of Porcupine and Knossos, for measuring what they are worth.
   */
  readonly pruning?: boolean;
}

export interface LinearizationSearch {
  /** Runs up to `steps` steps of the frontier walk; returns the outcome once decided, else undefined. */
  run(steps: number): SearchOutcome | undefined;
  readonly progress: SearchProgress;
}

/**
 * Wing & Gong's search for a linearization, with Lowe's just-in-time
 * linearization and memoization of configurations, as in Porcupine and Knossos.
 *
 * Calls and returns form one list in real-time order. The search walks it from
 * the front: a call may be linearized next (if the model allows it in the
 * current state and the configuration is new), which removes the operation's
 * call and return from the list and restarts from the front; reaching a return
 * means that operation had to take effect before now and could not, so the
 * last choice is undone and the walk resumes after it. Only operations called
 * before the first remaining return are ever tried: exactly those that may
 * take effect next (the frontier).
 *
 * An operation with an unknown outcome has no return in the list, so it may
 * take effect at any point after its call. It need not take effect at all:
 * the search succeeds as soon as every operation with a known outcome is
 * placed, and the rest are taken never to have happened (equivalently, to
 * happen after everything else, where nothing observes them).
 *
 * Prunings on top, all exact (the property tests hold them to a brute force):
 * - Forced reads. A read in the frontier that the current state satisfies is
 *   placed at once, and no alternative is ever tried in its stead: a read
 *   changes nothing, and every operation that must precede it is already
 *   placed (else its return would come before the read's call in the list),
 *   so any linearization from here can be rearranged to start with it.
 *   Undoing a forced read therefore undoes the choice below it too.
 * - Impossible reads. A read in the frontier whose result the state can no
 *   longer reach (model.reach: e.g. a register read of 3 when every write of 3
 *   has been placed, or a kv get that the current value is not a prefix of,
 *   with no put left that could restart it) makes the configuration dead.
 * - Unknown outcomes last. The walk tries operations with known outcomes
 *   first, and an unknown one only where it changes the state: placing it
 *   where it changes nothing is the same as never placing it, which the
 *   configuration before it already covers. Unknown operations with the same
 *   effect are tried in call order only (`twins`).
 *
 * Operations are indices into `operations`, which must be in call order.
 *
 * The search runs in slices (`run(steps)`), so that the caller can interleave
 * several searches, show progress, or give up (`progress` then holds the
 * longest prefix so far).
 */
export function linearizationSearch(model: Model, operations: readonly SearchOperation[], tuning: SearchTuning = {}): LinearizationSearch {
  const pruning = tuning.pruning !== false;
  const progress: SearchProgress = { placed: 0, steps: 0, configurations: 0 };
  // Built when asked for (rarely: at the end, or when a check is interrupted), from the record kept below.
  Object.defineProperty(progress, 'longest', {
    enumerable: true,
    get: () => (longest ? { prefix: longestPrefix.slice(0, longest.depth), unplaced: longest.unplaced, state: model.describeState(states.value(longest.state)) } : undefined),
  });
  const count = operations.length;
  const list = buildList(operations);
  const { next, previous, operationOf, isReturn, callEntry, returnEntry } = list;
  const twinBefore = twins(operations);
  const known = new Uint8Array(count);
  const reads = new Uint8Array(count);
  let knownLeft = 0;
  for (let index = 0; index < count; index++) {
    if (operations[index].returned !== Infinity) {
      known[index] = 1;
      knownLeft++;
      if (!operations[index].mutates) reads[index] = 1;
    }
  }
  const enablers = new ReadEnablers(model, operations, reads);

  const states = new StateTable(model);
  const transitions = new TransitionCache(model, states, operations);
  const words = Math.max(1, Math.ceil(count / 32));
  const linearized = new Uint32Array(words);
  const zobrist = new Int32Array(count);
  for (let index = 0; index < count; index++) zobrist[index] = mix(Math.imul(index + 1, 0x9e3779b9) ^ 0x5bd1e995);
  const memo = new ConfigurationMemo();
  // The window of the set that is neither all ones nor zero (see ConfigurationMemo).
  let low = 0;
  let high = -1;

  const stackOperation = new Int32Array(count);
  const stackState = new Int32Array(count);
  const stackForced = new Uint8Array(count);
  let depth = 0;
  let state = states.intern(model.init());
  let setHash = 0;
  /**
   * The longest prefix found at a dead end. It is kept up to date
   * incrementally, not copied from the stack at each new record (a long
   * history reaches new depths all the time, and copying whole prefixes
   * made the search quadratic): the stack's first `sharedDepth` entries are
   * known to equal the record's, so a new record copies only the entries
   * placed since the stack last went below that depth — no more than the
   * placements made since the last record.
   */
  const longestPrefix: number[] = [];
  let longest: { depth: number; unplaced: number[]; state: number } | undefined;
  let sharedDepth = 0;

  const remove = (entry: number) => {
    next[previous[entry]] = next[entry];
    if (next[entry] >= 0) previous[next[entry]] = previous[entry];
  };
  const restore = (entry: number) => {
    next[previous[entry]] = entry;
    if (next[entry] >= 0) previous[next[entry]] = entry;
  };
  /** Places `operation` (taking the state to `after`) unless that configuration was seen before. */
  const place = (operation: number, after: number, forced: boolean): boolean => {
    const word = operation >>> 5;
    linearized[word] |= 1 << (operation & 31);
    let newLow = low;
    while (newLow < words && linearized[newLow] === 0xffffffff) newLow++;
    const newHigh = word > high ? word : high;
    if (!memo.add(setHash ^ zobrist[operation], after, linearized, newLow, newHigh)) {
      linearized[word] &= ~(1 << (operation & 31));
      return false;
    }
    low = newLow;
    high = newHigh;
    setHash ^= zobrist[operation];
    stackOperation[depth] = operation;
    stackState[depth] = state;
    stackForced[depth] = forced ? 1 : 0;
    depth++;
    state = after;
    remove(callEntry[operation]);
    if (known[operation]) {
      knownLeft--;
      remove(returnEntry[operation]);
    }
    enablers.placed(operation);
    return true;
  };
  /** Undoes the last placement; returns the operation. */
  const unplace = (): number => {
    depth--;
    if (depth < sharedDepth) sharedDepth = depth;
    const operation = stackOperation[depth];
    state = stackState[depth];
    const word = operation >>> 5;
    linearized[word] &= ~(1 << (operation & 31));
    if (word < low) low = word;
    while (high >= 0 && linearized[high] === 0) high--;
    setHash ^= zobrist[operation];
    if (known[operation]) {
      knownLeft++;
      restore(returnEntry[operation]);
    }
    restore(callEntry[operation]);
    enablers.unplaced(operation);
    return operation;
  };
  /** The read that made the last configuration dead, if settling found one (else -1). */
  let impossible = -1;
  /**
   * At a new configuration: places the forced reads, and says whether the
   * configuration is still alive (false: an impossible read, or a forced read
   * leading to a configuration already explored).
   */
  const settle = (): boolean => {
    impossible = -1;
    if (!pruning) return true;
    for (let entry = next[0]; entry >= 0 && !isReturn[entry]; entry = next[entry]) {
      const operation = operationOf[entry];
      if (!reads[operation]) continue;
      if (transitions.step(state, operation) >= 0) {
        if (!place(operation, state, true)) return false;
        // Its return left the list, so the frontier may now reach further: walk it again.
        entry = 0;
      } else if (enablers.exhausted(operation) && !transitions.grows(state, operation)) {
        impossible = operation;
        return false;
      }
    }
    return true;
  };

  const dead = -2;
  // Where the frontier walk goes on: the front after reaching a new configuration, or just after an undone choice.
  let entry = settle() ? next[0] : dead;
  /** 0 while the walk tries operations with known outcomes, 1 while it tries the unknown ones. */
  let pass = 0;
  let outcome: SearchOutcome | undefined;

  const run = (budget: number): SearchOutcome | undefined => {
    if (outcome) return outcome;
    let steps = 0;
    const account = () => {
      progress.steps += steps;
      progress.placed = depth;
      progress.configurations = memo.size;
    };
    search: for (;;) {
      if (entry !== dead) {
        if (knownLeft === 0) {
          account();
          return (outcome = { verdict: 'linearizable', order: Array.from(stackOperation.subarray(0, depth)) });
        }
        // Try the frontier's operations in turn (with pruning, its reads are settled: none fits here):
        // first those with known outcomes, then the unknown ones, which most often never took effect.
        for (;;) {
          while (!isReturn[entry]) {
            if (++steps > budget) {
              account();
              return undefined;
            }
            if (entry < 0) throw new Error('linearizability search: ran off the list with operations still to place (a bug)');
            const operation = operationOf[entry];
            const twin = twinBefore[operation];
            if (known[operation] === 1 - pass && (!pruning || (!reads[operation] && (twin < 0 || (linearized[twin >>> 5] & (1 << (twin & 31))) !== 0)))) {
              const after = transitions.step(state, operation);
              // An unknown outcome that would change nothing here is the same as never taking effect: skip it.
              if (after >= 0 && (pass === 0 || after !== state || !pruning) && place(operation, after, false)) {
                entry = settle() ? next[0] : dead;
                pass = 0;
                continue search;
              }
            }
            entry = next[entry];
          }
          if (pass === 1) break;
          pass = 1;
          entry = next[0];
        }
      }
      // A dead end: the walk reached a return (that operation could not be placed in time), or settling found the configuration dead.
      if (!longest || depth > longest.depth) {
        // Every operation of the frontier was tried and none fits, except after an impossible read: that read is the culprit.
        const unplaced = entry === dead && impossible >= 0 ? [impossible] : frontier(list, known);
        longestPrefix.length = sharedDepth;
        for (let position = sharedDepth; position < depth; position++) longestPrefix.push(stackOperation[position]);
        sharedDepth = depth;
        longest = { depth, unplaced, state };
      }
      for (;;) {
        if (depth === 0) break search;
        const forced = stackForced[depth - 1] === 1;
        const undone = unplace();
        if (!forced) {
          entry = next[callEntry[undone]];
          pass = known[undone] === 1 ? 0 : 1;
          continue search;
        }
      }
    }
    account();
    return (outcome = { verdict: 'not-linearizable', ...(progress.longest as NonNullable<SearchProgress['longest']>) });
  };
  return { run, progress };
}

interface EntryList {
  /** Entry 0 is the head; -1 ends the list. */
  readonly next: Int32Array;
  readonly previous: Int32Array;
  readonly operationOf: Int32Array;
  readonly isReturn: Uint8Array;
  readonly callEntry: Int32Array;
  readonly returnEntry: Int32Array;
}

/** Calls and known returns, sorted by time, as a doubly linked list (restored in LIFO order, like dancing links). */
function buildList(operations: readonly SearchOperation[]): EntryList {
  const events: { time: number; operation: number; isReturn: boolean }[] = [];
  operations.forEach((operation, index) => {
    events.push({ time: operation.called, operation: index, isReturn: false });
    if (operation.returned !== Infinity) events.push({ time: operation.returned, operation: index, isReturn: true });
  });
  events.sort((a, b) => a.time - b.time);
  const size = events.length + 1;
  const list: EntryList = {
    next: new Int32Array(size),
    previous: new Int32Array(size),
    operationOf: new Int32Array(size),
    isReturn: new Uint8Array(size),
    callEntry: new Int32Array(operations.length),
    returnEntry: new Int32Array(operations.length).fill(-1),
  };
  events.forEach((event, position) => {
    const entry = position + 1;
    list.operationOf[entry] = event.operation;
    list.isReturn[entry] = event.isReturn ? 1 : 0;
    if (event.isReturn) list.returnEntry[event.operation] = entry;
    else list.callEntry[event.operation] = entry;
  });
  for (let entry = 0; entry < size; entry++) {
    list.next[entry] = entry + 1 < size ? entry + 1 : -1;
    list.previous[entry] = entry - 1;
  }
  return list;
}

/** The operations with a known outcome that could have been placed next: those called before the first remaining return. */
function frontier(list: EntryList, known: Uint8Array): number[] {
  const found: number[] = [];
  for (let entry = list.next[0]; entry >= 0 && !list.isReturn[entry]; entry = list.next[entry]) {
    if (known[list.operationOf[entry]]) found.push(list.operationOf[entry]);
  }
  return found;
}

/**
 * Symmetry: two operations with unknown outcomes and the same effect are
 * interchangeable, so only orders that place them in call order are tried.
 * Exact: in any linearization that places the later-called twin (and perhaps
 * the other after it, or never), swapping their roles gives a linearization
 * too, because the earlier-called one may take effect wherever the later one
 * could and neither has a return that bounds it.
 */
function twins(operations: readonly SearchOperation[]): Int32Array {
  const before = new Int32Array(operations.length).fill(-1);
  const lastWithEffect = new Map<string, number>();
  operations.forEach((operation, index) => {
    if (operation.returned !== Infinity) return;
    const previous = lastWithEffect.get(operation.effect);
    if (previous !== undefined) before[index] = previous;
    lastWithEffect.set(operation.effect, index);
  });
  return before;
}

/** Model states interned as small integers, so the memo stores and compares integers. */
class StateTable {
  private readonly ids = new Map<ValueKey, number>();
  private readonly values: unknown[] = [];

  constructor(private readonly model: Model) {}

  intern(state: unknown): number {
    const key = this.model.stateKey(state);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(key, id);
      this.values.push(state);
    }
    return id;
  }

  value(id: number): unknown {
    return this.values[id];
  }
}

/**
 * Remembers each (state, operation) step: the search tries the same operation
 * in the same state many times, and a step (plus interning its result) costs
 * far more than a lookup. Results: a state id, or -1 when illegal; and, for
 * reads, model.reach.grows. An open-addressing table over typed arrays (no
 * garbage, no per-state rows); being a cache, it starts afresh when full.
 */
class TransitionCache {
  private static readonly maximumEntries = 1 << 24;
  private static readonly unknownGrowth = 0;
  private mask: number;
  private size = 0;
  /** Per slot: state + 1 (0 = empty), operation, result, growth (0 not asked, 1 grows, 2 does not). */
  private slotStates: Int32Array;
  private slotOperations: Int32Array;
  private results: Int32Array;
  private growth: Uint8Array;

  constructor(
    private readonly model: Model,
    private readonly states: StateTable,
    private readonly operations: readonly SearchOperation[],
  ) {
    const capacity = 1 << 10;
    this.mask = capacity - 1;
    this.slotStates = new Int32Array(capacity);
    this.slotOperations = new Int32Array(capacity);
    this.results = new Int32Array(capacity);
    this.growth = new Uint8Array(capacity);
  }

  step(state: number, operation: number): number {
    const slot = this.slot(state, operation);
    if (this.slotStates[slot] !== 0) return this.results[slot];
    const next = this.model.step(this.states.value(state), this.operations[operation].call);
    const after = next === undefined ? -1 : this.states.intern(next);
    this.insert(slot, state, operation, after);
    return after;
  }

  /** model.reach.grows for a read that does not fit `state` (true when the model has no pruning). */
  grows(state: number, operation: number): boolean {
    const reach = this.model.reach;
    if (!reach) return true;
    let slot = this.slot(state, operation);
    if (this.slotStates[slot] === 0) {
      this.step(state, operation);
      slot = this.slot(state, operation);
    }
    if (this.growth[slot] === TransitionCache.unknownGrowth) this.growth[slot] = reach.grows(this.states.value(state), this.operations[operation].call) ? 1 : 2;
    return this.growth[slot] === 1;
  }

  /** The slot holding (state, operation), or the empty slot where it belongs. */
  private slot(state: number, operation: number): number {
    const stored = state + 1;
    let slot = mix(Math.imul(stored, 0x9e3779b1) ^ operation) & this.mask;
    for (;;) {
      const found = this.slotStates[slot];
      if (found === 0 || (found === stored && this.slotOperations[slot] === operation)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  private insert(slot: number, state: number, operation: number, after: number): void {
    if (2 * (this.size + 1) > this.slotStates.length) {
      this.rebuild(this.slotStates.length >= TransitionCache.maximumEntries ? this.slotStates.length : this.slotStates.length * 2);
      slot = this.slot(state, operation);
    }
    this.slotStates[slot] = state + 1;
    this.slotOperations[slot] = operation;
    this.results[slot] = after;
    this.size++;
  }

  /** Doubles the table (keeping its entries), or empties it once it is as large as allowed. */
  private rebuild(capacity: number): void {
    const keep = capacity > this.slotStates.length;
    const [states, operations, results, growth] = [this.slotStates, this.slotOperations, this.results, this.growth];
    this.slotStates = new Int32Array(capacity);
    this.slotOperations = new Int32Array(capacity);
    this.results = new Int32Array(capacity);
    this.growth = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    if (!keep) return;
    for (let old = 0; old < states.length; old++) {
      if (states[old] === 0) continue;
      const slot = this.slot(states[old] - 1, operations[old]);
      this.slotStates[slot] = states[old];
      this.slotOperations[slot] = operations[old];
      this.results[slot] = results[old];
      this.growth[slot] = growth[old];
      this.size++;
    }
  }
}

/**
 * For each group of reads with the same result, how many operations that may
 * set the state to something leading to that result (model.reach.leadsTo) are
 * not placed yet. When none is left, only growth can still reach the result.
 */
class ReadEnablers {
  private static readonly maximumPairs = 1 << 24;
  /** Per read: its group, or -1. */
  private readonly groupOf: Int32Array;
  /** Per group: enablers not placed yet. */
  private readonly waiting: Int32Array;
  /** Per operation: the groups it may enable. */
  private readonly enables: number[][];

  constructor(model: Model, operations: readonly SearchOperation[], reads: Uint8Array) {
    this.groupOf = new Int32Array(operations.length).fill(-1);
    this.enables = operations.map(() => []);
    const reach = model.reach;
    const groups = new Map<string, number>();
    const representatives: number[] = [];
    operations.forEach((operation, index) => {
      if (!reads[index]) return;
      const observation = operation.observation ?? `#${index}`;
      let group = groups.get(observation);
      if (group === undefined) {
        group = representatives.length;
        groups.set(observation, group);
        representatives.push(index);
      }
      this.groupOf[index] = group;
    });
    this.waiting = new Int32Array(representatives.length);
    if (!reach) {
      // Without pruning every read always counts as reachable.
      this.waiting.fill(1);
      return;
    }
    if (reach.prefix) {
      this.pairByPrefix(reach.prefix, operations, representatives);
      return;
    }
    const mutators = operations.filter((operation) => operation.mutates).length;
    if (!reach.target && mutators * representatives.length > ReadEnablers.maximumPairs) {
      // Too many pairs to try: count every read as reachable (less pruning, still exact).
      this.waiting.fill(1);
      return;
    }
    operations.forEach((operation, index) => {
      if (!operation.mutates) return;
      if (reach.target) {
        const target = reach.target(operation.call);
        const group = target === undefined ? undefined : groups.get(target);
        if (group !== undefined && reach.leadsTo(operation.call, operations[representatives[group]].call)) {
          this.enables[index].push(group);
          this.waiting[group]++;
        }
        return;
      }
      representatives.forEach((read, group) => {
        if (reach.leadsTo(operation.call, operations[read].call)) {
          this.enables[index].push(group);
          this.waiting[group]++;
        }
      });
    });
  }

  /**
   * Finds the (enabler, read group) pairs by looking each read's prefixes up
   * among the enablers' values, one lookup per distinct enabler value length:
   * linear in the history for the usual few lengths, where trying every pair
   * was quadratic (a 10,000-operation kv key took most of a second).
   */
  private pairByPrefix(prefix: NonNullable<NonNullable<Model['reach']>['prefix']>, operations: readonly SearchOperation[], representatives: readonly number[]): void {
    const enablersOf = new Map<string, number[]>();
    operations.forEach((operation, index) => {
      if (!operation.mutates) return;
      const value = prefix.setsTo(operation.call);
      if (value === undefined) return;
      let list = enablersOf.get(value);
      if (!list) enablersOf.set(value, (list = []));
      list.push(index);
    });
    const lengths = [...new Set([...enablersOf.keys()].map((value) => value.length))].sort((a, b) => a - b);
    representatives.forEach((read, group) => {
      const result = prefix.readsAs(operations[read].call);
      for (const length of lengths) {
        if (length > result.length) break;
        for (const enabler of enablersOf.get(result.slice(0, length)) ?? []) {
          this.enables[enabler].push(group);
          this.waiting[group]++;
        }
      }
    });
  }

  placed(operation: number): void {
    for (const group of this.enables[operation]) this.waiting[group]--;
  }

  unplaced(operation: number): void {
    for (const group of this.enables[operation]) this.waiting[group]++;
  }

  /** Whether no operation that could lead to this read's result is left. */
  exhausted(read: number): boolean {
    return this.waiting[this.groupOf[read]] === 0;
  }
}
