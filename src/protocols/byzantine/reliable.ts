import { everyoneDelivered, findReadySet, messageFor, unanimousReady, type SignatureOracle } from './decide.js';
import type { Decision, ReceiverState } from './receiver.js';
import { encodeReadySet, type FieldName, type ReadySet } from './slot.js';
import type { RecordView } from './views.js';

/**
 * Reliable broadcast for one (s, k), layered on the CB receiver's outcome
 * (its decision, which wrote Ready(h) unsigned, and its delivery), as a pure
 * function of one round's read (spec "Reliable broadcast"):
 * - if `readyTimeout` passed since its Ready was written and not everybody
 *   shows `delivered` for h, sign the Ready: σ_p(Ready, s, k, h);
 * - decide h when all n records show Ready(h) (fast path), or when a
 *   ReadySet — f+1 valid signed Readys of distinct replicators, read from
 *   the records or copied from one — is at hand (slow path), and write that
 *   ReadySet into its own record so anyone can adopt it;
 * - deliver m (from its CB delivery, or any candidate hashing to h: its
 *   adoption, the sender's slot, anyone's `delivered`) only after writing m
 *   into its own `delivered`.
 *
 * Why: f+1 signed Readys include a correct process's, which CB-decided h; by
 * CB consistency no correct process CB-decides h' ≠ h, so no valid ReadySet
 * for h' exists, and unanimous Readys include every correct one. Totality: a
 * delivery leaves m in a correct `delivered` field, and a slow-path one a
 * transferable ReadySet in a correct record, that every correct process
 * eventually reads; a fast-path delivery means every correct replicator
 * CB-decided h and will sign its Ready unless everybody delivered.
 */
export interface ReliableState {
  readonly decision?: Decision;
  readonly readySet?: ReadySet;
  /** Its own signed Ready, once made. */
  readonly readySignature?: Uint8Array;
  readonly delivered?: Uint8Array;
}

export interface ReliableInput {
  readonly records: readonly RecordView[];
  readonly f: number;
  readonly valid: SignatureOracle;
  /** The CB receiver's outcome for this broadcast. */
  readonly consistent: ReceiverState;
  /** When its (unsigned) Ready was written, if it was. */
  readonly readyAt?: number;
  readonly now: number;
  readonly readyTimeout: number;
  /** Where m may be found besides its CB delivery (its adoption, the sender's slot copies). */
  readonly candidates: readonly (Uint8Array | undefined)[];
}

export interface ReliableStep {
  readonly state: ReliableState;
  /** New fields of its record (`readySet`, `delivered`); `readySig` is added by whoever signs. */
  readonly fields: Partial<Record<FieldName, Uint8Array>>;
  /** Sign its Ready for the CB-decided hash now. */
  readonly signReady: boolean;
  /** Deliver this, once `fields` are written. */
  readonly deliver?: { readonly message: Uint8Array; readonly path: Decision['path'] };
}

/** Where RB's receivers also look for m: the `delivered` fields (the CB receiver of RB uses them too). */
export function deliveredCopies(records: readonly RecordView[]): (Uint8Array | undefined)[] {
  return records.map((record) => record.delivered);
}

export function reliableNext(state: ReliableState, input: ReliableInput): ReliableStep {
  const { records, f, valid, consistent, readyAt, now, readyTimeout, candidates } = input;
  const fields: Partial<Record<FieldName, Uint8Array>> = {};
  let next = state;
  if (!next.decision) {
    const fast = unanimousReady(records);
    const found = fast ? null : findReadySet(records, f, valid);
    if (fast) next = { ...next, decision: { hash: fast, path: 'fast' } };
    else if (found) {
      next = { ...next, decision: { hash: found.hash, path: 'slow' }, readySet: found };
      fields.readySet = encodeReadySet(found);
    }
  }
  let deliver: ReliableStep['deliver'];
  const decision = next.decision;
  if (decision && !next.delivered) {
    const message = messageFor(decision.hash, [consistent.delivered, ...candidates, ...deliveredCopies(records)]);
    if (message) {
      next = { ...next, delivered: message };
      fields.delivered = message;
      deliver = { message, path: decision.path };
    }
  }
  const cbHash = consistent.decision?.hash;
  const signReady = cbHash !== undefined && next.readySignature === undefined && readyAt !== undefined && now - readyAt >= readyTimeout && !everyoneDelivered(records, cbHash);
  return { state: next, fields, signReady, ...(deliver ? { deliver } : {}) };
}

/**
 * Whether its RB duties for a delivered broadcast are over: everybody shows
 * `delivered`, or it holds a ReadySet (transferable, in its record), or it
 * signed its Ready and its CB duties are over.
 */
export function reliableDutiesDone(state: ReliableState, records: readonly RecordView[], consistentDone: boolean): boolean {
  if (!state.delivered || !state.decision) return false;
  if (everyoneDelivered(records, state.decision.hash)) return true;
  if (state.readySet) return true;
  return state.readySignature !== undefined && consistentDone;
}
