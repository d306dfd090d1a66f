import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { atLeast, atMost, latencyFigures, percentile, timesFloor } from './latencyFigures.js';

describe('bench latency figures', () => {
  it('percentile takes the nearest rank and never runs past the last sample', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentile(sorted, 0.5), 6);
    assert.equal(percentile(sorted, 0.99), 10);
    assert.equal(percentile(sorted, 1), 10);
    assert.equal(percentile([42], 0.5), 42);
    assert.throws(() => percentile([], 0.5), RangeError);
  });

  it('figures sort the samples and count the rate over the given seconds', () => {
    const figures = latencyFigures([30, 10, 20, 40], 2);
    assert.deepEqual({ ...figures, percentiles: undefined }, { p50: 30, p99: 40, perSecond: 2, percentiles: undefined });
    // The CDF's summary: 101 values from the minimum to the maximum, nearest rank (25 % of 4 samples is the first).
    assert.equal(figures.percentiles?.length, 101);
    assert.deepEqual([0, 25, 26, 50, 75, 100].map((percent) => figures.percentiles?.[percent]), [10, 10, 20, 20, 30, 40]);
  });

  it('a cost as a multiple of the floor, to two decimals', () => {
    assert.equal(timesFloor(20, 10), 2);
    assert.equal(timesFloor(10, 3), 3.33);
  });

  it('verdicts say met or NOT met with the number and the limit', () => {
    assert.deepEqual([atMost('p50', 2.5, 3).met, atMost('p50', 3.5, 3).met, atMost('p50', 3, 3).met], [true, false, true]);
    assert.match(atMost('shm p50', 3.5, 3).line, /^shm p50: 3\.5 x floor \(target <= 3 x floor\) NOT met$/);
    assert.deepEqual([atLeast('rate', 31, 30).met, atLeast('rate', 29.9, 30).met], [true, false]);
    assert.match(atLeast('rate', 31, 30).line, /^rate: 31% \(target >= 30%\) met$/);
  });
});
