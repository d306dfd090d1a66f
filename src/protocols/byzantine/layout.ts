import type { MemoryId, ProcessId, RegionSpec } from '../../fabric/index.js';
import { slotSize, type SlotShape } from './slot.js';

/**
 * Where the SWMR registers of Byzantine broadcast live. Every process owns
 * one region, `swmr:p<i>`, with policy `single-writer` (only the owner
 * writes, everyone reads — the memory enforces it), replicated on every
 * memory so that a minority of memories may crash.
 *
 * The region is a row of slots in blocks, one block per sequence number k:
 *
 *   block k:  S[k]   R[s0][k]   R[s1][k]   ...
 *
 * S[k] is the owner's own sender slot (used only if the owner is a sender);
 * R[s][k] is the owner's record for sender s's k-th broadcast. Broadcasts in
 * progress sit in neighbouring blocks, so one read of a range fetches them.
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

export function regionName(owner: ProcessId): string {
  return `swmr:p${owner}`;
}

export function slotsPerBlock(layout: BroadcastLayout): number {
  return 1 + layout.senders.length;
}

/** Index of the owner's sender slot S[k]. */
export function senderSlot(layout: BroadcastLayout, sequence: number): number {
  return (sequence - 1) * slotsPerBlock(layout);
}

/** Index of the owner's record R[sender][k]. */
export function recordSlot(layout: BroadcastLayout, sender: ProcessId, sequence: number): number {
  const position = layout.senders.indexOf(sender);
  if (position < 0) throw new RangeError(`p${sender} is not a sender`);
  return (sequence - 1) * slotsPerBlock(layout) + 1 + position;
}

export function regionSize(layout: BroadcastLayout): number {
  return layout.messages * slotsPerBlock(layout) * slotSize(layout.shape);
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
