import { getWord, setWord, wholeWords, type Fabric, type MemoryId, type RegionSpec } from '../../fabric/index.js';
import { gridSize, proposalRowSize, rowOffset, slotOffset, type InstanceGrid } from '../common/instances.js';
import { newerCopy, openRecord, sealRecord, type RecordLayout } from '../common/record.js';
import { InvalidLogConfig, UnknownMemory } from '../common/logErrors.js';

/**
 * The memory layout of the Disk Paxos and PMP logs, one region per memory:
 *
 *   proposal row   one u64 per process: the ballot it last prepared with
 *                  (Disk Paxos' mbal, PMP's minProposal) — one word for every
 *                  instance, so one phase 1 covers every index at once
 *   row i          one slot per process for instance i:
 *     bytes 0..7     accepted ballot (u64, 0 = nothing accepted)
 *     bytes 8..11    value length (u32)
 *     bytes 12..15   checksum of bytes 0..11 and of the value
 *     bytes 16..     value (the tagged entry), padded to whole words
 *
 * A record spans several words; its checksum lets a reader tell a torn one
 * (never adopting a torn value). A zeroed record reads as nothing accepted.
 *
 * Each slot holds two copies of its record side by side, and its process
 * alternates between them (`SlotCopies`): a write never lands on the copy
 * holding that process's last whole record there. Why: a write is not
 * atomic, and a process that crashes in the middle of one leaves it torn for
 * good (an RDMA NIC stopping halfway; the simulator's `cutShortWrites`). With
 * one copy, that tear would destroy what the memory had accepted from the
 * process before — possibly its share of a decided value's majority — and a
 * reader could neither adopt it nor wait for it (nobody will finish the
 * write). With two, a write cut short tears only the other copy, and the
 * slot reads as the whole copy with the higher ballot. A process's verbs on
 * one memory execute in order and each lands completely before the next one
 * executes (one queue pair), so at most its last write there is in flight:
 * both copies are never torn at once. A copy torn because its write is still
 * landing reads as that write not having happened yet — the read is ordered
 * before it, as a read of an atomic register may be — so a reader no longer
 * waits for the write to finish.
 */
export const logSlotHeader = 16;
const layout: RecordLayout = { header: logSlotHeader, lengthAt: 8, checksumAt: 12, coveredFrom: 0 };

/** One copy of a slot's record. */
export function logRecordSize(capacity: number): number {
  return logSlotHeader + wholeWords(capacity);
}

/** A slot: two record copies. */
export function logSlotSize(capacity: number): number {
  return 2 * logRecordSize(capacity);
}

/** Which of a slot's two copies. */
export type SlotCopy = 0 | 1;

/**
 * The copy a process writes next in each of its slots: the one not holding
 * its last write there (whole, since that write landed before this one
 * executes). A process's slots are written by that process alone, so what it
 * issued is all there is to know.
 */
export class SlotCopies {
  private readonly last = new Map<number, SlotCopy>();

  constructor(private readonly entries: number) {}

  /** The copy to write `index` at `memory` with now; the next call for the same slot returns the other. */
  next(memory: MemoryId, index: number): SlotCopy {
    const key = memory * this.entries + index;
    const copy: SlotCopy = this.last.get(key) === 0 ? 1 : 0;
    this.last.set(key, copy);
    return copy;
  }
}

/** Where the memory logs keep their slots. */
export interface MemoryLogLayout {
  readonly region: string;
  readonly memories: readonly MemoryId[];
  /** Largest tagged entry, in bytes. */
  readonly slotCapacity: number;
  readonly entries: number;
}

export function logGrid(layout: Pick<MemoryLogLayout, 'slotCapacity' | 'entries'>, processCount: number): InstanceGrid {
  return { header: proposalRowSize(processCount), slotSize: logSlotSize(layout.slotCapacity), processCount, entries: layout.entries };
}

export function memoryLogRegionSize(layout: Pick<MemoryLogLayout, 'slotCapacity' | 'entries'>, processCount: number): number {
  return gridSize(logGrid(layout, processCount));
}

export interface LogSlot {
  readonly accepted: bigint;
  /** Empty when nothing was accepted. */
  readonly value: Uint8Array;
}

/** One copy's record (a write carries one copy). */
export function encodeLogSlot(slot: LogSlot, capacity: number): Uint8Array {
  const bytes = new Uint8Array(logRecordSize(capacity));
  setWord(bytes, 0, slot.accepted);
  return sealRecord(bytes, layout, slot.value);
}

/** One copy's record at `offset`. */
export function decodeLogRecord(bytes: Uint8Array, offset: number, capacity: number, verify = true): LogSlot | 'torn' {
  const record = bytes.subarray(offset, offset + logRecordSize(capacity));
  const opened = openRecord(record, layout, verify, capacity);
  if (opened === 'torn') return 'torn';
  if (opened.blank) return { accepted: 0n, value: new Uint8Array(0) };
  return { accepted: getWord(record, 0), value: record.slice(logSlotHeader, logSlotHeader + opened.length) };
}

/**
 * What a slot at `offset` holds: of its two copies, the whole one with the
 * higher ballot; a torn copy is a write cut short or still landing, which
 * the other copy predates. 'torn' only if both are (which one writer whose
 * writes land in order cannot cause; kept so that a reader never invents a
 * value). `verify = false` (the `no-checksum` mutants) takes torn copies at
 * face value.
 */
