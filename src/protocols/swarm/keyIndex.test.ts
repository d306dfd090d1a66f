import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { getWord } from '../../fabric/index.js';
import { bucketOffset, bucketSize, bucketsFor, buildIndex, decodeSlot, encodeKeyField, encodeSlot, keyBytesOf, keyMatches, keyPlace, lookupCandidates, type BuiltIndex } from './keyIndex.js';
import { xxh64 } from './xxh64.js';

/** The two buckets' bytes as a client's READs return them: h1's, then h2's. */
function bucketsOf(index: BuiltIndex, key: string): Uint8Array {
  const { first, second } = keyPlace(key, index.buckets);
  const bytes = new Uint8Array(2 * bucketSize);
  bytes.set(index.indexBytes.subarray(bucketOffset(first), bucketOffset(first) + bucketSize), 0);
  bytes.set(index.indexBytes.subarray(bucketOffset(second), bucketOffset(second) + bucketSize), bucketSize);
  return bytes;
}

/** Keys whose fingerprints collide (found by search over `prefix`0, 1, …: 16-bit fingerprints collide within a few hundred keys). */
function collidingPair(prefix: string): [string, string] {
  const seen = new Map<number, string>();
  for (let index = 0; ; index++) {
    const key = `${prefix}${index}`;
    const fingerprint = keyPlace(key, 1).fingerprint;
    const earlier = seen.get(fingerprint);
    if (earlier !== undefined) return [earlier, key];
    seen.set(fingerprint, key);
  }
}

