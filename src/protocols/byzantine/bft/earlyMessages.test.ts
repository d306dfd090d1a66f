import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EarlyMessageBuffer, type EarlyMessage } from './earlyMessages.js';
import type { VcShareMessage } from './messages.js';
import { testPrng } from './_testPrng.js';

const n = 3;
const window = 8;
const hashOf = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
const signature = new Uint8Array(64);
const promise = (view: number, instance: number, fill = 1): EarlyMessage => ({ type: 'promise', view, instance, hash: hashOf(fill) });
const share = (view: number, instance: number): EarlyMessage => ({ type: 'share', view, instance, hash: hashOf(1), signature });
const ckpt = (next: number, fill = 1): EarlyMessage => ({ type: 'ckpt-share', next, digest: hashOf(fill), signature });
const vcShare = (process: number, sealedBefore: number, sealed: number): VcShareMessage => ({
  type: 'vc-share',
  process,
  sealedBefore,
  sealed,
  state: { checkpointNext: 0, checkpointDigest: hashOf(0), commits: [] },
  checkpoint: null,
  signature,
});

const prng = testPrng;

describe('bft early messages (§2.8)', () => {
  it('PROMISE, COMMIT-FAST, SHARE: first copy per (type, sender, v, i), x ≤ v ≤ x+n, N ≤ i < N+2W', () => {
    const buffer = new EarlyMessageBuffer({ self: 0, n, window }, { view: 2, next: 8 });
    assert.equal(buffer.offer(1, promise(2, 8)), 'buffered');
    assert.equal(buffer.offer(1, promise(2, 8, 9)), 'duplicate', 'first copy kept, even if the second differs');
    assert.equal(buffer.offer(2, promise(2, 8)), 'buffered', 'another sender, another key');
    assert.equal(buffer.offer(1, share(2, 8)), 'buffered', 'another type, another key');
    assert.equal(buffer.offer(1, promise(5, 23)), 'buffered', 'v = x+n, i = N+2W−1');
    assert.equal(buffer.offer(1, promise(1, 8)), 'out-of-range', 'v < x');
    assert.equal(buffer.offer(1, promise(6, 8)), 'out-of-range', 'v > x+n');
    assert.equal(buffer.offer(1, promise(2, 7)), 'out-of-range', 'i < N');
    assert.equal(buffer.offer(1, promise(2, 24)), 'out-of-range', 'i ≥ N+2W');
    assert.equal(buffer.offer(3, promise(2, 9)), 'out-of-range', 'not a replica');
    assert.deepEqual(buffer.releaseInstance(2, 8).map((entry) => [entry.sender, entry.message.type]), [[1, 'promise'], [2, 'promise'], [1, 'share']]);
    assert.deepEqual(buffer.releaseInstance(2, 8), [], 'released once');
    assert.equal(buffer.size, 1);
  });

  it('CKPT-SHARE: first copy per (sender, next), N < next ≤ N+2W', () => {
    const buffer = new EarlyMessageBuffer({ self: 0, n, window }, { view: 0, next: 4 });
    assert.equal(buffer.offer(1, ckpt(4)), 'out-of-range', 'next = N: a CP is held there');
    assert.equal(buffer.offer(1, ckpt(20)), 'buffered');
    assert.equal(buffer.offer(1, ckpt(24)), 'out-of-range');
    assert.equal(buffer.offer(1, ckpt(10)), 'out-of-range', 'not a checkpoint point');
    assert.equal(buffer.offer(1, ckpt(20, 5)), 'duplicate');
    assert.equal(buffer.releaseCheckpoint(20).length, 1);
  });

  it('VC-SHARE: per (sender, p, a, u) serving a view w that r leads, x < w ≤ x+n+1', () => {
    const buffer = new EarlyMessageBuffer({ self: 1, n, window }, { view: 0, next: 0 });
    assert.equal(buffer.offer(0, vcShare(2, -1, 0)), 'buffered', 'serves w = 1, led by p1');
    assert.equal(buffer.offer(0, vcShare(2, 0, 1)), 'out-of-range', 'serves only w = 2 (p2)');
    assert.equal(buffer.offer(0, vcShare(2, 1, 3)), 'buffered', 'serves w = 4 (p1) within x+n+1 = 4');
    assert.equal(buffer.offer(0, vcShare(2, 4, 9)), 'out-of-range', 'serves w ≥ 6 only: past x+n+1');
    assert.equal(buffer.offer(0, vcShare(2, -1, 0)), 'duplicate');
    assert.equal(buffer.offer(0, vcShare(2, -1, 3)), 'duplicate', 'a third share for p2 from p0: a correct sender never needs it');
    assert.equal(buffer.offer(2, vcShare(2, -1, 3)), 'buffered', 'another sender has its own room');
    assert.deepEqual(buffer.releaseViewChange(4).map((entry) => [entry.sender, (entry.message as VcShareMessage).sealed]), [[0, 3], [2, 3]]);
  });

  it('advancing x or N drops what is now late and frees room', () => {
    const buffer = new EarlyMessageBuffer({ self: 0, n, window }, { view: 0, next: 0 });
    buffer.offer(1, promise(0, 3));
    buffer.offer(1, promise(2, 10));
    buffer.offer(1, ckpt(4));
    buffer.offer(1, ckpt(8));
    assert.equal(buffer.advance({ view: 1, next: 4 }), 2, 'view 0 and CKPT-SHARE 4 are past');
    assert.equal(buffer.size, 2);
    assert.throws(() => buffer.advance({ view: 0, next: 4 }), RangeError);
  });

  it('a flood cannot grow it past its bound (n = 3 and n = 5, 20,000 messages each, every sender Byzantine)', () => {
    for (const size of [3, 5]) {
      const random = prng(size);
      const pick = (limit: number) => Math.floor(random() * limit);
      const buffer = new EarlyMessageBuffer({ self: 0, n: size, window }, { view: 10, next: 40 });
      let buffered = 0;
      for (let k = 0; k < 20_000; k++) {
        const sender = pick(size);
        const kind = pick(5);
        // Mostly in range (what stresses the bound), sometimes far off.
        const view = 10 + pick(size + 3) - 1;
        const instance = 40 + pick(2 * window + 4) - 2;
        const message: EarlyMessage =
          kind === 0 ? promise(view, instance, pick(256))
          : kind === 1 ? { type: 'commit-fast', view, instance, hash: hashOf(pick(256)) }
          : kind === 2 ? share(view, instance)
          : kind === 3 ? ckpt(40 + 4 * pick(6), pick(256))
          : vcShare(pick(size), 8 + pick(6), 10 + pick(1000));
        if (buffer.offer(sender, message) === 'buffered') buffered++;
        assert.ok(buffer.size <= buffer.bound, `size ${buffer.size} > bound ${buffer.bound}`);
      }
      assert.ok(buffered > 100, 'the flood did fill it');
      assert.ok(buffer.size < 20_000 / 4, `kept ${buffer.size} of 20,000`);
    }
  });
});
