import type { Operation } from './history.js';
import type { ValueKey } from './values.js';

/**
 * A sequential specification as a small pure object (after Porcupine's
 * model.go): an initial state and a step function that says whether an
 * operation is legal in a state and what state follows.
 *
 * `prepare` runs once per operation: it rejects operations the model does not
 * have (the message becomes a bad-input error naming the line) and turns the
 * operation into the model's compact call, so that `step`, which the search
 * runs millions of times, only compares primitives.
 */
export interface Model<State = unknown, Call = unknown> {
  readonly name: string;
  /** One line for help texts. */
  readonly summary: string;
  /** The functions (`f`) it accepts. */
  readonly functions: readonly string[];
  /**
   * Operations carry a key, and operations on different keys are independent:
   * the history is checked per key (P-compositionality, Horn & Kroening).
   */
  readonly keyed: boolean;
  prepare(operation: Operation): PreparedCall<Call> | string;
  init(): State;
  /**
   * The state after `call` in `state`, or undefined when the call cannot take
   * effect there (its result contradicts the state). A call with an unknown
   * outcome is prepared so that its result constrains nothing.
   */
  step(state: State, call: Call): State | undefined;
  /** Equal keys if and only if equal states (memoization and state interning). */
  stateKey(state: State): ValueKey;
  /** The state as a JSON value, for witnesses and messages. */
  describeState(state: State): unknown;
  /**
   * Optional pruning (see search.ts): a read that has not taken effect yet
   * needs the state to become its result later, and these say when that has
   * become impossible. Sound if, for every state s and every sequence of calls
   * taking s to a state that `read` accepts, either `grows(s, read)` or some
   * call c of the sequence has `leadsTo(c, read)`.
   */
  readonly reach?: {
    /** Whether calls that only build on the state (appends, larger writes) could take `state` to a state `read` accepts. */
    grows(state: State, read: Call): boolean;
    /** Whether `call` may set the state outright (a put, a write) to one from which `read`'s result can be reached. */
    leadsTo(call: Call, read: Call): boolean;
    /**
     * Optional shortcut for long histories: when `leadsTo(call, read)` holds
     * exactly if this equals the read's `observation` (a register's write and
     * the reads of its value), the pairs are found by lookup, not by trying all.
     */
    target?(call: Call): string | undefined;
    /**
     * Optional shortcut of the same kind for models whose states grow: when
     * `leadsTo(call, read)` holds exactly if `setsTo(call)` is defined and is
     * a prefix of `readsAs(read)` (a kv put and the gets that begin with its
     * value), the pairs are found by looking up the read's prefixes.
     */
    prefix?: { setsTo(call: Call): string | undefined; readsAs(read: Call): string };
  };
}

export interface PreparedCall<Call> {
  readonly call: Call;
  /**
   * Whether the call can change the state. A call with an unknown outcome that
   * cannot is dropped before the search: it constrains nothing and affects nothing.
   */
  readonly mutates: boolean;
  /**
   * For calls with an unknown outcome: equal strings mean the same effect in
   * every state, so the search may try such twins in call order only.
   */
  readonly effect: string;
  /**
   * For calls that cannot change the state: equal strings mean they accept the
   * same states (reads that returned the same value). Used to group reads for pruning.
   */
  readonly observation?: string;
}
