import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhaseTimer, nextTimeout, observedMargin, type TimeoutPolicy } from './phaseTimer.js';

const policy: TimeoutPolicy = { base: 30, cap: 30 * 2 ** 10, adaptive: true };

describe('adaptive phase timeouts', () => {
  it('start at the base and double after every expiry, up to the cap', () => {
    assert.equal(nextTimeout(policy, { slowest: 0, expiries: 0 }), 30);
    assert.equal(nextTimeout(policy, { slowest: 0, expiries: 1 }), 60);
    assert.equal(nextTimeout(policy, { slowest: 0, expiries: 3 }), 240);
    assert.equal(nextTimeout(policy, { slowest: 0, expiries: 10 }), policy.cap);
    assert.equal(nextTimeout(policy, { slowest: 0, expiries: 5000 }), policy.cap, 'no overflow past the cap');
  });

  it('are never shorter than a margin over the slowest phase observed', () => {
    assert.equal(nextTimeout(policy, { slowest: 5, expiries: 0 }), 30, 'fast phases keep the base');
    assert.equal(nextTimeout(policy, { slowest: 100, expiries: 0 }), observedMargin * 100);
    assert.equal(nextTimeout(policy, { slowest: 100, expiries: 2 }), observedMargin * 100 * 4);
  });

  it('stay fixed in the fixed-timers mutants', () => {
    const fixed = { ...policy, adaptive: false };
    assert.equal(nextTimeout(fixed, { slowest: 500, expiries: 7 }), 30);
  });

  it('eventually exceed any bounded phase duration (termination after the network settles)', () => {
    for (const phase of [31, 250, 4000, 29_000]) {
      const timer = new PhaseTimer(policy);
      let expiries = 0;
      while (timer.timeout < phase) {
        timer.expired();
        expiries++;
      }
      assert.ok(expiries <= Math.ceil(Math.log2(phase / policy.base)), `${phase}: ${expiries} expiries`);
      timer.completed(phase);
      assert.ok(timer.timeout >= phase);
    }
  });

  it('give one doubling back per completed phase, keeping the floor the completed phase set', () => {
    const timer = new PhaseTimer(policy);
    for (let i = 0; i < 6; i++) timer.expired();
    assert.equal(timer.timeout, 30 * 2 ** 6);
    timer.completed(50);
    assert.equal(timer.timeout, observedMargin * 50 * 2 ** 5);
    for (let i = 0; i < 10; i++) timer.completed(20);
    assert.equal(timer.timeout, observedMargin * 50, 'back to the floor: margin × the slowest phase seen, never below it');
    timer.expired();
    assert.equal(timer.timeout, observedMargin * 50 * 2, 'an expiry doubles it again');
  });

  it('reject a policy without a positive base at most the cap', () => {
    assert.throws(() => new PhaseTimer({ base: 0, cap: 10, adaptive: true }), /0 < base <= cap/);
    assert.throws(() => new PhaseTimer({ base: 20, cap: 10, adaptive: true }), /0 < base <= cap/);
  });
});
