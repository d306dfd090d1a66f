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
