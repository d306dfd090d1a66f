import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { casOutcome, fenceWord, largestWord, lockOutcome, lockPlan, notifWatched, readAction, skipsLock, standsFast, stoodByLock, wordsAbove, type SeenWrite } from './safeGuessDecide.js';
import { packWord, verifiedWord, withSlot, wordId } from './word.js';

/** A GUESSED word of `writer` at `timestamp`. */
function guessed(timestamp: number, writer: number, slot = 0): bigint {
  return packWord({ timestamp: BigInt(timestamp), writer, verified: false, slot });
}

function verified(timestamp: number, writer: number): bigint {
  return packWord({ timestamp: BigInt(timestamp), writer, verified: true });
}

const bytes = (text: string) => new TextEncoder().encode(text);
const scans = (...maxima: bigint[]) => maxima.map((max) => ({ max }));

describe('Safe-Guess WRITE decisions (swarm.md §4)', () => {
  const x = guessed(10, 1);

  it('FAST iff no responder shows an id above id(x)', () => {
    assert.equal(standsFast(x, scans(x, x)), true);
    assert.equal(standsFast(x, scans(x, verifiedWord(x))), true, "x|V (x's own promotion, or a reader's) is the same id");
    assert.equal(standsFast(x, scans(x, withSlot(x, 7))), true, "a reader's copy of x (another slot) is the same id");
    assert.equal(standsFast(x, scans(x, guessed(9, 3))), true, 'a smaller word says nothing against x');
    assert.equal(standsFast(x, scans(x, guessed(10, 2))), false, 'same ts, larger writer: a larger id');
    assert.equal(standsFast(x, scans(x, guessed(11, 0))), false);
    assert.equal(standsFast(x, scans(verified(11, 0), x)), false, 'a VERIFIED word above x too');
  });

  it('m is the largest word seen, by key (V counts, slot does not)', () => {
    assert.equal(largestWord(scans(guessed(11, 0), verified(11, 0), guessed(10, 4))), verified(11, 0));
    assert.equal(largestWord(scans(0n, 0n)), 0n);
    assert.equal(largestWord(scans(guessed(12, 2, 5), guessed(12, 2, 9))), guessed(12, 2, 5), 'copies tie: the first');
  });

  it("a rescan's candidates are every distinct write above x, largest first", () => {
    const buffers = [
      [x, guessed(12, 2, 1), 0n],
      [guessed(12, 2, 4), verified(11, 0), guessed(9, 3)],
    ];
    assert.deepEqual(wordsAbove(x, buffers), [guessed(12, 2, 1), verified(11, 0)]);
    assert.deepEqual(wordsAbove(x, [[x, verifiedWord(x)]]), [], 'x|V is not above x');
  });

  it('the fence is a copy of another write above x, never x|V nor the own new word', () => {
    const m = guessed(12, 2);
    let issued = 0;
    const own = () => {
      issued++;
      return verified(13, 1);
    };
    assert.equal(fenceWord(x, m, own), m);
    assert.equal(issued, 0, 'the correct protocol issues no fresh ts for the fence');
    assert.throws(() => fenceWord(x, verifiedWord(x), own), /not above x/);
    assert.throws(() => fenceWord(x, guessed(9, 2), own), /not above x/);
    assert.equal(fenceWord(x, m, own, 'fence-with-own-word'), verified(13, 1), 'the mutant fences with its own word');
  });

  it("W2 watches notif[c] for id(x), and stands iff a responder shows it", () => {
    const m = guessed(12, 2);
    assert.deepEqual(notifWatched(x, m), { writer: 1, locked: wordId(x) });
    assert.deepEqual(notifWatched(x, m, 'notif-of-conflicting-word'), { writer: 2, locked: wordId(m) });
    assert.equal(stoodByLock([0n, wordId(x)], wordId(x)), true);
    assert.equal(stoodByLock([0n, wordId(guessed(9, 1))], wordId(x)), false, "an earlier write's lock");
    assert.equal(stoodByLock([wordId(guessed(11, 1))], wordId(x)), false, "a later write's notification is not x's");
  });

  it('W2 is never skipped; the stale-guess-without-lock mutant skips it when x is the max nowhere', () => {
    const m = guessed(12, 2);
    assert.equal(skipsLock(x, scans(m, m)), false);
    assert.equal(skipsLock(x, scans(m, m), 'stale-guess-without-lock'), true);
    assert.equal(skipsLock(x, scans(m, x), 'stale-guess-without-lock'), false);
  });
});

