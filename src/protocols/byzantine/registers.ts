import { forEachMemory, majority, wordBytes, type Fabric, type MemoryId, type ProcessId } from '../../fabric/index.js';
import { blockSize, regionName, slotIdentity, slotOffset, type BroadcastLayout, type SlotRef } from './layout.js';
import { mergeCopies, type MergedSlot } from './merge.js';
import { bit, decodeSlot, encodeField, fieldOffset, sameBytes, slotSize, type FieldName } from './slot.js';

/** A range of one owner's region (blocks first..last) as read from a majority of memories. */
export interface RegionRead {
  readonly owner: ProcessId;
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly copies: readonly { readonly memory: MemoryId; readonly bytes: Uint8Array }[];
}

/** Judges every copy of one slot in a read and merges them (merge.ts); null if the read did not cover it. */
export function readSlot(read: RegionRead, slot: SlotRef, layout: BroadcastLayout): MergedSlot | null {
  if (slot.sequence < read.firstSequence || slot.sequence > read.lastSequence) return null;
  const at = slotOffset(layout, slot) - (read.firstSequence - 1) * blockSize(layout);
  const size = slotSize(slot.kind, layout.shape);
  const identity = slotIdentity(read.owner, slot);
  return mergeCopies(
    slot.kind,
    read.copies.map(({ memory, bytes }) => ({ memory, copy: decodeSlot(bytes.subarray(at, at + size), slot.kind, identity, layout.shape, layout.processCount) })),
  );
}

/** What this process has written into one of its slots (it writes each field once). */
interface Written {
  flags: bigint;
  readonly fields: Map<FieldName, Uint8Array>;
}

export interface PublishOptions {
  /** Also set the `checked` bit. */
  readonly checked?: boolean;
  /**
   * Rewrite fields already written with other bytes. A correct owner never
   * does (L0 rests on it): only the `rewritten-record` and
   * `changing-replicator` mutants ask for it.
   */
  readonly rewrite?: boolean;
}

/**
 * The SWMR registers of one process: it writes fields of its own slots (to
 * every memory, waiting for a majority) and reads anyone's region (from a
 * majority). This is the M&M model's register on the fabric: the memory's
 * `single-writer` policy stops anyone else writing it.
 */
export class SwmrRegisters {
  private readonly written = new Map<number, Written>();
  private readonly quorum: number;

  constructor(
    private readonly fabric: Fabric,
    private readonly layout: BroadcastLayout,
  ) {
    this.quorum = majority(layout.memories.length);
  }

  /**
   * Publishes new fields of one of this process's slots: on every memory,
   * the fields' writes and then the flags word with their bits, issued back
   * to back on that memory's queue pair — verbs of one process to one memory
   * land in issue order, so no copy ever shows a bit before its field has
   * landed. Waits for a majority of memories. A field already written with
   * the same bytes is skipped; with other bytes it is an error (write-once),
   * unless `rewrite`.
   */
  async publish(slot: SlotRef, fields: Readonly<Partial<Record<FieldName, Uint8Array>>>, options: PublishOptions = {}): Promise<void> {
    const offset = slotOffset(this.layout, slot);
    const written = this.writtenOf(offset);
    const identity = slotIdentity(this.fabric.self, slot);
    const writes: { at: number; bytes: Uint8Array }[] = [];
    for (const [field, value] of Object.entries(fields) as [FieldName, Uint8Array][]) {
      const before = written.fields.get(field);
      if (before && sameBytes(before, value)) continue;
      if (before && !options.rewrite) throw new Error(`p${this.fabric.self} would rewrite its write-once field '${field}' of ${slot.kind} (p${slot.sender}, ${slot.sequence})`);
      written.fields.set(field, value);
      writes.push({ at: offset + fieldOffset(slot.kind, field, this.layout.shape), bytes: encodeField(identity, field, value, this.layout.shape, this.layout.processCount) });
      written.flags |= bit(field);
    }
    if (options.checked) written.flags |= bit('checked');
    if (writes.length === 0 && !options.checked) return;
    const flags = wordBytes(written.flags);
    const region = regionName(this.fabric.self);
    await forEachMemory(this.layout.memories, this.quorum, (memory) =>
      Promise.all([...writes.map((write) => this.fabric.write({ memory, region, offset: write.at }, write.bytes)), this.fabric.write({ memory, region, offset }, flags)]),
    );
  }

  /**
   * Clears one of this process's slots' flags word and forgets what it
   * wrote there: the `changing-replicator` mutant starting its record over.
   * A correct owner never clears a bit.
   */
  async restart(slot: SlotRef): Promise<void> {
    const offset = slotOffset(this.layout, slot);
    const written = this.writtenOf(offset);
    written.flags = 0n;
    written.fields.clear();
    const region = regionName(this.fabric.self);
    await forEachMemory(this.layout.memories, this.quorum, (memory) => this.fabric.write({ memory, region, offset }, wordBytes(0n)));
  }

  /** Writes any bytes at an offset of one of this process's slots, per memory: for adversaries. */
  async writeRaw(slot: SlotRef, offsetInSlot: number, bytes: (memory: MemoryId) => Uint8Array): Promise<void> {
    const offset = slotOffset(this.layout, slot) + offsetInSlot;
    const region = regionName(this.fabric.self);
    await forEachMemory(this.layout.memories, this.quorum, (memory) => this.fabric.write({ memory, region, offset }, bytes(memory)));
  }

  /** Reads blocks `firstSequence..lastSequence` of `owner`'s region from a majority of memories. */
  async readBlocks(owner: ProcessId, firstSequence: number, lastSequence: number): Promise<RegionRead> {
    const size = blockSize(this.layout);
    const region = regionName(owner);
    const answers = await forEachMemory(this.layout.memories, this.quorum, (memory) => this.fabric.read({ memory, region, offset: (firstSequence - 1) * size }, (lastSequence - firstSequence + 1) * size));
    return { owner, firstSequence, lastSequence, copies: answers.map((answer) => ({ memory: answer.memory, bytes: answer.value })) };
  }

  private writtenOf(offset: number): Written {
    let written = this.written.get(offset);
    if (!written) {
      written = { flags: 0n, fields: new Map() };
      this.written.set(offset, written);
    }
    return written;
  }
}
