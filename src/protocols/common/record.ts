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
 * bytes the checksum covers) and over the checksum function, so each spec's
 * byte layout stays exact: the register slot covers its whole header, the
 * consensus slot leaves its proposal word out (phase 1 rewrites it alone).
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
  /** The checksum function (default: CRC-32 of the header part, mixed with CRC-32 of the value). */
  readonly checksum?: RecordChecksum;
}

export type RecordChecksum = (record: Uint8Array, layout: RecordLayout, length: number) => number;

/** CRC-32 of the covered header bytes, mixed with the CRC-32 of the value (the slots' historical checksum). */
export const headerAndValueCrc: RecordChecksum = (record, layout, length) => {
  const header = crc32(record, layout.coveredFrom, layout.checksumAt);
  const body = crc32(record, layout.header, layout.header + length);
  return (header ^ Math.imul(body, 0x9e3779b1)) >>> 0;
};

/**
 * Writes `value` and its length into `record` (whose other header fields the
 * caller has set), then seals it with the checksum. Throws a RangeError when
 * the value does not fit: nothing is written then.
 */
export function sealRecord(record: Uint8Array, layout: RecordLayout, value: Uint8Array): Uint8Array {
  if (layout.header + value.length > record.length) throw new RangeError(`value of ${value.length} bytes exceeds the record's room of ${record.length - layout.header}`);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  view.setUint32(layout.lengthAt, value.length, true);
  record.set(value, layout.header);
  view.setUint32(layout.checksumAt, (layout.checksum ?? headerAndValueCrc)(record, layout, value.length), true);
  return record;
}

/** What a read record is: never written (covered header and checksum all zero), torn, or a value of `length` bytes. */
export type OpenedRecord = { readonly blank: true } | { readonly blank: false; readonly length: number } | 'torn';

/**
 * Checks a record read from memory. `verify = false` is the `no-checksum`
 * mutants: a torn record is taken at face value (an impossible length then
 * reads as the whole room). A length above `capacity` (default: the room) is torn.
 */
export function openRecord(record: Uint8Array, layout: RecordLayout, verify = true, capacity = record.length - layout.header): OpenedRecord {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const length = view.getUint32(layout.lengthAt, true);
  const stored = view.getUint32(layout.checksumAt, true);
  if (stored === 0 && isZero(record, layout.coveredFrom, layout.checksumAt)) return { blank: true };
  if (length > capacity) return verify ? 'torn' : { blank: false, length: record.length - layout.header };
  if (verify && stored !== (layout.checksum ?? headerAndValueCrc)(record, layout, length)) return 'torn';
  return { blank: false, length };
}

function isZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let index = start; index < end; index++) if (bytes[index] !== 0) return false;
  return true;
}