export function decodeLogSlot(bytes: Uint8Array, offset: number, capacity: number, verify = true): LogSlot | 'torn' {
  const first = decodeLogRecord(bytes, offset, capacity, verify);
  const second = decodeLogRecord(bytes, offset + logRecordSize(capacity), capacity, verify);
  return newerCopy(first, second, (candidate, than) => candidate.accepted > than.accepted);
}

/** What one memory showed: every process's proposal word and the slots of rows `from`.. (rows[k] is row from+k). */
export interface MemoryView {
  readonly proposals: readonly bigint[];
  readonly from: number;
  readonly rows: readonly (readonly LogSlot[])[];
}

/** A proposal word of `ballot`, for phase 1. */
export function encodeProposal(ballot: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  setWord(bytes, 0, ballot);
  return bytes;
}

export function proposalAddress(layout: MemoryLogLayout, memory: MemoryId, process: number) {
  return { memory, region: layout.region, offset: process * 8 };
}

/** Where copy `copy` of `process`'s slot for instance `index` is on `memory`. */
export function slotAddress(layout: MemoryLogLayout, memory: MemoryId, processCount: number, index: number, process: number, copy: SlotCopy) {
  return { memory, region: layout.region, offset: slotOffset(logGrid(layout, processCount), index, process) + copy * logRecordSize(layout.slotCapacity) };
}

/**
 * Reads rows `from` up to `to` (exclusive) and the proposal row of one
 * memory: two verbs issued together, in that order; re-read while a slot
 * has both copies torn (never, with writers that land in order).
 * `verify = false` is the `no-checksum` mutants.
 */
export async function readMemoryView(fabric: Fabric, memory: MemoryId, layout: MemoryLogLayout, from: number, to: number, verify = true): Promise<MemoryView> {
  const grid = logGrid(layout, fabric.processCount);
  const rowBytes = grid.processCount * grid.slotSize;
  for (;;) {
    // The rows first, the proposal row right behind them on the same queue pair: a slot write that
    // overlaps the rows' read is by a process granted later (PMP), whose proposal word was in place
    // before that write began — so the proposal row's read shows its higher ballot, and a torn slot
    // is never acted on even without its checksum (protectedPaxosLog.ts).
    const rowsRead = to > from ? fabric.read({ memory, region: layout.region, offset: rowOffset(grid, from) }, (to - from) * rowBytes) : Promise.resolve(new Uint8Array(0));
    const proposalsRead = fabric.read({ memory, region: layout.region, offset: 0 }, grid.header);
    const [proposalBytes, rowsBytes] = await Promise.all([proposalsRead, rowsRead]);
    const proposals = Array.from({ length: fabric.processCount }, (_, process) => getWord(proposalBytes, process * 8));
    const rows: LogSlot[][] = [];
    let torn = false;
    for (let row = 0; row < to - from && !torn; row++) {
      const slots: LogSlot[] = [];
      for (let process = 0; process < grid.processCount; process++) {
        const slot = decodeLogSlot(rowsBytes, row * rowBytes + process * grid.slotSize, layout.slotCapacity, verify);
        if (slot === 'torn') {
          torn = true;
          break;
        }
        slots.push(slot);
      }
      rows.push(slots);
    }
    if (!torn) return { proposals, from, rows };
  }
}

export function memoryLogRegion(layout: MemoryLogLayout, processCount: number, policy: 'open' | 'exclusive-writer'): RegionSpec {
  const size = memoryLogRegionSize(layout, processCount);
  if (policy === 'open') return { name: layout.region, size, policy, memories: [...layout.memories] };
  return { name: layout.region, size, policy, owner: 0, memories: [...layout.memories] };
}

/**
 * Checks a memory log's configuration against the fabric before anything is
 * written: every memory exists (distinct, m0..m(k-1)), and the region is
 * there, on those memories, large enough for the entries asked for.
 */
export function validateMemoryLog(fabric: Pick<Fabric, 'memoryCount' | 'regions' | 'processCount'>, layout: MemoryLogLayout): void {
  if (layout.memories.length === 0) throw new InvalidLogConfig(`a memory log needs at least one memory (accepted: distinct memories m0..m${fabric.memoryCount - 1})`);
  const seen = new Set<MemoryId>();
  for (const memory of layout.memories) {
    if (!Number.isInteger(memory) || memory < 0 || memory >= fabric.memoryCount || seen.has(memory)) throw new UnknownMemory(memory, fabric.memoryCount);
    seen.add(memory);
  }
  const region = fabric.regions.find((spec) => spec.name === layout.region);
  const needed = memoryLogRegionSize(layout, fabric.processCount);
  if (!region) throw new InvalidLogConfig(`no region '${layout.region}' on this fabric (accepted: ${fabric.regions.map((spec) => `'${spec.name}'`).join(', ') || 'none'}; create it with the log's region factory)`);
  if (region.size < needed) throw new InvalidLogConfig(`region '${layout.region}' has ${region.size} bytes; ${layout.entries} entries of ${layout.slotCapacity} bytes for ${fabric.processCount} processes need ${needed}`);
  for (const memory of layout.memories) {
    if (region.memories && !region.memories.includes(memory)) throw new UnknownMemory(memory, fabric.memoryCount);
  }
}
