import type { MemoryId, ProcessId, RegionSpec } from '../../fabric/index.js';
import { slotSize, type SlotIdentity, type SlotKind, type SlotShape } from './slot.js';

/**
 * Where the SWMR registers of Byzantine broadcast live. Every process owns
 * one region, `swmr:p<i>`, with policy `single-writer` (only the owner
 * writes, everyone reads — the memory enforces it), replicated on every
 * memory so that a minority of memories may crash.
 *
 * The region is a row of blocks, one per sequence number k:
 *
 *   block k:  S[k]   R[s0][k]   R[s1][k]   ...
 *
 * S[k] is the owner's own sender slot (used only if the owner is a sender);
 * R[s][k] is the owner's record for sender s's k-th broadcast (slot.ts has
 * their fields). Broadcasts in progress sit in neighbouring blocks, so one
 * read of a range fetches them.
 */
export interface BroadcastLayout {
  readonly processCount: number;
  readonly memories: readonly MemoryId[];
  /** Processes that broadcast. */
  readonly senders: readonly ProcessId[];
  /** Broadcasts per sender: sequence numbers 1..messages. */
  readonly messages: number;
  readonly shape: SlotShape;
}

/** One slot of the layout: a sender slot S[sender][k] (in the sender's region) or a record R[owner][sender][k]. */
export interface SlotRef {
  readonly kind: SlotKind;
  readonly sender: ProcessId;
  readonly sequence: number;
}

export function regionName(owner: ProcessId): string {
  return `swmr:p${owner}`;
}

export function blockSize(layout: BroadcastLayout): number {
  return slotSize('sender', layout.shape) + layout.senders.length * slotSize('record', layout.shape);
}

/** Offset of a slot in its owner's region. */
export function slotOffset(layout: BroadcastLayout, slot: SlotRef): number {
  const block = (slot.sequence - 1) * blockSize(layout);
  if (slot.kind === 'sender') return block;
  const position = layout.senders.indexOf(slot.sender);
  if (position < 0) throw new RangeError(`p${slot.sender} is not a sender`);
  return block + slotSize('sender', layout.shape) + position * slotSize('record', layout.shape);
}

export function senderSlot(sender: ProcessId, sequence: number): SlotRef {
  return { kind: 'sender', sender, sequence };
}

export function recordSlot(sender: ProcessId, sequence: number): SlotRef {
  return { kind: 'record', sender, sequence };
}

/** What a slot's field checksums bind: its owner, its sender and k. */
export function slotIdentity(owner: ProcessId, slot: SlotRef): SlotIdentity {
  return { owner, sender: slot.sender, sequence: slot.sequence };
}

export function regionSize(layout: BroadcastLayout): number {
  return layout.messages * blockSize(layout);
}

/** One single-writer region per process, on every memory. */
export function broadcastRegions(layout: BroadcastLayout): RegionSpec[] {
  return Array.from({ length: layout.processCount }, (_, owner) => ({
    name: regionName(owner),
    size: regionSize(layout),
    policy: 'single-writer' as const,
    owner,
    memories: [...layout.memories],
  }));
}
