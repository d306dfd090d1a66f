import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldReader, FieldWriter, MalformedField } from './fieldCodec.js';

describe('bft: field encodings (§2.3)', () => {
  it('round-trips u64 (little-endian), views that may be −1, bytes and lists', () => {
    const bytes = new FieldWriter()
      .u64(2 ** 53 - 1)
      .viewOrNone(-1)
      .bytes(Uint8Array.of(1, 2, 3))
      .list([4, 5], (writer, item) => writer.u16(item))
      .raw(new Uint8Array(32).fill(9), 32)
      .finish();
    const reader = new FieldReader(bytes);
    assert.equal(reader.u64('a'), 2 ** 53 - 1);
    assert.equal(reader.viewOrNone('v'), -1);
    assert.deepEqual(reader.bytes('op', 128), Uint8Array.of(1, 2, 3));
    assert.deepEqual(reader.list('l', 10, (r) => r.u16('x')), [4, 5]);
    assert.deepEqual(reader.raw('h', 32), new Uint8Array(32).fill(9));
    reader.end('test');
    assert.deepEqual([...new FieldWriter().u64(1).finish()], [1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('refuses a u64 ≥ 2^53, short input, oversized fields and trailing bytes with MalformedField', () => {
    const big = new Uint8Array(8);
    new DataView(big.buffer).setBigUint64(0, 2n ** 53n, true);
    assert.throws(() => new FieldReader(big).u64('view'), (error: unknown) => error instanceof MalformedField && /view 9007199254740992 ≥ 2\^53/.test(error.message));
    assert.throws(() => new FieldReader(Uint8Array.of(1, 2)).u32('count'), /count cut short/);
    assert.throws(() => new FieldReader(new FieldWriter().bytes(new Uint8Array(129)).finish()).bytes('op', 128), /op has 129 bytes \(at most 128\)/);
    assert.throws(() => new FieldReader(new FieldWriter().u32(1000).finish()).list('batch', 16, (r) => r.u8('x')), /batch has 1000 items/);
    const reader = new FieldReader(Uint8Array.of(1, 2));
    reader.u8('a');
    assert.throws(() => reader.end('seal'), /1 trailing bytes after seal/);
  });

  it('refuses to write what it could not read back', () => {
    assert.throws(() => new FieldWriter().u64(2 ** 53), RangeError);
    assert.throws(() => new FieldWriter().raw(new Uint8Array(31), 32), RangeError);
  });
});
