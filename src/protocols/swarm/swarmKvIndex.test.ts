import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getWord } from '../../fabric/index.js';
import { bucketBytes, bucketsOf, keyIndexImage, keyIndexRegion, keyPlacement, keyRecordBytes, lookupCandidates, lookupReads, slotsPerBucket } from './swarmKvIndex.js';
import { xxh64 } from './xxh64.js';

const config = (keys: number, buckets = bucketsOf(keys)) => ({ region: 'kv', buckets, records: keys, keyMax: 24 });
const names = (count: number) => Array.from({ length: count }, (_, rank) => `k${rank}`);

/** What one memory answers to a lookup: the buckets `lookupReads` names, cut from the image. */
function answer(image: Uint8Array, buckets: number, key: string): Uint8Array[] {
  return lookupReads({ buckets }, key).map((read) => image.slice(read.offset, read.offset + read.length));
}

describe('SWARM-KV key index (spec §6)', () => {
  it('derives fp and the two buckets from xxh64 with seeds 1 and 2; fp is never 0', () => {
    const key = 'user:42';
    const bytes = new TextEncoder().encode(key);
    const h = xxh64(bytes, 1n);
    const placement = keyPlacement(key, 13);
    assert.equal(placement.fingerprint, Number(h >> 48n) || 1);
    assert.deepEqual(placement.buckets, [Number(h % 13n), Number(xxh64(bytes, 2n) % 13n)]);
    for (const name of names(2000)) assert.notEqual(keyPlacement(name, 7).fingerprint, 0);
  });

  it('places every key of a loaded space in one of its buckets, found again by lookup as a candidate', () => {
    for (const count of [1, 16, 300]) {
      const layout = config(count);
      const keys = names(count);
      const image = keyIndexImage(layout, keys);
      assert.equal(image.length, layout.buckets * bucketBytes);
      assert.equal(keyIndexRegion(layout).size, image.length);
      keys.forEach((key, record) => assert.ok(lookupCandidates(layout, key, answer(image, layout.buckets, key)).includes(record), `${key} → ${record}`));
      let used = 0;
      for (let offset = 0; offset < image.length; offset += 8) if (getWord(image, offset) !== 0n) used++;
      assert.equal(used, count);
    }
  });

  it('takes the emptier bucket, and fails the load when both are full', () => {
    // One bucket: every key goes there, and the ninth finds both its buckets (the same one) full.
    assert.doesNotThrow(() => keyIndexImage(config(8, 1), names(8)));
    assert.throws(() => keyIndexImage(config(9, 1), names(9)), /load failed: both buckets of key "k8"/);
    // Key by key, the new slot lands in the bucket of its two that held fewer slots (h1 on a tie).
    const layout = config(24, 4);
    const keys = names(24);
    const loads = (image: Uint8Array) => [0, 1, 2, 3].map((bucket) => Array.from({ length: slotsPerBucket }, (_, slot) => getWord(image, bucket * bucketBytes + 8 * slot)).filter((word) => word !== 0n).length);
    let before = [0, 0, 0, 0];
    let tookSecond = 0;
    for (let count = 1; count <= keys.length; count++) {
      const after = loads(keyIndexImage(layout, keys.slice(0, count)));
      const [first, second] = keyPlacement(keys[count - 1], 4).buckets;
      const expected = before[second] < before[first] ? second : first;
      if (expected !== first) tookSecond++;
      assert.deepEqual(after, before.map((load, bucket) => load + (bucket === expected ? 1 : 0)), `key ${keys[count - 1]}`);
      before = after;
    }
    assert.ok(tookSecond > 0, 'some key went to its second bucket');
  });

  it('refuses repeated keys and keys longer than keyMax', () => {
    assert.throws(() => keyIndexImage(config(2), ['a', 'a']), /repeats a key/);
    assert.throws(() => keyRecordBytes({ keyMax: 8 }, 'nine bytes'), /exceeds keyMax 8/);
  });

  it('a key outside the space matches no slot unless its fp collides; KEY bytes tell the two apart', () => {
    const layout = config(16);
    const image = keyIndexImage(layout, names(16));
    let collisions = 0;
    for (const stranger of names(3000).map((name) => `x${name}`)) collisions += lookupCandidates(layout, stranger, answer(image, layout.buckets, stranger)).length;
    // 16-bit fingerprints: 3000 strangers × at most 16 occupied slots read / 65536 ≈ 0.7 expected.
    assert.ok(collisions <= 5, `${collisions} fp collisions`);
    const kept = keyRecordBytes(layout, 'k1');
    assert.equal(new DataView(kept.buffer).getUint32(0, true), 2);
    assert.deepEqual([...kept.subarray(8, 10)], [0x6b, 0x31]);
    assert.equal(kept.length, 32);
    assert.notDeepEqual(keyRecordBytes(layout, 'k1'), keyRecordBytes(layout, 'k10'));
  });
});
