import type { ProcessId } from '../../fabric/index.js';
import { checkedQuorum, messageFor, unanimousEcho, unanimousReady, type SignatureOracle } from './decide.js';
import type { RecordView } from './views.js';

/**
 * The receiver's role of consistent broadcast for one (s, k), as a pure
 * function of one round's read (spec step 3):
 * - decide h when all n records echo h (fast path: no signature made or
 *   checked), or when f+1 records hold (h, valid σ_s, checked) and none a
 *   validly signed h' ≠ h (slow path); write Ready(h) — the sender's
 *   acknowledgement, and RB's unsigned Ready;
 * - deliver an m with H(m) = h from the candidates (its own adoption, the
 *   copies of the sender's slot; RB adds the `delivered` fields) — until one
 *   is at hand it keeps reading. A Byzantine `hash-swapper` can make that
 *   forever; CB allows it.
 *
 * Why CB is consistent: a slow-path decision on h needs f+1 checked records,
 * so a correct replicator checked h, and checked correct records all hold
 * one hash (replicator.ts); a fast-path decision on h means every correct
 * replicator adopted h, so none ever adopts, signs or checks h' ≠ h.
 */
export interface Decision {
  readonly hash: Uint8Array;
  readonly path: 'fast' | 'slow';
}

export interface ReceiverState {
  readonly decision?: Decision;
  readonly delivered?: Uint8Array;
}

export interface ReceiverInput {
  readonly records: readonly RecordView[];
  readonly sender: ProcessId;
  readonly f: number;
  readonly valid: SignatureOracle;
  /** Where a message with the decided hash may be found. */
  readonly candidates: readonly (Uint8Array | undefined)[];
  /** False only for the `no-check` mutant: f+1 signed copies suffice. */
  readonly requireChecked: boolean;
  /** False only for the `unchecked-value` mutant: the message delivered is not checked against the decided hash. */
  readonly checkValue?: boolean;
}

export interface ReceiverStep {
  readonly state: ReceiverState;
  /** Decided this round: write Ready(hash). */
  readonly decided?: Decision;
  /** Delivered this round (CB delivery). */
  readonly delivered?: Uint8Array;
}

export function receiverNext(state: ReceiverState, input: ReceiverInput): ReceiverStep {
  const { records, sender, f, valid, candidates, requireChecked, checkValue = true } = input;
  let next = state;
  let decided: Decision | undefined;
  if (!next.decision) {
    const fast = unanimousEcho(records);
    const slow = fast ? null : checkedQuorum(records, sender, f, valid, requireChecked);
    if (fast) decided = { hash: fast, path: 'fast' };
    else if (slow) decided = { hash: slow, path: 'slow' };
    if (decided) next = { ...next, decision: decided };
  }
  if (!next.decision || next.delivered) return { state: next, ...(decided ? { decided } : {}) };
  const message = messageFor(next.decision.hash, candidates, checkValue);
  if (!message) return { state: next, ...(decided ? { decided } : {}) };
  return { state: { ...next, delivered: message }, ...(decided ? { decided } : {}), delivered: message };
}

/**
 * Whether the receiver's and replicator's CB duties for a delivered broadcast
 * are over: its record is checked, or every record shows Ready for the
 * decided hash (nobody needs its check any more).
 */
export function consistentDutiesDone(checked: boolean, state: ReceiverState, records: readonly RecordView[]): boolean {
  return checked || (state.decision !== undefined && unanimousReady(records, state.decision.hash) !== null);
}

/**
 * Deliveries to the application in k order per sender: what a broadcast
 * instance delivered waits until every earlier k of its sender did.
 * `next` is the lowest k not yet handed over; returns what to hand over now
 * and the new `next`.
 */
export function releaseInOrder<T>(next: number, waiting: ReadonlyMap<number, T>): { released: T[]; next: number } {
  const released: T[] = [];
  let sequence = next;
  while (waiting.has(sequence)) released.push(waiting.get(sequence) as T), sequence++;
  return { released, next: sequence };
}
