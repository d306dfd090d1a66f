/**
 * Byte layout helpers for protocols that lay out records in regions.
 * Words are 8 bytes, little-endian, unsigned.
 */

export const wordSize = 8;

const mask64 = (1n << 64n) - 1n;

/** Reduces any bigint to an unsigned 64-bit word. */
export function toWord(value: bigint): bigint {
  return value & mask64;
}

export function getWord(bytes: Uint8Array, offset: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset, true);
}

export function setWord(bytes: Uint8Array, offset: number, value: bigint): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setBigUint64(offset, toWord(value), true);
}

export function wordBytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(wordSize);
  setWord(bytes, 0, value);
  return bytes;
}

/** Rounds a length up to whole words. */
export function wholeWords(length: number): number {
  return Math.ceil(length / wordSize) * wordSize;
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 (IEEE) of a byte range. Records longer than a word carry one so that
 * a reader detects a read torn by a concurrent write and retries instead of
 * acting on it (DESIGN.md, "Bytes, not objects").
 */
export function checksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
