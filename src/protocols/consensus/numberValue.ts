import type { OperationValue } from '../../fabric/index.js';

/** The scenarios' values: unsigned 64-bit numbers in 8 little-endian bytes. */
export function fromNumber(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
  return bytes;
}

/** The number an 8-byte value holds; -1 for a value of any other length. */
export function toNumber(value: Uint8Array): number {
  if (value.length !== 8) return -1;
  return Number(new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0, true));
}

/** How notes show a value by default: an 8-byte value as its u64 number, any other as hex. */
export function describeValue(value: Uint8Array): OperationValue {
  // The u64 as a number, from its two halves: high · 2^32 is exact and the sum rounds once, like Number(bigint).
  if (value.length === 8) return value[0] + value[1] * 0x100 + value[2] * 0x10000 + value[3] * 0x1000000 + (value[4] + value[5] * 0x100 + value[6] * 0x10000 + value[7] * 0x1000000) * 0x100000000;
  return Array.from(value, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
