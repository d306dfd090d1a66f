import type { ProcessId } from '../../fabric/index.js';
import { conflictingSignedEcho, senderSignatureFor, type SignatureOracle } from './decide.js';
import { messageHash } from './digest.js';
import type { BroadcastMutant, StreamCheckMutant } from './mutants.js';
import { sameBytes, type FieldName } from './slot.js';
import type { RecordView, SenderView } from './views.js';

/**
 * The replicator's role of consistent broadcast for one (s, k), as a pure
 * function of one round's read (spec step 2):
 * - adopt the first value m the sender's slot shows, write `echo` = H(m),
 *   and never change its mind (only the mutants do);
 * - once a valid σ_s over H(m) is at hand (from the sender's slot or any
 *   record: it is transferable), write it as `signed`;
 * - then, in a later round — whose read started after `signed` and its bit
 *   were on a majority of memories: *write, then read* — look at every other
 *   record: if none holds a validly signed h' ≠ H(m), set `checked`; else
 *   note a conflict and never check.
 *
 * Why the check makes CB consistent: two correct replicators that checked h
 * and h' each wrote before reading the other; whichever read second saw the
 * other's signed value and did not check. So all checked correct records
 * hold one hash, and a slow-path delivery needs one of them (f+1 checked).
 */
export interface ReplicatorState {
  readonly adopted?: Uint8Array;
  readonly adoptedHash?: Uint8Array;
  /** The sender's valid signature over the adopted hash, once at hand (and written as `signed`). */
  readonly signature?: Uint8Array;
  /** Round in which `signed` was written; the check reads in a later round. */
  readonly signedRound?: number;
  readonly checked: boolean;
  readonly conflict: boolean;
}

export const freshReplicator: ReplicatorState = { checked: false, conflict: false };

export interface ReplicatorInput {
  /** The sender's slot as read this round. */
  readonly slot: SenderView;
  /** Every process's record of this broadcast, by owner. */
  readonly records: readonly RecordView[];
  readonly self: ProcessId;
  readonly sender: ProcessId;
  readonly round: number;
  readonly valid: SignatureOracle;
  readonly mutant?: BroadcastMutant | StreamCheckMutant;
}

export interface ReplicatorStep {
  readonly state: ReplicatorState;
  /** New fields of this process's record (`echo`, `signed`). */
  readonly fields: Partial<Record<FieldName, Uint8Array>>;
  /** Set the `checked` bit. */
  readonly check: boolean;
  /** Found a validly signed conflicting hash this round (it will never check). */
  readonly conflict: boolean;
  /** The `changing-replicator` mutant starts its record over (clears its flags) before writing. */
  readonly restart: boolean;
}

function adoption(value: Uint8Array): Pick<ReplicatorState, 'adopted' | 'adoptedHash'> {
  return { adopted: value, adoptedHash: messageHash(value) };
}

export function replicatorNext(state: ReplicatorState, input: ReplicatorInput): ReplicatorStep {
  const { slot, records, self, sender, round, valid, mutant } = input;
  const fields: Partial<Record<FieldName, Uint8Array>> = {};
  let next = state;
  let restart = false;
  const shown = slot.value;
  if (shown && !next.adopted) {
    next = { ...next, ...adoption(shown) };
    fields.echo = next.adoptedHash;
  } else if (shown && next.adopted && !sameBytes(shown, next.adopted) && (mutant === 'changing-replicator' || mutant === 'rewritten-record')) {
    // The mutants follow the slot: a new adoption, its signature to find again.
    next = { ...next, ...adoption(shown), signature: undefined, signedRound: undefined };
    if (mutant === 'changing-replicator') {
      restart = true;
      next = { ...next, checked: false, conflict: false };
    }
    fields.echo = next.adoptedHash;
  }
  if (next.adopted && next.adoptedHash && !next.signature) {
    const signature = senderSignatureFor(next.adoptedHash, slot, records, sender, valid);
    if (signature) {
      next = { ...next, signature, signedRound: round };
      fields.signed = signature;
    }
    return { state: next, fields, check: false, conflict: false, restart };
  }
  if (next.adoptedHash && next.signature && !next.checked && !next.conflict && (next.signedRound ?? Infinity) < round) {
    const others = records.filter((_, owner) => owner !== self);
    if (conflictingSignedEcho(others, sender, next.adoptedHash, valid)) return { state: { ...next, conflict: true }, fields, check: false, conflict: true, restart };
    return { state: { ...next, checked: true }, fields, check: true, conflict: false, restart };
  }
  return { state: next, fields, check: false, conflict: false, restart };
}
