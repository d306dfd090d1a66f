import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setWord } from '../../fabric/index.js';
import { encodeEntry } from './entry.js';
import { swarmLayout } from './layout.js';
import type { Scan } from './memorySet.js';
import { checkOwnedCas, decodeScan, fetchTargetKey, fetchTargets, maxByKey, nextSlot, publishPlan } from './swarmMemoriesDecide.js';
import { packWord, verifiedWord, withSlot, wordKey } from './word.js';

const x = packWord({ timestamp: 5n, writer: 1, verified: false, slot: 3 });
const y = packWord({ timestamp: 6n, writer: 0, slot: 1 });

describe('SWARM memory layer decisions (swarm.md §3)', () => {
  it('publish skips what the buffer or the memory already holds, promotes the same id, else writes a new entry', () => {
    assert.equal(publishPlan(0n, 0n, x), 'new');
    assert.equal(publishPlan(x, 0n, x), 'skip', 'the same word again');
    assert.equal(publishPlan(withSlot(x, 0), 0n, x), 'skip', 'slot is not part of the key');
    assert.equal(publishPlan(x, 0n, verifiedWord(x)), 'promote');
    assert.equal(publishPlan(verifiedWord(x), 0n, x), 'skip', 'never back to GUESSED');
    assert.equal(publishPlan(x, wordKey(y), verifiedWord(x)), 'skip', 'the memory is known to hold more');
    assert.equal(publishPlan(0n, wordKey(y), y), 'skip', 'known equal');
    assert.equal(publishPlan(x, 0n, y), 'new');
    assert.equal(publishPlan(y, 0n, x), 'skip', 'a smaller word would lower the buffer');
    assert.throws(() => publishPlan(0n, 0n, 0n), /⊥/);
  });

  it('takes entries round-robin', () => {
    assert.deepEqual([nextSlot(3, 4), nextSlot(0, 4), nextSlot(1, 2)], [0, 1, 0]);
  });

  it('takes the max by key, the first of copies', () => {
    assert.equal(maxByKey([]), 0n);
    assert.equal(maxByKey([0n, x, withSlot(x, 7), 0n]), x);
    assert.equal(maxByKey([x, verifiedWord(x), y]), y);
    assert.equal(maxByKey([verifiedWord(x), x]), verifiedWord(x));
  });

  it('decodes a scan: buffers, max and IP (in place), none out of place', () => {
    const layout = swarmLayout({ region: 'r', memories: [0], f: 0, clients: 3, records: 1, entries: 2, valueMax: 8, keyMax: 0, inPlace: true });
    const bytes = new Uint8Array(layout.scanLength);
    setWord(bytes, 0, x);
    setWord(bytes, 16, y);
    bytes.set(encodeEntry(y, 0, new Uint8Array([9]), 8), layout.headerSize);
    const scan = decodeScan(bytes, layout, 2);
    assert.deepEqual(scan.buffers, [x, 0n, y]);
    assert.equal(scan.max, y);
    assert.equal(scan.memory, 2);
    assert.equal(scan.inPlace?.word, y);
    assert.equal(scan.inPlace?.length, 1);
    const outOfPlace = swarmLayout({ ...layout.config, inPlace: false });
    assert.equal(decodeScan(bytes.subarray(0, outOfPlace.scanLength), outOfPlace, 0).inPlace, null);
  });

  it('fetches, per memory showing the id, the entry one of its buffers names, never the same (id, memory, entry) twice', () => {
    const copy = withSlot(verifiedWord(x), 0);
    const scans: Scan[] = [
      { memory: 0, buffers: [0n, x, 0n], max: x, inPlace: null },
      { memory: 1, buffers: [0n, 0n, 0n], max: 0n, inPlace: null },
      { memory: 2, buffers: [copy, x, y], max: y, inPlace: null },
    ];
    const first = fetchTargets(0, x, scans, new Set());
    assert.deepEqual(first, [
      { memory: 0, holder: 1, slot: 3 },
      { memory: 2, holder: 0, slot: 0 },
    ]);
    const sent = new Set(first.map((target) => fetchTargetKey(0, x, target)));
    assert.deepEqual(fetchTargets(0, x, scans, sent), [{ memory: 2, holder: 1, slot: 3 }], 'the other holder at memory 2');
    sent.add(fetchTargetKey(0, x, { memory: 2, holder: 1, slot: 3 }));
    assert.deepEqual(fetchTargets(0, verifiedWord(x), scans, sent), [], 'V does not make another fetch: the id is the same');
    assert.equal(fetchTargets(1, x, scans, sent).length, 2, 'another record is another fetch');
  });

  it('an owned CAS that finds anything but the last word is the invariant broken', () => {
    assert.doesNotThrow(() => checkOwnedCas(x, x, 'here'));
    assert.throws(() => checkOwnedCas(x, y, 'record 0'), /owned CAS failed at record 0/);
  });
});
