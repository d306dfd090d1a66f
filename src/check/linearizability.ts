import { HistoryError, outcomeUnknown, type Operation } from './history.js';
import type { Model } from './model.js';
import { linearizationSearch, type LinearizationSearch, type SearchOperation, type SearchOutcome } from './search.js';

/** Steps each part's search runs before the next part's turn (and between polls of `interrupt`). */
const stepsPerSlice = 1 << 12;

export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

/** The result for one independent part of the history (one key for keyed models, else the whole history). */
export interface PartitionResult {
  /** The key, for keyed models. */
  readonly key?: string;
  /** Operations in this part (failed ones included). */
  readonly operations: number;
  /**
   * `unknown` when the check was interrupted, or stopped because another part
   * was already found not linearizable.
   */
  readonly verdict: Verdict;
  /** When linearizable: the order in which the operations took effect (unknown outcomes that never took effect are left out). */
  readonly linearization?: readonly Operation[];
  /** When not linearizable (or undecided, so far): the longest linearizable prefix found... */
  readonly prefix?: readonly Operation[];
  /** ...the operations with known outcomes none of which could take effect after it... */
  readonly unplaced?: readonly Operation[];
  /** ...and the model's state after the prefix. */
  readonly state?: unknown;
}

export interface CheckResult {
  readonly verdict: Verdict;
  readonly model: string;
  readonly operations: number;
  /** In key order for keyed models. The verdict is not-linearizable if any part is, else unknown if any part is. */
  readonly partitions: readonly PartitionResult[];
}

export interface CheckOptions {
  /** Polled during the search (every few thousand steps); returning true stops it with verdict unknown. */
  readonly interrupt?: () => boolean;
  /** Progress, at the same times: operations in finished parts plus those placed in running ones, of the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Off only to measure the plain search (see SearchTuning). */
  readonly pruning?: boolean;
}

interface Part {
  readonly key: string;
  readonly members: readonly number[];
  /** Indices into the history of the operations searched, in call order. */
  readonly searched: readonly number[];
  readonly search: LinearizationSearch;
  outcome?: SearchOutcome;
}

/**
 * Decides whether a history (paired operations, in call order) is
 * linearizable with respect to a model.
 *
 * Failed operations had no effect and are dropped (exact: `fail` means the
 * operation did not happen). Unknown-outcome operations that cannot change the
 * state (a timed-out read) constrain nothing and are dropped too.
 *
 * Keyed models are checked one key at a time: linearizability is local
 * (Herlihy & Wing), so the history is linearizable iff every key's part is.
 * The parts' searches run interleaved, a slice each in turn, and stop as soon
 * as one part is not linearizable: a violation in an easy key is then found
 * without first exhausting a hard one (Porcupine gets the same effect by
 * running parts in parallel and cancelling the rest). Slices count steps, not
 * time, so the result is deterministic.
 *
 * Throws a HistoryError (naming the call's line) for an operation the model
 * does not accept, so that bad input never yields a verdict.
 */
export function checkLinearizability(operations: readonly Operation[], model: Model, options: CheckOptions = {}): CheckResult {
  const prepared = operations.map((operation) => {
    const result = model.prepare(operation);
    if (typeof result === 'string') throw new HistoryError(operation.callLine, result);
    return result;
  });

  const grouped = new Map<string, number[]>();
  operations.forEach((operation, index) => {
    const key = model.keyed ? (operation.key as string) : '';
    let members = grouped.get(key);
    if (!members) grouped.set(key, (members = []));
    members.push(index);
  });
  const parts: Part[] = [...grouped.keys()].sort().map((key) => {
    const members = grouped.get(key) as number[];
    const searched = members.filter((index) => {
      const operation = operations[index];
      if (operation.outcome === 'fail') return false;
      return !outcomeUnknown(operation) || prepared[index].mutates;
    });
    const searchOperations: SearchOperation[] = searched.map((index) => ({
      called: operations[index].called,
      returned: operations[index].returned,
      call: prepared[index].call,
      mutates: prepared[index].mutates,
      effect: prepared[index].effect,
      ...(prepared[index].observation === undefined ? {} : { observation: prepared[index].observation }),
    }));
    return { key, members, searched, search: linearizationSearch(model, searchOperations, { pruning: options.pruning !== false }) };
  });

  let running = parts.length;
  let violated = false;
  let interrupted = false;
  let turns = 0;
  while (running > 0 && !violated && !interrupted) {
    for (const part of parts) {
      if (part.outcome) continue;
      const outcome = part.search.run(stepsPerSlice);
      if (outcome) {
        part.outcome = outcome;
        running--;
        if (outcome.verdict === 'not-linearizable') {
          violated = true;
          break;
        }
      }
      // Polled after every slice, and progress reported every few, whatever the number of parts.
      if (running > 0 && options.interrupt?.()) {
        interrupted = true;
        break;
      }
      if (options.onProgress && ++turns % 8 === 0) {
        const done = parts.reduce((sum, other) => sum + (other.outcome ? other.members.length : other.search.progress.placed), 0);
        options.onProgress(done, operations.length);
      }
    }
  }

  const partitions = parts.map((part): PartitionResult => {
    const named = (positions: readonly number[]) => positions.map((position) => operations[part.searched[position]]);
    const common = { ...(model.keyed ? { key: part.key } : {}), operations: part.members.length };
    const outcome = part.outcome;
    if (outcome?.verdict === 'linearizable') return { ...common, verdict: 'linearizable', linearization: named(outcome.order) };
    if (outcome?.verdict === 'not-linearizable') {
      return { ...common, verdict: 'not-linearizable', prefix: named(outcome.prefix), unplaced: named(outcome.unplaced), state: outcome.state };
    }
    const longest = part.search.progress.longest;
    return { ...common, verdict: 'unknown', ...(longest ? { prefix: named(longest.prefix), unplaced: named(longest.unplaced), state: longest.state } : {}) };
  });
  const verdict: Verdict = violated ? 'not-linearizable' : partitions.some((part) => part.verdict === 'unknown') ? 'unknown' : 'linearizable';
  return { verdict, model: model.name, operations: operations.length, partitions };
}
