import type { Batch, Hash } from '../bft/messages.js';

/**
 * The replica-to-replica messages of the n = 3f+1 baseline (PBFT-style,
 * Castro & Liskov, OSDI 1999 / TOCS 2002), as typed values. Client REQs
 * and REPLYs are the 2f+1 protocol's (bft/codec.ts), so one client serves
 * both. Point-to-point channels are authenticated by the fabric, so only a
 * VIEW-CHANGE carries a signature: a NEW-VIEW forwards the ones it was
 * built from, and a backup checks them without trusting the new primary.
 */

/** PRE-PREPARE(v, i, B): the primary of v assigns instance i to batch B. */
export interface PrePrepareMessage {
  readonly type: 'pre-prepare';
  readonly view: number;
  readonly instance: number;
  readonly batch: Batch;
}

/** PREPARE(v, i, h) and COMMIT(v, i, h), h = H(B). */
export interface VoteMessage {
  readonly type: 'prepare' | 'commit';
  readonly view: number;
  readonly instance: number;
  readonly hash: Hash;
}

/** An entry of P: instance i prepared in `view` with batch B (carried so the new primary can re-propose it). */
export interface PreparedEntry {
  readonly instance: number;
  readonly view: number;
  readonly hash: Hash;
  readonly batch: Batch;
}

/** An entry of Q: batch h pre-prepared at instance i, the latest in `view`. */
export interface PrePreparedEntry {
  readonly instance: number;
  readonly view: number;
  readonly hash: Hash;
}

/** What a VIEW-CHANGE says: replica r moves to `view` with its P and Q sets (sorted by instance, then hash). */
export interface ViewChangeBody {
  readonly view: number;
  readonly replica: number;
  readonly prepared: readonly PreparedEntry[];
  readonly prePrepared: readonly PrePreparedEntry[];
}

/** VIEW-CHANGE(v+1, P, Q)σr. */
export interface ViewChangeMessage extends ViewChangeBody {
  readonly type: 'view-change';
  readonly signature: Uint8Array;
}

/** The new primary's choice at one instance: a batch (re-proposed) or the null batch (hash of the empty batch). */
export interface Choice {
  readonly instance: number;
  readonly hash: Hash;
}

/** NEW-VIEW(v, V, O): V the ≥ 2f+1 VIEW-CHANGEs it is built from, O the chosen batches (instances 0..max, in order). */
export interface NewViewMessage {
  readonly type: 'new-view';
  readonly view: number;
  readonly viewChanges: readonly ViewChangeMessage[];
  readonly chosen: readonly Choice[];
}

export type PbftMessage = PrePrepareMessage | VoteMessage | ViewChangeMessage | NewViewMessage;

/** Type bytes, apart from the 2f+1 protocol's (1..17), so a REQ is told from these by its first byte. */
export const pbftMessageTypes = {
  'pre-prepare': 0x40,
  prepare: 0x41,
  commit: 0x42,
  'view-change': 0x43,
  'new-view': 0x44,
} as const satisfies Record<PbftMessage['type'], number>;
