import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IntervalIndex } from './intervalIndex.js';

describe('interval index', () => {
  it('finds exactly the spans meeting a window, each once (against a scan)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const starts: number[] = [];
    const ends: number[] = [];
    for (let item = 0; item < 2000; item++) {
      const start = random() * 1000;
      starts.push(start);
      ends.push(start + (random() < 0.05 ? random() * 1000 : random() * 5));
    }
    const endT = Math.max(...ends);
    const index = new IntervalIndex(0, endT, starts, ends);
    for (let query = 0; query < 200; query++) {
      const from = random() * 1100 - 50;
      const to = from + random() * 100;
      const found: number[] = [];
      index.query(from, to, (item) => found.push(item));
      const expected = starts.map((_, item) => item).filter((item) => starts[item] <= to && ends[item] >= from);
      assert.deepEqual(found.sort((x, y) => x - y), expected);
    }
  });
  it('handles a single instant and an empty index', () => {
    const single = new IntervalIndex(5, 5, [5], [5]);
    const found: number[] = [];
    single.query(0, 10, (item) => found.push(item));
    assert.deepEqual(found, [0]);
    new IntervalIndex(0, 0, [], []).query(0, 1, () => assert.fail('nothing to find'));
  });
});
