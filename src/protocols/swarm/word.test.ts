import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { packWord, timestampMax, unpackWord, wordKey } from './word.js';

describe('SWARM words (swarm.md §3)', () => {
  it('packs ts:40 | writer:12 | V:1 | slot:11 and reads the fields back', () => {
    const word = packWord({ timestamp: 10n, writer: 1 });
    assert.equal(word, (10n << 24n) | (1n << 12n) | (1n << 11n));
    assert.deepEqual(unpackWord(word), { timestamp: 10n, writer: 1 });
    assert.equal(wordKey(word) >> 1n, 40961n, 'id(w) of ts 10, writer 1 (the spec checksum example)');
  });

  it('orders by timestamp, then writer', () => {
    assert.ok(wordKey(packWord({ timestamp: 2n, writer: 0 })) > wordKey(packWord({ timestamp: 1n, writer: 4095 })));
    assert.ok(wordKey(packWord({ timestamp: 2n, writer: 3 })) > wordKey(packWord({ timestamp: 2n, writer: 2 })));
  });

  it('refuses fields that would wrap instead of packing them', () => {
    assert.throws(() => packWord({ timestamp: timestampMax + 1n, writer: 0 }), /timestamp/);
    assert.throws(() => packWord({ timestamp: 0n, writer: 0 }), /timestamp/);
    assert.throws(() => packWord({ timestamp: 1n, writer: 4096 }), /writer/);
    assert.equal(unpackWord(packWord({ timestamp: timestampMax, writer: 4095 })).timestamp, timestampMax);
  });
});
