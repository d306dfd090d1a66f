import { checksum as crc32 } from '../../fabric/index.js';

/**
 * A checksummed record: the shape every multi-word slot of mnm shares. A
 * record is a fixed header followed by a value padded to whole words; two
 * u32 header fields hold the value's length and a checksum over part of the
 * header and the value. A read that overlaps the owner's rewrite may see
 * some words new and some old; the checksum lets the reader tell ("torn")
 * and re-read, so a torn record is never acted on.
 *
 * Generic over the layout (where the length and checksum live, which header
 * bytes the checksum covers, how many bytes of unstored context it covers)
 * and over the checksum function, so each spec's byte layout stays exact:
 * the register and log slots cover their whole header, the consensus slot
 * leaves its proposal word out (phase 1 rewrites it alone), and a Byzantine
 * broadcast field covers its owner, sender, k and field id, which it does
 * not store: its place says them, and binding them means a field copied
 * from another slot, owner, broadcast or field never passes.
 */
export interface RecordLayout {
  /** Bytes before the value. */
  readonly header: number;
  /** Offset of the value's length (u32, little-endian). */
  readonly lengthAt: number;
  /** Offset of the checksum (u32, little-endian). */
  readonly checksumAt: number;
  /** The checksum covers header bytes [coveredFrom, checksumAt) and the value. */
  readonly coveredFrom: number;
  /**
   * Bytes of context the checksum also covers but the record does not store
   * (default 0): what the record's place implies, given to every seal and open.
   */
  readonly contextLength?: number;
  /** The checksum function (default: CRC-32 of the header part, mixed with CRC-32 of the value). */
  readonly checksum?: RecordChecksum;
}

/** A record's checksum, given the record, its value's length and its context (`contextLength` bytes). */
export type RecordChecksum = (record: Uint8Array, layout: RecordLayout, length: number, context: Uint8Array) => number;

const noContext = new Uint8Array(0);

/**
 * CRC-32 of the covered header bytes, mixed with the CRC-32 of the value (the
 * memory slots' historical checksum). It covers no context: a layout with
 * context needs a checksum that covers it, so one given context throws.
 */
export const headerAndValueCrc: RecordChecksum = (record, layout, length, context) => {
  if (context.length !== 0) throw new RangeError('headerAndValueCrc covers no context');
  const header = crc32(record, layout.coveredFrom, layout.checksumAt);
  const body = crc32(record, layout.header, layout.header + length);
  return (header ^ Math.imul(body, 0x9e3779b1)) >>> 0;
};

/** Scratch for `contextHeaderValueCrc` (one process runs at a time and the checksum is synchronous: no sharing hazard), grown on demand. */
let scratch = new Uint8Array(256);

/**
 * One CRC-32 over the context, the covered header bytes and the value, as
 * one byte string (the Byzantine broadcast fields' checksum: context = owner,
 * sender, k, field id; covered header = the length).
 */
export const contextHeaderValueCrc: RecordChecksum = (record, layout, length, context) => {
  const covered = layout.checksumAt - layout.coveredFrom;
  const total = context.length + covered + length;
  if (scratch.length < total) scratch = new Uint8Array(2 * total);
  scratch.set(context, 0);
  scratch.set(record.subarray(layout.coveredFrom, layout.checksumAt), context.length);
  scratch.set(record.subarray(layout.header, layout.header + length), context.length + covered);
  return crc32(scratch, 0, total);
};

function checkContext(layout: RecordLayout, context: Uint8Array): void {
  if (context.length !== (layout.contextLength ?? 0)) throw new RangeError(`the record's checksum covers ${layout.contextLength ?? 0} bytes of context, got ${context.length}`);
}

/**
 * Writes `value` and its length into `record` (whose other header fields the
 * caller has set), then seals it with the checksum over the layout's covered
 * bytes and `context`. Throws a RangeError when the value does not fit or the
 * context is not the layout's length: nothing is written then.
 */
export function sealRecord(record: Uint8Array, layout: RecordLayout, value: Uint8Array, context: Uint8Array = noContext): Uint8Array {
  checkContext(layout, context);
  if (layout.header + value.length > record.length) throw new RangeError(`value of ${value.length} bytes exceeds the record's room of ${record.length - layout.header}`);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  view.setUint32(layout.lengthAt, value.length, true);
  record.set(value, layout.header);
  view.setUint32(layout.checksumAt, (layout.checksum ?? headerAndValueCrc)(record, layout, value.length, context), true);
  return record;
}

/** What a read record is: never written (covered header and checksum all zero), torn, or a value of `length` bytes. */
export type OpenedRecord = { readonly blank: true } | { readonly blank: false; readonly length: number } | 'torn';

/**
 * Checks a record read from memory. `verify = false` is the `no-checksum`
 * mutants: a torn record is taken at face value (an impossible length then
 * reads as the whole room). A length above `capacity` (default: the room) is
 * torn. `context` is what the record's place implies (the layout's
 * `contextLength` bytes): a record sealed with other context is torn.
 */
export function openRecord(record: Uint8Array, layout: RecordLayout, verify = true, capacity = record.length - layout.header, context: Uint8Array = noContext): OpenedRecord {
  checkContext(layout, context);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const length = view.getUint32(layout.lengthAt, true);
  const stored = view.getUint32(layout.checksumAt, true);
  if (stored === 0 && isZero(record, layout.coveredFrom, layout.checksumAt)) return { blank: true };
  if (length > capacity) return verify ? 'torn' : { blank: false, length: record.length - layout.header };
  if (verify && stored !== (layout.checksum ?? headerAndValueCrc)(record, layout, length, context)) return 'torn';
  return { blank: false, length };
}

function isZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let index = start; index < end; index++) if (bytes[index] !== 0) return false;
  return true;
}

/**
 * What a record kept in two copies holds (the logs' slots, the register's
 * slot, SWARM's records): its writer alternates between the copies, and its
 * writes to one memory land in order, so a write cut short by a crash — or
 * still landing — spoils one copy while the other holds the writer's
 * previous record whole. So: the whole copy that `isNewer` prefers, the only
 * whole one, or 'torn' when both are torn (which one writer landing in order
 * cannot leave for good; read again).
 */
export function newerCopy<T>(first: T | 'torn', second: T | 'torn', isNewer: (candidate: T, than: T) => boolean): T | 'torn' {
  if (first === 'torn') return second;
  if (second === 'torn') return first;
  return isNewer(second, first) ? second : first;
}
