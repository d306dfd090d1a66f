import type { TimeoutPolicy } from '../common/phaseTimer.js';
import { getWord, setWord, wholeWords, type Fabric, type MemoryId } from '../../fabric/index.js';
import { openRecord, sealRecord, type RecordLayout } from '../common/record.js';

/**
 * One process's slot in a memory, for Disk Paxos and Protected Memory Paxos:
 *
 *   bytes 0..7    proposal (u64): Disk Paxos' mbal, PMP's minProposal —
 *                 a word of its own, so phase 1 rewrites it atomically alone
 *   bytes 8..15   accepted (u64): the ballot of the accepted value (0 = none)
 *   bytes 16..19  value length (u32)
 *   bytes 20..23  CRC-32 of bytes 8..19 and of the value
 *   bytes 24..    value, padded to whole words
 *
 * The accepted part spans several words: a reader that catches its owner
 * rewriting it sees a checksum mismatch and re-reads; it never adopts a torn
 * value. A zeroed slot (never written) reads as nothing accepted.
 */
export const consensusSlotHeader = 24;

/** The slot as a checksummed record: the checksum covers the accepted part, not the proposal word. */
const layout: RecordLayout = { header: consensusSlotHeader, lengthAt: 16, checksumAt: 20, coveredFrom: 8 };

export function consensusSlotSize(capacity: number): number {
  return consensusSlotHeader + wholeWords(capacity);
}

export interface ConsensusSlot {
  readonly proposal: bigint;
  readonly accepted: bigint;
  /** Empty when nothing was accepted. */
  readonly value: Uint8Array;
}

export function encodeConsensusSlot(slot: ConsensusSlot, capacity: number): Uint8Array {
  if (slot.value.length > capacity) throw new RangeError(`value of ${slot.value.length} bytes exceeds the slot capacity of ${capacity}`);
  const bytes = new Uint8Array(consensusSlotSize(capacity));
  setWord(bytes, 0, slot.proposal);
  setWord(bytes, 8, slot.accepted);
  return sealRecord(bytes, layout, slot.value);
}

/** Decodes the slot at `offset`, or 'torn' when its accepted part fails its checksum. */
export function decodeConsensusSlot(bytes: Uint8Array, offset: number, capacity: number, verify = true): ConsensusSlot | 'torn' {
  const slot = bytes.subarray(offset, offset + consensusSlotSize(capacity));
  const record = openRecord(slot, layout, verify, capacity);
  if (record === 'torn') return 'torn';
  const proposal = getWord(slot, 0);
  if (record.blank) return { proposal, accepted: 0n, value: new Uint8Array(0) };
  return { proposal, accepted: getWord(slot, 8), value: slot.slice(consensusSlotHeader, consensusSlotHeader + record.length) };
}

/** Decodes every process's slot of a region read whole; 'torn' if any slot is. */
export function decodeSlots(bytes: Uint8Array, processCount: number, capacity: number, verify = true): ConsensusSlot[] | 'torn' {
  const slots: ConsensusSlot[] = [];
  for (let process = 0; process < processCount; process++) {
    const slot = decodeConsensusSlot(bytes, process * consensusSlotSize(capacity), capacity, verify);
    if (slot === 'torn') return 'torn';
    slots.push(slot);
  }
  return slots;
}

/** Highest proposal of any slot (what a proposer must exceed). */
export function highestProposal(slots: readonly ConsensusSlot[]): bigint {
  let highest = 0n;
  for (const slot of slots) {
    if (slot.proposal > highest) highest = slot.proposal;
    if (slot.accepted > highest) highest = slot.accepted;
  }
  return highest;
}

/** The value accepted with the highest ballot, or undefined when none was accepted (Paxos' adoption rule). */
export function adoptedValue(slots: readonly ConsensusSlot[]): Uint8Array | undefined {
  let best: ConsensusSlot | undefined;
  for (const slot of slots) if (slot.accepted > 0n && (best === undefined || slot.accepted > best.accepted)) best = slot;
  return best?.value;
}

/** What the memory-based algorithms share: where the slots are and how long a phase may wait. */
export interface SlotLayout {
  readonly region: string;
  readonly memories: readonly MemoryId[];
  /** Largest value, in bytes. */
  readonly capacity: number;
  /**
   * How long one phase may wait for its majority before the attempt is given
   * up (and retried with a higher ballot). Without it, a crashed memory plus
   * a refused write elsewhere would leave a phase waiting forever: neither a
   * majority of successes nor enough failures ever arrives. It adapts
   * (phaseTimer.ts): it doubles after each expiry and follows the slowest phase seen.
   */
  readonly phaseTimeout: TimeoutPolicy;
}

/**
 * Reads every process's slot on one memory (one verb), re-reading while any
 * slot is torn. `verify = false` is the `no-checksum` mutants: a torn slot is
 * taken at face value.
 */
export async function readAllSlots(fabric: Fabric, memory: MemoryId, layout: SlotLayout, verify = true): Promise<ConsensusSlot[]> {
  const length = fabric.processCount * consensusSlotSize(layout.capacity);
  for (;;) {
    const bytes = await fabric.read({ memory, region: layout.region, offset: 0 }, length);
    const slots = decodeSlots(bytes, fabric.processCount, layout.capacity, verify);
    if (slots !== 'torn') return slots;
  }
}
