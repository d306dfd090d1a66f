import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEntry, delivers, encodeEntry, noOp, packDecided, tagKey, unpackDecided } from './logEntry.js';

describe('tagged log entries', () => {
  it('round-trip with their tag, and a no-op is origin -1', () => {
    const bytes = encodeEntry({ origin: 2, sequence: 7, value: new Uint8Array([1, 2]) });
    assert.deepEqual(decodeEntry(bytes), { origin: 2, sequence: 7, value: new Uint8Array([1, 2]) });
    // One key per tag, whatever the value: the same append's key; a different origin or sequence, another.
    assert.equal(tagKey(bytes), tagKey(encodeEntry({ origin: 2, sequence: 7, value: new Uint8Array([3]) })));
    assert.notEqual(tagKey(bytes), tagKey(encodeEntry({ origin: 7, sequence: 2, value: new Uint8Array([1, 2]) })));
    assert.notEqual(tagKey(bytes), tagKey(encodeEntry({ origin: 2, sequence: 8, value: new Uint8Array([1, 2]) })));
    assert.notEqual(tagKey(encodeEntry({ origin: 0, sequence: 2 ** 32 - 1, value: new Uint8Array(0) })), tagKey(encodeEntry({ origin: 1, sequence: 0, value: new Uint8Array(0) })));
    assert.notEqual(tagKey(noOp), tagKey(encodeEntry({ origin: 0, sequence: 0, value: new Uint8Array(0) })));
    assert.equal(decodeEntry(noOp)?.origin, -1);
    assert.equal(decodeEntry(new Uint8Array(5)), undefined);
  });

  it('deliver an append once, at its first decision, and never a no-op', () => {
    const delivered = new Set<number>();
    const first = encodeEntry({ origin: 0, sequence: 0, value: new Uint8Array([9]) });
    assert.deepEqual(delivers(delivered, first)?.value, new Uint8Array([9]));
    delivered.add(tagKey(first));
    // The same append decided again at a later instance (its fate at the first one was in doubt when it was retried).
    assert.equal(delivers(delivered, first.slice()), undefined);
    assert.equal(delivers(delivered, noOp), undefined);
    // Equal bytes from another append are another entry.
    assert.ok(delivers(delivered, encodeEntry({ origin: 1, sequence: 0, value: new Uint8Array([9]) })));
  });

  it('pack decided instances for a heartbeat and unpack them; refuse bytes that are not a list of them', () => {
    const instances = [
      { index: 3, entry: encodeEntry({ origin: 0, sequence: 1, value: new Uint8Array([5, 6, 7]) }) },
      { index: 4, entry: noOp },
      { index: 70_000, entry: encodeEntry({ origin: 2, sequence: 9, value: new Uint8Array(0) }) },
    ];
    const packed = packDecided(instances);
    assert.deepEqual(unpackDecided(packed), instances);
    assert.deepEqual(unpackDecided(packDecided([])), []);
    assert.equal(unpackDecided(packed.subarray(0, packed.length - 1)), undefined, 'a torn last entry');
    assert.equal(unpackDecided(packed.subarray(0, 5)), undefined, 'a torn header');
  });
});
