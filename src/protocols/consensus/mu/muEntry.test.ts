import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMuEntry, encodeMuEntry, muEntryHeader, muEntrySize } from './muEntry.js';

const payload = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2, 1]);
const capacity = 16;

describe('Mu log entries', () => {
  it('round-trip at their index, and a zeroed slot is empty', () => {
    const bytes = encodeMuEntry({ accepted: 7n, fuo: 3, payload }, 5, capacity);
    assert.equal(bytes.length, muEntrySize(capacity));
    assert.deepEqual(decodeMuEntry(bytes, 0, 5, capacity), { kind: 'entry', accepted: 7n, fuo: 3, payload });
    assert.deepEqual(decodeMuEntry(new Uint8Array(muEntrySize(capacity)), 0, 5, capacity), { kind: 'empty' });
  });

  it('reject a torn entry: any word from another write, in the header or the payload', () => {
    const old = encodeMuEntry({ accepted: 2n, fuo: 1, payload: new Uint8Array(9) }, 4, capacity);
    const fresh = encodeMuEntry({ accepted: 5n, fuo: 4, payload }, 4, capacity);
    for (let word = 0; word < fresh.length / 8; word++) {
      const torn = fresh.slice();
      torn.set(old.subarray(8 * word, 8 * word + 8), 8 * word);
      if (torn.every((byte, at) => byte === fresh[at])) continue;
      assert.deepEqual(decodeMuEntry(torn, 0, 4, capacity), { kind: 'torn' }, `word ${word} from the old write`);
    }
    // A half-written entry over an empty slot: the first words only.
    const half = new Uint8Array(fresh.length);
    half.set(fresh.subarray(0, muEntryHeader));
    assert.deepEqual(decodeMuEntry(half, 0, 4, capacity), { kind: 'torn' });
  });

  it('reject an entry of an earlier lap, or read at another index: the checksum covers the absolute index', () => {
    const slots = 8;
    const earlierLap = encodeMuEntry({ accepted: 3n, fuo: 2, payload }, 2, capacity);
    assert.deepEqual(decodeMuEntry(earlierLap, 0, 2 + slots, capacity), { kind: 'torn' });
    assert.deepEqual(decodeMuEntry(earlierLap, 0, 3, capacity), { kind: 'torn' });
    assert.equal(decodeMuEntry(earlierLap, 0, 2, capacity).kind, 'entry');
  });

  it('the no-checksum mutant takes a torn entry at face value', () => {
    const fresh = encodeMuEntry({ accepted: 5n, fuo: 4, payload }, 4, capacity);
    const torn = fresh.slice();
    torn[muEntryHeader] ^= 0xff;
    const opened = decodeMuEntry(torn, 0, 4, capacity, false);
    assert.equal(opened.kind, 'entry');
    assert.notDeepEqual(opened.kind === 'entry' ? opened.payload : undefined, payload);
  });

  it('refuses a payload larger than the capacity and an accepted proposal of 0', () => {
    assert.throws(() => encodeMuEntry({ accepted: 1n, fuo: 0, payload: new Uint8Array(17) }, 0, capacity), RangeError);
    assert.throws(() => encodeMuEntry({ accepted: 0n, fuo: 0, payload }, 0, capacity), /positive/);
  });
});
