import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brokenInequalities, fetchTimeoutUs, initialTimeouts, requestTimerKey, restartsTreqOnEntering, treqStillDue, viewTimerTarget, ViewTimeouts, type TimerInputs } from './viewTimers.js';

// D′ = 50 unit latencies, as `mnm table broadcast` reports today (§5); the numbers are inputs, not measurements.
const inputs: TimerInputs = { slowDeliveryUs: 50, unitUs: 1, slowUs: 20, forwardUs: 10, f: 2 };

describe('bft timers: initial values (§2.5.4)', () => {
  it('keeps every inequality: Tdecide ≥ Tslow + D′ + 4, Treq ≥ Tfwd + Tdecide + 4, Tview ≥ 2D′ + 4, Tfetch = Tdecide/(f+1)', () => {
    const t = initialTimeouts(inputs);
    assert.deepEqual(brokenInequalities(t, inputs), []);
    assert.equal(t.decideUs, 74);
    assert.equal(t.requestUs, 88);
    assert.equal(t.viewUs, 104);
    assert.equal(t.fetchUs, 24, 'f+1 = 3 FETCHes fit in one Tdecide');
    const scaled = initialTimeouts({ ...inputs, unitUs: 3 });
    assert.deepEqual(brokenInequalities(scaled, { ...inputs, unitUs: 3 }), [], 'the +4 counts unit latencies');
  });

  it('names each broken inequality, and refuses non-positive inputs', () => {
    const t = initialTimeouts(inputs);
    assert.deepEqual(brokenInequalities({ ...t, decideUs: 73, fetchUs: fetchTimeoutUs(73, 2) }, inputs), ['Tdecide ≥ Tslow + D′ + 4']);
    assert.deepEqual(brokenInequalities({ ...t, viewUs: 103, requestUs: 87, fetchUs: 25 }, inputs), ['Treq ≥ Tfwd + Tdecide + 4', 'Tview ≥ 2D′ + 4', 'Tfetch = Tdecide/(f+1)']);
    assert.throws(() => initialTimeouts({ ...inputs, slowDeliveryUs: 0 }), /slowDeliveryUs/);
  });
});

describe('bft timers: doubling (§2.5.4)', () => {
  it('the first expiry of Treq, Tdecide or Tview in a view number doubles all three; a second in that view does not', () => {
    const timeouts = new ViewTimeouts(initialTimeouts(inputs), inputs.f);
    const before = timeouts.current;
    assert.equal(timeouts.expired('decide', 0), true);
    assert.deepEqual([timeouts.current.decideUs, timeouts.current.requestUs, timeouts.current.viewUs], [148, 176, 208]);
    assert.equal(timeouts.current.fetchUs, fetchTimeoutUs(148, inputs.f));
    assert.equal(timeouts.current.slowUs, before.slowUs, 'Tslow does not double');
    assert.equal(timeouts.current.forwardUs, before.forwardUs, 'Tfwd does not double');
    assert.equal(timeouts.expired('view', 0), false, 'once per view number');
    assert.equal(timeouts.expired('slow', 1), false, 'Tslow expiring changes nothing');
    assert.equal(timeouts.expired('fetch', 1), false);
    assert.equal(timeouts.expired('request', 1), true);
    assert.equal(timeouts.current.decideUs, 296);
    assert.deepEqual(brokenInequalities(timeouts.current, inputs), [], 'doubling keeps the inequalities');
  });

  it('never shrinks: nothing resets them, not even entering a view or a stale expiry', () => {
    const timeouts = new ViewTimeouts(initialTimeouts(inputs), inputs.f);
    let previous = timeouts.current.decideUs;
    for (const view of [0, 0, 2, 1, 5, 3, 9]) {
      timeouts.expired('decide', view);
      assert.ok(timeouts.current.decideUs >= previous);
      previous = timeouts.current.decideUs;
    }
    assert.equal(timeouts.current.decideUs, 74 * 2 ** 4, 'views 0, 2, 5, 9 doubled; the repeats and stale 1, 3 did not');
  });

  it('mutant fixed-timers (§6): n = 5, b1 withholds PROMISE so every decision is slow; with fixed timers a Tdecide ends each view', () => {
    // A slow decision takes Tslow + 2D′ + 1 unit latencies (§5); Tdecide runs from promising.
    const slowDecisionUs = inputs.slowUs + 2 * inputs.slowDeliveryUs + 1 * inputs.unitUs;
    const viewsUntilDecision = (timeouts: ViewTimeouts, limit: number): number | null => {
      for (let view = 0; view < limit; view++) {
        if (timeouts.current.decideUs >= slowDecisionUs) return view;
        // Tdecide expires first: r suspects, b1's and b2's SEALs with r's make f+1 = 3, the view ends.
        timeouts.expired('decide', view);
      }
      return null;
    };
    assert.equal(viewsUntilDecision(new ViewTimeouts(initialTimeouts(inputs), inputs.f), 40), 1, 'one doubling outgrows the slow path');
    const fixed = initialTimeouts(inputs, 'fixed-timers');
    assert.equal(fixed.decideUs, inputs.slowUs + 1);
    assert.equal(viewsUntilDecision(new ViewTimeouts(fixed, inputs.f, 'fixed-timers'), 40), null, 'no decision in 40 views');
    assert.equal(viewsUntilDecision(new ViewTimeouts(fixed, inputs.f), 40), 3, 'the same short start with doubling recovers');
  });
});

describe('bft timers: Tview(u+1) (§2.5.4)', () => {
  it('runs for u+1 while r and f others have latest SEALs ≥ u', () => {
    assert.equal(viewTimerTarget([2, 5, -1], 0, 1), 3);
    assert.equal(viewTimerTarget([2, -1, 1], 0, 1), 2);
    assert.equal(viewTimerTarget([-1, 5, 4], 0, 1), null, 'r has not sealed: its own SEAL counts');
    assert.equal(viewTimerTarget([3, 3, -1, -1, 9], 0, 2), 4, 'n = 5: r and two others ≥ 3');
    assert.equal(viewTimerTarget([3, -1, -1, -1, 9], 0, 2), null);
  });

  it('request timers (§2.4.8): per client, restarted on entering a view, due while the REQ is c\'s pending one; mutants old-treq and fifo-treq', () => {
    const request = { client: 7, sequence: 3 };
    assert.equal(requestTimerKey(request), '7');
    assert.equal(requestTimerKey(request, 'fifo-treq'), '7/3', 'one Treq per (c, s)');
    assert.equal(restartsTreqOnEntering(), true);
    assert.equal(restartsTreqOnEntering('old-treq'), false);
    // Superseded by (7, 4), not executed: only the mutant still suspects on its Treq.
    assert.equal(treqStillDue(request, false, false), false);
    assert.equal(treqStillDue(request, false, false, 'fifo-treq'), true);
    assert.equal(treqStillDue(request, true, false), true);
    assert.equal(treqStillDue(request, false, true, 'fifo-treq'), false);
  });
});
