import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isVerified, packWord, timestampMax, timestampOf, unpackWord, verifiedWord, withSlot, wordId, wordKey, writerOf } from './word.js';

describe('SWARM words (swarm.md §3)', () => {
  it('packs ts:40 | writer:12 | V:1 | slot:11 and reads the fields back', () => {
    const word = packWord({ timestamp: 10n, writer: 1 });
    assert.equal(word, (10n << 24n) | (1n << 12n) | (1n << 11n));
    assert.deepEqual(unpackWord(word), { timestamp: 10n, writer: 1, verified: true, slot: 0 });
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

describe('GUESSED and VERIFIED words, slots (swarm.md §3)', () => {
  it('orders a promotion above its guess, and slots out of the key', () => {
    const guessed = packWord({ timestamp: 7n, writer: 3, verified: false, slot: 5 });
    const promoted = verifiedWord(guessed);
    assert.equal(isVerified(guessed), false);
    assert.equal(isVerified(promoted), true);
    assert.ok(wordKey(promoted) > wordKey(guessed));
    assert.equal(wordId(promoted), wordId(guessed));
    assert.equal(wordKey(withSlot(promoted, 2047)), wordKey(promoted));
    assert.deepEqual(unpackWord(withSlot(guessed, 9)), { timestamp: 7n, writer: 3, verified: false, slot: 9 });
    assert.equal(writerOf(guessed), 3);
    assert.equal(timestampOf(guessed), 7n);
  });

  it('orders any later id above every V of an earlier one', () => {
    assert.ok(wordKey(packWord({ timestamp: 7n, writer: 4, verified: false })) > wordKey(packWord({ timestamp: 7n, writer: 3, verified: true })));
    assert.throws(() => packWord({ timestamp: 1n, writer: 0, slot: 2048 }), /slot/);
    assert.throws(() => withSlot(1n << 24n, -1), /slot/);
  });
});
