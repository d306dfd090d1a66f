import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TimestampClock, TimestampsExhausted } from './timestampClock.js';
import { timestampMax } from './word.js';

/** A local clock the test moves by hand: `time` in time units, skewed and drifting like the simulator's. */
function fakeClock(skew = 0, drift = 0): { readonly read: () => number; advance(duration: number): void } {
  let time = 0;
  return {
    read: () => time * (1 + drift) + skew,
    advance(duration: number) {
      time += duration;
    },
  };
}

describe('Safe-Guess timestamps (swarm.md §3)', () => {
  it('counts ticks of the configured length since the epoch', () => {
    const local = fakeClock();
    const clock = new TimestampClock(local.read, { tick: 2, epoch: 10 });
    local.advance(10);
    assert.equal(clock.clock(), 0n);
    local.advance(7);
    assert.equal(clock.clock(), 3n, 'floor((17 - 10) / 2)');
  });

  it('guesses the clock when it is ahead of last and within Δ of maxSeen', () => {
    const local = fakeClock();
    const clock = new TimestampClock(local.read, { tick: 1 });
    local.advance(100);
    clock.see(95n);
    assert.deepEqual(clock.guess(), { timestamp: 100n, stale: false });
    assert.equal(clock.last, 100n);
    assert.equal(clock.maxSeen, 100n);
  });

  it('guesses last + 1 when the clock has not moved on: ids rise with the operations', () => {
    const local = fakeClock();
    const clock = new TimestampClock(local.read, { tick: 1 });
    local.advance(5);
    assert.equal(clock.guess().timestamp, 5n);
    assert.equal(clock.guess().timestamp, 6n);
    assert.equal(clock.fresh(), 7n, 'fresh = maxSeen + 1, and it counts as issued');
    assert.equal(clock.guess().timestamp, 8n, 'last counts the fresh ts too');
  });

  it('caps a guess at maxSeen + Δ: a client that saw no recent ts guesses stale even with a synced clock', () => {
    const local = fakeClock();
    const clock = new TimestampClock(local.read, { tick: 1, delta: 16n });
    local.advance(1000);
    const guess = clock.guess();
    assert.deepEqual(guess, { timestamp: 16n, stale: true }, 'idle since the start: 0 + Δ, far below the clock');
    clock.see(990n);
    // Reading 990 < clock() = 1000 moves no offset; the next guess follows the clock again.
    assert.deepEqual(clock.guess(), { timestamp: 1000n, stale: false });
  });

  it('caps a clock far ahead: the largest ts grows at most Δ per write', () => {
    const local = fakeClock(1e9);
    const clock = new TimestampClock(local.read, { tick: 1, delta: 1024n });
    let previous = 0n;
    for (let write = 0; write < 5; write++) {
      const { timestamp, stale } = clock.guess();
      assert.equal(timestamp, previous + 1024n);
      assert.equal(stale, true);
      previous = timestamp;
    }
  });

  it('catches up: reading a ts t ≥ clock() moves the clock to t + 1 (the fastest clock sets the pace)', () => {
    const slow = fakeClock(-500);
    const clock = new TimestampClock(slow.read, { tick: 1 });
    slow.advance(1000);
    assert.equal(clock.clock(), 500n);
    clock.see(700n);
    assert.equal(clock.clock(), 701n);
    assert.equal(clock.guess().timestamp, 701n, 'not stale: within Δ of the 700 it saw');
    slow.advance(10);
    assert.equal(clock.clock(), 711n, 'the offset stays; the local clock keeps running');
    clock.see(5n);
    assert.equal(clock.clock(), 711n, 'an old ts moves nothing');
    clock.see(711n);
    assert.equal(clock.clock(), 712n, 't = clock() also catches up (the next guess is above it)');
  });

  it('works with drift: two clients drifting apart both stay above their own last and within Δ of what they saw', () => {
    const fast = fakeClock(0, 0.01);
    const slow = fakeClock(0, -0.01);
    const a = new TimestampClock(fast.read, { tick: 1, delta: 64n });
    const b = new TimestampClock(slow.read, { tick: 1, delta: 64n });
    let largest = 0n;
    for (let round = 0; round < 200; round++) {
      fast.advance(50);
      slow.advance(50);
      for (const clock of [a, b]) {
        const before = clock.last;
        clock.see(largest);
        const { timestamp } = clock.guess();
        assert.ok(timestamp > before, 'above last');
        assert.ok(timestamp <= largest + 64n, 'within Δ of the largest seen');
        if (timestamp > largest) largest = timestamp;
      }
    }
    // b caught up with a: its clock reads at least what the fast one issued before.
    assert.ok(b.clock() >= a.last - 64n, `${b.clock()} vs ${a.last}`);
  });

  it('fails with ts-exhausted before issuing a ts past 40 bits, and issues nothing then', () => {
    const local = fakeClock();
    const clock = new TimestampClock(local.read, { tick: 1 });
    clock.see(timestampMax);
    assert.throws(() => clock.guess(), TimestampsExhausted);
    assert.throws(() => clock.fresh(), /ts-exhausted/);
    assert.equal(clock.last, 0n, 'nothing issued');
    clock.see(timestampMax - 1n);
    assert.equal(new TimestampClock(local.read, { tick: 1 }).guess().timestamp, 1n);
  });

  it('ts-wraps (mutant): with Δ = 2^38 and a clock far ahead, the fourth guess wraps to a tiny ts', () => {
    const local = fakeClock(1e15);
    const clock = new TimestampClock(local.read, { tick: 1, delta: 1n << 38n, wraps: true });
    const guesses = [1, 2, 3, 4].map(() => clock.guess().timestamp);
    assert.deepEqual(guesses.slice(0, 3), [1n << 38n, 2n << 38n, 3n << 38n]);
    assert.equal(guesses[3], 1n, '2^40 masked to 0, which is ⊥, so 1');
    const correct = new TimestampClock(local.read, { tick: 1, delta: 1n << 38n });
    for (let write = 0; write < 3; write++) correct.guess();
    assert.throws(() => correct.guess(), TimestampsExhausted);
  });

  it('refuses a bad configuration', () => {
    assert.throws(() => new TimestampClock(() => 0, { tick: 0 }), /tick/);
    assert.throws(() => new TimestampClock(() => 0, { tick: 1, delta: 0n }), /delta/);
  });
});
