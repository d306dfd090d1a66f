import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StallDetector } from './stallDetector.js';

describe('StallDetector', () => {
  it('sees no stall while the tick comes on time (or up to one period late)', () => {
    let now = 0;
    const stalls = new StallDetector(() => now, 4);
    for (now = 4; now <= 40; now += 4) stalls.ticked();
    now = 47.9; // the tick due at 44 is late, but by less than a period
    assert.equal(stalls.stalledSince(0), false);
  });

  it('sees a stall when the tick is overdue by more than a period, before the tick itself runs', () => {
    let now = 0;
    const stalls = new StallDetector(() => now, 4);
    now = 4;
    stalls.ticked();
    now = 120; // paused from ~8 to 120: a message is handled before the held tick
    assert.equal(stalls.stalledSince(5), true, 'a phase begun at 5 spans the stall');
    stalls.ticked();
    now = 124;
    stalls.ticked();
    assert.equal(stalls.stalledSince(121), false, 'a phase begun after the stall is the network’s');
    assert.equal(stalls.stalledSince(100), true);
  });
});
