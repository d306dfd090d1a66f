import { forEachMemory, majority, type Fabric, type MemoryId, type ProcessId } from '../../fabric/index.js';
import { regionName, slotsPerBlock, type BroadcastLayout } from './layout.js';
import { decodeSlot, encodeSlot, sameBytes, slotSize, type SlotContent } from './slot.js';

/** One memory's copy of a range of an owner's region. */
export interface RegionCopy {
  readonly memory: MemoryId;
  /** Bytes of slots `first..first+count-1`. */
  readonly bytes: Uint8Array;
}

/** A range of one owner's region as read from a majority of memories. */
export interface RegionRead {
  readonly owner: ProcessId;
  /** First slot index read. */
  readonly first: number;
  readonly count: number;
  readonly copies: readonly RegionCopy[];
}

/** One slot as a reader makes it out from the copies it read. */
export interface SlotRead {
  /** The highest-versioned content; null if none (never written, or only malformed). */
  readonly content: SlotContent | null;
  readonly version: bigint;
  /**
   * Some copy was torn (a read overlapped a write, or the owner wrote
   * garbage): the reader cannot tell whether it held a higher version, and
   * must not act on the absence of a value in this read.
   */
  readonly uncertain: boolean;
  /** Why a copy was malformed (only a Byzantine owner writes such a slot). */
  readonly malformed: string | null;
  /** Two copies hold different contents at one version: proof that the owner is Byzantine. */
  readonly equivocation: boolean;
}

const unread: SlotRead = { content: null, version: 0n, uncertain: true, malformed: null, equivocation: false };

/**
 * Merges the copies of one slot: the highest version wins; at equal
 * versions the copy on the lowest-numbered memory wins (one fixed rule for
 * every reader). Only a Byzantine owner makes copies differ at one version,
 * and safety never rests on a Byzantine owner's registers.
 */
export function mergeSlot(read: RegionRead, index: number, layout: BroadcastLayout): SlotRead {
  if (index < read.first || index >= read.first + read.count) return unread;
  const size = slotSize(layout.shape);
  const at = (index - read.first) * size;
  let best: { version: bigint; memory: MemoryId; payload: Uint8Array; content: SlotContent } | undefined;
  let uncertain = false;
  let malformed: string | null = null;
  let equivocation = false;
  for (const copy of read.copies) {
    const decoded = decodeSlot(copy.bytes.subarray(at, at + size), layout.shape, layout.processCount);
    if (decoded.kind === 'torn') uncertain = true;
    else if (decoded.kind === 'malformed') malformed = decoded.reason;
    else if (decoded.kind === 'slot') {
      if (!best || decoded.version > best.version) best = { version: decoded.version, memory: copy.memory, payload: decoded.payload, content: decoded.content };
      else if (decoded.version === best.version) {
        if (!sameBytes(decoded.payload, best.payload)) equivocation = true;
        if (copy.memory < best.memory) best = { version: decoded.version, memory: copy.memory, payload: decoded.payload, content: decoded.content };
      }
    }
  }
  return { content: best?.content ?? null, version: best?.version ?? 0n, uncertain, malformed, equivocation };
}

/**
 * The SWMR registers of one process: it writes its own region's slots (to
 * every memory, waiting for a majority, each slot with its own version) and
 * reads anyone's (from a majority). This is the M&M model's register on the
 * fabric: the memory's `single-writer` policy stops anyone else writing it.
 */
export class SwmrRegisters {
  private readonly versions = new Map<number, bigint>();
  private readonly quorum: number;

  constructor(
    private readonly fabric: Fabric,
    private readonly layout: BroadcastLayout,
  ) {
    this.quorum = majority(layout.memories.length);
  }

  /** Next version of one of this process's slots. */
  nextVersion(index: number): bigint {
    const version = (this.versions.get(index) ?? 0n) + 1n;
    this.versions.set(index, version);
    return version;
  }

  /**
   * Writes a payload into one of this process's slots on every memory and
   * waits for a majority. `perMemory` lets adversary code write different
   * payloads to different copies at one version (a correct process never does).
   */
  async write(index: number, payload: Uint8Array | ((memory: MemoryId) => Uint8Array)): Promise<void> {
    const version = this.nextVersion(index);
    const offset = index * slotSize(this.layout.shape);
    const region = regionName(this.fabric.self);
    await forEachMemory(this.layout.memories, this.quorum, (memory) =>
      this.fabric.write({ memory, region, offset }, encodeSlot(version, typeof payload === 'function' ? payload(memory) : payload, this.layout.shape)),
    );
  }

  /** Writes raw slot bytes (header included) at one version: for adversaries that forge headers. */
  async writeRaw(index: number, bytes: (memory: MemoryId) => Uint8Array): Promise<void> {
    const offset = index * slotSize(this.layout.shape);
    const region = regionName(this.fabric.self);
    await forEachMemory(this.layout.memories, this.quorum, (memory) => this.fabric.write({ memory, region, offset }, bytes(memory)));
  }

  /** Reads blocks `firstSequence..lastSequence` of `owner`'s region from a majority of memories. */
  async readBlocks(owner: ProcessId, firstSequence: number, lastSequence: number): Promise<RegionRead> {
    const perBlock = slotsPerBlock(this.layout);
    const first = (firstSequence - 1) * perBlock;
    const count = (lastSequence - firstSequence + 1) * perBlock;
    const size = slotSize(this.layout.shape);
    const region = regionName(owner);
    const answers = await forEachMemory(this.layout.memories, this.quorum, (memory) => this.fabric.read({ memory, region, offset: first * size }, count * size));
    return { owner, first, count, copies: answers.map((answer) => ({ memory: answer.memory, bytes: answer.value })) };
  }
}
