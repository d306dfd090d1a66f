import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xxh64 } from './xxh64.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

describe('xxh64', () => {
  it('matches the published vectors', () => {
    assert.equal(xxh64(new Uint8Array(0)), 0xef46db3751d8e999n);
    assert.equal(xxh64(text('abc')), 0x44bc2cf5ad770999n);
    // 39 bytes: the 32-byte stripes, then 8-, 4- and 1-byte tails (python-xxhash's README example).
    assert.equal(xxh64(text('Nobody inspects the spammish repetition')), 0xfbcea83c8a378bf1n);
  });

  it("gives the spec's checksum example: id 40961 ‖ j 3 ‖ len 2 ‖ \"v1\"", () => {
    const bytes = new Uint8Array(8 + 8 + 4 + 2);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, 40961n, true);
    view.setBigUint64(8, 3n, true);
    view.setUint32(16, 2, true);
    bytes.set(text('v1'), 20);
    assert.equal(xxh64(bytes), 0x9fcd12c3584e5e10n);
  });
});
