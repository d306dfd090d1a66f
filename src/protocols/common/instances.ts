import { wholeWords } from '../../fabric/index.js';

/**
 * What a log needs to run one consensus instance per index.
 *
 * In memory: a region holds a header (e.g. one proposal word per process,
 * shared by every instance: one phase 1 covers every index from the first
 * undecided one on) followed by one row per index, each row one slot per
 * process. A row is contiguous, so reading every slot of one index is one
 * verb, and reading every index from some point on is one verb too.
 *
 * In messages: every message carries the index of the instance it belongs to
 * (`IndexedMessage`), next to its ballot.
 */
export interface InstanceGrid {
  /** Bytes before row 0 (a multiple of 8). */
  readonly header: number;
  /** Bytes of one process's slot (a multiple of 8). */
  readonly slotSize: number;
  readonly processCount: number;
  /** Number of rows (instances, log indices). */
  readonly entries: number;
}

export function gridSize(grid: InstanceGrid): number {
  return grid.header + grid.entries * grid.processCount * grid.slotSize;
}

/** Where row `index` starts. */
export function rowOffset(grid: InstanceGrid, index: number): number {
  return grid.header + index * grid.processCount * grid.slotSize;
}

/** Where process `process`'s slot of row `index` starts. */
export function slotOffset(grid: InstanceGrid, index: number, process: number): number {
  return rowOffset(grid, index) + process * grid.slotSize;
}

/** A header of one word per process (the proposal row), in bytes. */
export function proposalRowSize(processCount: number): number {
  return wholeWords(processCount * 8);
}

/**
 * A message of one instance, as bytes:
 *
 *   kind u8 | ballot u64 | other u64 | index u32 | value length u32 | value
 *
 * `kinds` names the kinds a protocol uses (the byte is a position in it).
 */
export interface IndexedMessage<K extends string> {
  readonly kind: K;
  readonly ballot: bigint;
  readonly other: bigint;
  readonly index: number;
  /** Empty when the message carries no value. */
  readonly value: Uint8Array;
}

const headerSize = 1 + 8 + 8 + 4 + 4;
/** Kinds start at a tag byte far from 0, so stray bytes of another protocol on the same fabric (small tags, zeroes) are not taken for a log message. */
const kindBase = 0x40;

export interface IndexedMessageCodec<K extends string> {
  encode(message: IndexedMessage<K>): Uint8Array;
  /** The message, or undefined for bytes that are not one (never trusted blindly). */
  decode(bytes: Uint8Array): IndexedMessage<K> | undefined;
}

export function indexedMessages<K extends string>(kinds: readonly K[]): IndexedMessageCodec<K> {
  return {
    encode(message) {
      const bytes = new Uint8Array(headerSize + message.value.length);
      const view = new DataView(bytes.buffer);
      view.setUint8(0, kindBase + kinds.indexOf(message.kind));
      view.setBigUint64(1, message.ballot, true);
      view.setBigUint64(9, message.other, true);
      view.setUint32(17, message.index, true);
      view.setUint32(21, message.value.length, true);
      bytes.set(message.value, headerSize);
      return bytes;
    },
    decode(bytes) {
      if (bytes.length < headerSize) return undefined;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const kind = kinds[view.getUint8(0) - kindBase];
      const length = view.getUint32(21, true);
      if (kind === undefined || bytes.length !== headerSize + length) return undefined;
      return { kind, ballot: view.getBigUint64(1, true), other: view.getBigUint64(9, true), index: view.getUint32(17, true), value: bytes.slice(headerSize) };
    },
  };
}
