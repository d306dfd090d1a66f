import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { afterCas, bufferMax, enoughHolders, holders } from './maxCore.js';

describe('max register decisions (swarm.md §2)', () => {
  it('a CAS that returns the expected value put v there: done', () => {
    assert.deepEqual(afterCas({ mine: 3n, known: 3n }, 7n, 3n), { mine: 7n, known: 7n, done: true });
  });

  it('a failed CAS teaches the buffer; the loop retries only while that value is below v', () => {
    assert.deepEqual(afterCas({ mine: 3n, known: 3n }, 7n, 5n), { mine: 5n, known: 5n, done: false });
    assert.deepEqual(afterCas({ mine: 3n, known: 3n }, 7n, 9n), { mine: 9n, known: 9n, done: true });
    assert.deepEqual(afterCas({ mine: 3n, known: 3n }, 7n, 7n), { mine: 7n, known: 7n, done: true });
  });

  it('the cache never forgets a larger known value', () => {
    assert.deepEqual(afterCas({ mine: 0n, known: 12n }, 7n, 0n), { mine: 7n, known: 12n, done: true });
  });

  it('the mutants: stopping at the first failure leaves v nowhere; retrying while unequal would replace a larger value', () => {
    assert.equal(afterCas({ mine: 3n, known: 3n }, 7n, 5n, 'cas-stops-on-failure').done, true);
    assert.equal(afterCas({ mine: 3n, known: 3n }, 7n, 9n, 'cas-retry-while-unequal').done, false);
    assert.equal(afterCas({ mine: 3n, known: 3n }, 7n, 9n).done, true);
  });

  it('a READ of the buffers returns their largest (unsigned 64-bit words)', () => {
    const bytes = new Uint8Array(24);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, 4n, true);
    view.setBigUint64(8, (1n << 63n) + 1n, true);
    view.setBigUint64(16, 9n, true);
    assert.equal(bufferMax(bytes), (1n << 63n) + 1n);
    assert.equal(bufferMax(new Uint8Array(16)), 0n);
  });

  it('f+1 holders end an operation; the write-back-to-f mutant stops a read one short, never a write', () => {
    assert.equal(holders([5n, 3n, 7n], 5n), 2);
    assert.equal(enoughHolders(1, false), 2);
    assert.equal(enoughHolders(2, true), 3);
    assert.equal(enoughHolders(2, true, 'write-back-to-f'), 2);
    assert.equal(enoughHolders(2, false, 'write-back-to-f'), 3);
  });
});
