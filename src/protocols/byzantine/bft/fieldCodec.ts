/**
 * The field encodings of specs/bft-consensus.md §2.3, shared by every
 * message codec: u64 little-endian (JavaScript integers up to 2^53−1;
 * larger values are ill-formed), u32-length-prefixed bytes and lists, raw
 * fixed-size hashes and signatures. Decoding never throws anything but
 * `MalformedField`, so a Byzantine sender's bytes end in one clear refusal.
 */
export class MalformedField extends Error {
  constructor(detail: string) {
    super(`malformed message: ${detail}`);
    this.name = 'MalformedField';
  }
}

export const hashBytes = 32;
export const signatureBytes = 64;

export class FieldWriter {
  private chunks: Uint8Array[] = [];
  private length = 0;

  u8(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`byte ${value} out of range`);
    return this.push(Uint8Array.of(value));
  }

  u16(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`u16 ${value} out of range`);
    const out = new Uint8Array(2);
    new DataView(out.buffer).setUint16(0, value, true);
    return this.push(out);
  }

  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`u32 ${value} out of range`);
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value, true);
    return this.push(out);
  }

  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`u64 ${value} out of range (0..2^53-1)`);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(value), true);
    return this.push(out);
  }

  /** A view that may be −1, as a+1. */
  viewOrNone(value: number): this {
    return this.u64(value + 1);
  }

  /** Exactly `size` raw bytes (a hash or a signature). */
  raw(value: Uint8Array, size: number): this {
    if (value.length !== size) throw new RangeError(`field of ${value.length} bytes where ${size} are expected`);
    return this.push(value);
  }

  /** u32 length, then the bytes. */
  bytes(value: Uint8Array): this {
    return this.u32(value.length).push(value);
  }

  /** u32 count, then each item. */
  list<T>(items: readonly T[], write: (writer: this, item: T) => void): this {
    this.u32(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private push(chunk: Uint8Array): this {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this;
  }
}

export class FieldReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  u8(name: string): number {
    this.need(name, 1);
    return this.data[this.offset++];
  }

  u16(name: string): number {
    this.need(name, 2);
    const value = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return value;
  }

  u32(name: string): number {
    this.need(name, 4);
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  u64(name: string): number {
    this.need(name, 8);
    const value = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedField(`${name} ${value} ≥ 2^53`);
    return Number(value);
  }

  viewOrNone(name: string): number {
    return this.u64(name) - 1;
  }

  raw(name: string, size: number): Uint8Array {
    this.need(name, size);
    const value = this.data.slice(this.offset, this.offset + size);
    this.offset += size;
    return value;
  }

  /** u32-length-prefixed bytes, at most `limit` of them. */
  bytes(name: string, limit: number): Uint8Array {
    const length = this.u32(`${name} length`);
    if (length > limit) throw new MalformedField(`${name} has ${length} bytes (at most ${limit})`);
    return this.raw(name, length);
  }

  /** A u32-counted list of at most `limit` items. */
  list<T>(name: string, limit: number, read: (reader: this) => T): T[] {
    const count = this.u32(`${name} count`);
    if (count > limit) throw new MalformedField(`${name} has ${count} items (at most ${limit})`);
    const items: T[] = [];
    for (let index = 0; index < count; index++) items.push(read(this));
    return items;
  }

  /** Refuses trailing bytes: one message, one encoding. */
  end(what: string): void {
    if (this.offset !== this.data.length) throw new MalformedField(`${this.data.length - this.offset} trailing bytes after ${what}`);
  }

  private need(name: string, size: number): void {
    if (this.offset + size > this.data.length) throw new MalformedField(`${name} cut short at byte ${this.offset} of ${this.data.length}`);
  }
}
