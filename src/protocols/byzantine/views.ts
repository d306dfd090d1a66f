import type { MergedSlot } from './merge.js';
import { decodeReadySet, type ReadySet } from './slot.js';

/**
 * What the decisions (decide.ts) see of one slot: the fields a reader
 * counts after judging and merging the copies. Everything absent is simply
 * "not (yet) written".
 */
export interface RecordView {
  /** H(m) the owner adopted from the sender's slot. */
  readonly echo?: Uint8Array;
  /** The sender's signature over (s, k, echo). */
  readonly signed?: Uint8Array;
  readonly checked: boolean;
  /** H(m) the owner CB-decided. */
  readonly ready?: Uint8Array;
  /** The owner's signature over (ready, s, k, ready hash). */
  readonly readySig?: Uint8Array;
  readonly readySet?: ReadySet;
  /** The message the owner delivered (reliable broadcast). */
  readonly delivered?: Uint8Array;
}

export interface SenderView {
  /** m by the merge rule (lowest memory). */
  readonly value?: Uint8Array;
  /** Every distinct valid copy of m: a Byzantine sender may split or rewrite them, and any one hashing to a decided h will do. */
  readonly values: readonly Uint8Array[];
  /** σ_s over (s, k, H(m)). */
  readonly sig?: Uint8Array;
}

export const emptyRecord: RecordView = { checked: false };

export function recordView(slot: MergedSlot | null): RecordView {
  if (!slot) return emptyRecord;
  const { echo, signed, ready, readySig, readySet, delivered } = slot.fields;
  return {
    ...(echo ? { echo } : {}),
    ...(signed ? { signed } : {}),
    checked: slot.checked,
    ...(ready ? { ready } : {}),
    ...(readySig ? { readySig } : {}),
    ...(readySet ? { readySet: decodeReadySet(readySet) } : {}),
    ...(delivered ? { delivered } : {}),
  };
}

export function senderView(slot: MergedSlot | null): SenderView {
  if (!slot) return { values: [] };
  const { value, sig } = slot.fields;
  return { ...(value ? { value } : {}), values: slot.alternatives.value ?? [], ...(sig ? { sig } : {}) };
}
