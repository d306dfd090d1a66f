/**
 * Histories as the checker sees them: events in real-time order (one per input
 * line), then operations (a call paired with its return, if any).
 *
 * The checker never guesses about malformed input: anything it cannot read
 * exactly is a HistoryError naming the line, so a bad file never gets a verdict.
 */

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';

/** One line of a history: a call (`invoke`) or a return (`ok`, `fail`, `info`). */
export interface HistoryEvent {
  readonly process: number;
  readonly type: EventType;
  readonly f: string;
  /** The key, for key-value operations. */
  readonly key?: string;
  readonly value: unknown;
  /** 1-based line of the input this event came from (for error messages and witnesses). */
  readonly line: number;
  /** Operation id given by the input (traces); pairs a return with its call instead of the process. */
  readonly op?: number;
}

/**
 * How an operation ended. `ok`: it took effect and returned `output`. `fail`:
 * it did not take effect. `info` and `pending` (a call with no return): its
 * outcome is unknown — it took effect once at some point after its call, or
 * never, and its output constrains nothing.
 */
export type Outcome = 'ok' | 'fail' | 'info' | 'pending';

export interface Operation {
  /** Position in call order, 0-based. */
  readonly index: number;
  /** The name a witness uses: the input's operation id for traces, else the call's line. */
  readonly id: number;
  readonly process: number;
  readonly f: string;
  readonly key?: string;
  /** The call's value (a read's is null). */
  readonly input: unknown;
  /** The return's value; meaningful only when `outcome` is `ok`. */
  readonly output: unknown;
  readonly outcome: Outcome;
  /** Event positions: real time. `returned` is Infinity for unknown outcomes. */
  readonly called: number;
  readonly returned: number;
  readonly callLine: number;
  readonly returnLine?: number;
}

/** Bad input: the message says what is wrong; `line` is where (1-based). */
export class HistoryError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'HistoryError';
  }
}

/** An operation's outcome is unknown: it may or may not have taken effect. */
export function outcomeUnknown(operation: Operation): boolean {
  return operation.outcome === 'info' || operation.outcome === 'pending';
}