describe('SWARM-KV key index (swarm.md §6)', () => {
  it('follows the spec: fp = xxh64(key, 1) >> 48, h1 = xxh64(key, 1) mod B, h2 = xxh64(key, 2) mod B; a slot is fp:16 | j:48', () => {
    for (const key of ['', 'a', 'user1234', 'ключ']) {
      const bytes = keyBytesOf(key);
      const h = xxh64(bytes, 1n);
      const place = keyPlace(key, 1000);
      assert.equal(place.fingerprint, Number(h >> 48n) || 1);
      assert.equal(place.first, Number(h % 1000n));
      assert.equal(place.second, Number(xxh64(bytes, 2n) % 1000n));
    }
    assert.equal(encodeSlot(0xabcd, 5), 0xabcd_0000_0000_0005n);
    assert.deepEqual(decodeSlot(0xabcd_0000_0000_0005n), { fingerprint: 0xabcd, record: 5 });
    assert.equal(decodeSlot(0n), null);
    assert.throws(() => encodeSlot(0, 1), /fingerprint 0/, 'fp 0 would read as an empty slot');
    assert.throws(() => encodeSlot(1, 2 ** 48), /record/);
  });

  it('round-trips 10,000 keys: every key\'s buckets name its record, and its KEY verifies exactly that candidate', () => {
    const keys = Array.from({ length: 10_000 }, (_, index) => `user${index * 7919}`);
    const index = buildIndex(keys, undefined, 24);
    assert.equal(index.buckets, bucketsFor(10_000));
    assert.equal(index.buckets, 2500, 'load factor 0.5: 10,000 keys in 20,000 slots');
    assert.ok(index.keyFields);
    let candidatesSeen = 0;
    keys.forEach((key, record) => {
      assert.equal(index.records.get(key), record);
      const candidates = lookupCandidates(bucketsOf(index, key), key);
      candidatesSeen += candidates.length;
      assert.ok(candidates.includes(record), key);
      const verified = candidates.filter((candidate) => keyMatches(index.keyFields?.[candidate] as Uint8Array, key));
      assert.deepEqual(verified, [record], key);
    });
    // Each slot is used once.
    let used = 0;
    for (let offset = 0; offset < index.indexBytes.length; offset += 8) if (getWord(index.indexBytes, offset) !== 0n) used++;
    assert.equal(used, 10_000);
    assert.ok(candidatesSeen >= 10_000);
    // A key not loaded finds no verified candidate.
    for (const stranger of ['user1', 'nobody', '']) {
      const candidates = lookupCandidates(bucketsOf(index, stranger), stranger);
      assert.deepEqual(candidates.filter((candidate) => keyMatches(index.keyFields?.[candidate] as Uint8Array, stranger)), []);
    }
  });

  it('fingerprint collisions give several candidates; KEY picks the right one', () => {
    const [a, b] = collidingPair('k');
    assert.equal(keyPlace(a, 1).fingerprint, keyPlace(b, 1).fingerprint);
    // One bucket: both keys and some others in it.
    const index = buildIndex(['x', a, 'y', b], 1, 16);
    const fields = index.keyFields as readonly Uint8Array[];
    for (const [key, record] of [[a, 1], [b, 3]] as const) {
      const candidates = lookupCandidates(bucketsOf(index, key), key);
      assert.deepEqual(candidates, [1, 3], 'h1 = h2 = 0: the bucket read twice, candidates listed once');
      assert.deepEqual(candidates.filter((candidate) => keyMatches(fields[candidate], key)), [record]);
    }
  });

  it('puts a key in the emptier of its buckets (h1 on a tie), and fails the load when both are full', () => {
    const buckets = 2;
    const keys: string[] = [];
    // Keys whose two buckets are 0 and 1: they alternate, h1 first on each tie.
    for (let index = 0; keys.length < 16; index++) {
      const place = keyPlace(`e${index}`, buckets);
      if (place.first !== place.second) keys.push(`e${index}`);
    }
    const built = buildIndex(keys, buckets);
    const bucketOf = (record: number) => {
      for (let offset = 0; offset < built.indexBytes.length; offset += 8) if (decodeSlot(getWord(built.indexBytes, offset))?.record === record) return offset / bucketSize | 0;
      return -1;
    };
    const held = [0, 0];
    let ties = 0;
    keys.forEach((key, record) => {
      const place = keyPlace(key, buckets);
      // The emptier bucket; on a tie, h1 (whichever of 0 and 1 that is for this key).
      const tie = held[0] === held[1];
      if (tie) ties++;
      const expected = tie ? place.first : held[0] < held[1] ? 0 : 1;
      assert.equal(bucketOf(record), expected, `${key} (record ${record})`);
      held[expected]++;
    });
    assert.deepEqual(held, [8, 8]);
    assert.equal(ties, 8, 'every other key found a tie');
    // One more key that maps to these buckets: both full.
    assert.throws(() => buildIndex([...keys, 'one-more'], buckets), /load failed: both buckets of key "one-more" \(record 16: buckets [01] and [01] of 2\) are full/);
    assert.throws(() => buildIndex(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], 1), /load failed: both buckets of key "i"/);
  });

  it('KEY fields: len u32, pad, key bytes, zero past len; keyMax a multiple of 8; keys longer than keyMax refused', () => {
    const field = encodeKeyField('héllo', 8);
    assert.deepEqual([...field], [6, 0, 0, 0, 0, 0, 0, 0, 0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f, 0, 0]);
    assert.throws(() => encodeKeyField('123456789', 8), /key "123456789" is 9 bytes \(accepted: at most keyMax = 8\)/);
    assert.throws(() => encodeKeyField('ééééé', 8), /is 10 bytes/, 'bytes, not characters');
    assert.throws(() => encodeKeyField('a', 12), /keyMax 12 \(accepted: a multiple of 8\)/);
    assert.throws(() => buildIndex(['short', 'far too long a key'], 4, 8), /far too long a key/);
    assert.equal(encodeKeyField('', 0).length, 8);
  });

  it('keyMatches: equal len and bytes only; an empty, torn or short KEY never matches', () => {
    const field = encodeKeyField('abc', 8);
    assert.ok(keyMatches(field, 'abc'));
    assert.ok(!keyMatches(field, 'ab'), 'a prefix');
    assert.ok(!keyMatches(field, 'abcd'));
    assert.ok(!keyMatches(new Uint8Array(16), 'abc'), 'never loaded');
    assert.ok(keyMatches(new Uint8Array(16), ''), 'len 0 is the empty key');
    const torn = field.slice();
    torn[9] = 0x78;
    assert.ok(!keyMatches(torn, 'abc'));
    assert.ok(!keyMatches(field.subarray(0, 10), 'abc'), 'a KEY read shorter than its len');
    assert.ok(!keyMatches(new Uint8Array(4), ''));
  });

  it('lays the index out deterministically, and refuses a key listed twice', () => {
    const keys = Array.from({ length: 500 }, (_, index) => `key:${index}`);
    const hash = (index: BuiltIndex) => createHash('sha256').update(index.indexBytes).digest('hex');
    assert.equal(hash(buildIndex(keys)), hash(buildIndex([...keys])));
    assert.notEqual(hash(buildIndex(keys)), hash(buildIndex([...keys].reverse())), 'records are positions in the list');
    assert.equal(buildIndex(keys).buckets, 125);
    assert.equal(bucketsFor(0), 1);
    assert.equal(bucketsFor(100, 0.25), 50);
    assert.throws(() => bucketsFor(10, 0), /load factor/);
    assert.throws(() => buildIndex(['a', 'b', 'a']), /key "a" is listed twice \(records 0 and 2\)/);
    assert.throws(() => buildIndex(['a'], 0), /0 buckets/);
    assert.throws(() => lookupCandidates(new Uint8Array(64), 'a'), /two buckets/);
  });
});