describe('Safe-Guess READ decisions (swarm.md §4)', () => {
  const none = new Map<number, SeenWrite>();
  const v1 = bytes('v1');
  const v2 = bytes('v2');

  it('returns the initial value when nothing was written', () => {
    assert.deepEqual(readAction(0n, 0n, none, null), { kind: 'initial' });
  });

  it('needs the value of m before anything else but the exits', () => {
    assert.deepEqual(readAction(guessed(10, 1), 0n, none, null), { kind: 'value' });
    assert.deepEqual(readAction(verified(10, 1), 0n, none, null), { kind: 'value' });
  });

  it('a VERIFIED max is written back and returned', () => {
    assert.deepEqual(readAction(verified(10, 1), 0n, none, v1), { kind: 'write-back' });
  });

  it('a new GUESSED max is helped and rescanned; seen twice in a row it is locked', () => {
    const m = guessed(10, 1);
    assert.deepEqual(readAction(m, 0n, none, v1), { kind: 'help' });
    assert.deepEqual(readAction(m, guessed(9, 2), none, v1), { kind: 'help' });
    assert.deepEqual(readAction(m, withSlot(m, 3), none, v1), { kind: 'lock' }, 'a copy of m is the same key');
    assert.deepEqual(readAction(m, verifiedWord(m), none, v1), { kind: 'help' }, 'x|V then x is not two sightings of one key');
  });

  it('notify-on-first-sight (mutant) locks at the first sight', () => {
    assert.deepEqual(readAction(guessed(10, 1), 0n, none, v1, 'notify-on-first-sight'), { kind: 'lock' });
  });

  it("same-writer exit: a later GUESSED word of a seen writer returns seen[c]'s value, decided before any fetch", () => {
    const x1 = guessed(10, 1);
    const x2 = guessed(14, 1);
    const seen = new Map<number, SeenWrite>([[1, { word: x1, value: v1 }]]);
    assert.deepEqual(readAction(x2, x1, seen, null), { kind: 'same-writer', value: v1 }, 'no value of x2 needed');
    assert.deepEqual(readAction(x2, x2, seen, null), { kind: 'value' }, 'not when x2 is the previous max (then it is locked)');
    assert.deepEqual(readAction(verifiedWord(x2), x1, seen, null), { kind: 'value' }, 'not for a VERIFIED word');
    assert.deepEqual(readAction(x1, guessed(12, 2), seen, null), { kind: 'value' }, 'not for the seen word itself');
    assert.deepEqual(readAction(guessed(9, 1), x1, seen, null), { kind: 'value' }, 'not for an earlier word of c');
    assert.deepEqual(readAction(guessed(14, 2), x1, seen, null), { kind: 'value' }, 'not for another writer');
  });

  it("same-writer-returns-latest (mutant) fetches m and returns m's value", () => {
    const x1 = guessed(10, 1);
    const x2 = guessed(14, 1);
    const seen = new Map<number, SeenWrite>([[1, { word: x1, value: v1 }]]);
    assert.deepEqual(readAction(x2, x1, seen, null, 'same-writer-returns-latest'), { kind: 'value' });
    assert.deepEqual(readAction(x2, x1, seen, v2, 'same-writer-returns-latest'), { kind: 'same-writer', value: v2 });
  });
});

describe('Safe-Guess tryLock decisions (swarm.md §4)', () => {
  const x = guessed(10, 1);
  const id = wordId(x);

  it('per memory: n_s > id(x) later; = id(x) scan only; < id(x) CAS then scan', () => {
    assert.equal(lockPlan(id + 1n, x), 'later');
    assert.equal(lockPlan(id, x), 'scan');
    assert.equal(lockPlan(id - 1n, x), 'cas');
    assert.equal(lockPlan(0n, x), 'cas');
  });

  it('lock-lowers-notif (mutant) CASes from a cached n_s above id(x)', () => {
    assert.equal(lockPlan(id + 1n, x, 'lock-lowers-notif'), 'cas');
    assert.equal(lockPlan(id, x, 'lock-lowers-notif'), 'scan');
  });

  it('CAS result: r = n_s or id(x) established; r > id(x) later; n_s < r < id(x) redo', () => {
    const n = wordId(guessed(4, 1));
    assert.equal(casOutcome(n, n, x), 'established');
    assert.equal(casOutcome(id, n, x), 'established', 'another reader established id(x) first');
    assert.equal(casOutcome(id + 1n, n, x), 'later');
    assert.equal(casOutcome(wordId(guessed(7, 1)), n, x), 'redo');
  });

  it('outcome: later if any responder says so; ok iff every counted scan has max id id(x); else retry', () => {
    const above = guessed(12, 2);
    assert.equal(lockOutcome([{ kind: 'counted', max: x }, { kind: 'counted', max: withSlot(verifiedWord(x), 4) }], x), 'ok');
    assert.equal(lockOutcome([{ kind: 'counted', max: x }, { kind: 'later' }], x), 'later');
    assert.equal(lockOutcome([{ kind: 'counted', max: above }, { kind: 'later' }], x), 'later');
    assert.equal(lockOutcome([{ kind: 'counted', max: x }, { kind: 'counted', max: above }], x), 'retry');
  });
});
