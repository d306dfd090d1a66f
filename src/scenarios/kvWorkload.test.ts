import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../sim/prng.js';
import { kvMixes, nextKvCall, valueBytes, valueFor, zipfianCumulative, zipfianRank } from './kvWorkload.js';

describe('the kv-log workload', () => {
  it('draws key ranks by a Zipfian law: rank 0 hottest, each rank about (r+1)^-0.99 of the total', () => {
    const cumulative = zipfianCumulative(10);
    assert.ok(Math.abs(cumulative[9] - 1) < 1e-12);
    const random = new Prng(1, 'zipf');
    const counts = new Array<number>(10).fill(0);
    for (let draw = 0; draw < 100_000; draw++) counts[zipfianRank(cumulative, random.float())]++;
    const total = cumulative.reduce((sum, _, rank) => sum + 1 / (rank + 1) ** 0.99, 0);
    for (let rank = 0; rank < 10; rank++) {
      const expected = (100_000 / (rank + 1) ** 0.99) * (1 / total);
      assert.ok(Math.abs(counts[rank] - expected) < 0.05 * expected + 50, `rank ${rank}: ${counts[rank]} vs ${expected.toFixed(0)}`);
    }
    assert.equal(zipfianRank(cumulative, 0), 0);
    assert.equal(zipfianRank(cumulative, 0.999_999_999), 9);
  });

  it('keeps the mix: about half reads in YCSB-A, 95% in YCSB-B; values are 64 bytes', () => {
    const cumulative = zipfianCumulative(10);
    for (const [name, fraction] of [['ycsb-a', 0.5], ['ycsb-b', 0.95]] as const) {
      const random = new Prng(2, name);
      let reads = 0;
      for (let call = 0; call < 20_000; call++) {
        const drawn = nextKvCall(random, kvMixes[name], cumulative, 1, call);
        if (drawn.operation === 'get') reads++;
        if (drawn.operation === 'put' || drawn.operation === 'append') assert.equal(new TextEncoder().encode(drawn.value).length, valueBytes);
      }
      assert.ok(Math.abs(reads / 20_000 - fraction) < 0.02, `${name}: ${reads / 20_000}`);
    }
    assert.notEqual(valueFor(1, 2), valueFor(2, 1));
  });
});
