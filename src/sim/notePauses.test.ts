import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NotePauseBook, describeNotePause, parseNotePauses, type NotePause } from './notePauses.js';
import { Simulation, latencyModel, parsePauses } from './index.js';

describe('note-triggered pauses', () => {
  it('parses the note form and leaves timed items to parsePauses', () => {
    const text = 'p1@5+10,p0@note:bft-decide+600,p2@note:seal#3+40.5';
    assert.deepEqual(parseNotePauses(text, { processCount: 3 }), [
      { process: 0, kind: 'bft-decide', occurrence: 1, duration: 600 },
      { process: 2, kind: 'seal', occurrence: 3, duration: 40.5 },
    ]);
    assert.deepEqual(parsePauses(text, { processCount: 3 }), [{ kind: 'pause', at: 5, process: 1, duration: 10 }]);
    for (const pause of parseNotePauses(text, { processCount: 3 })) assert.deepEqual(parseNotePauses(describeNotePause(pause), { processCount: 3 }), [pause]);
  });

  it('rejects bad items with what is accepted', () => {
    assert.throws(() => parseNotePauses('p0@note:+5', { processCount: 3 }), /pN@note:KIND\[#K\]\+DURATION/);
    assert.throws(() => parseNotePauses('p3@note:decide+5', { processCount: 3 }), /no process p3 \(p0\.\.p2\)/);
    assert.throws(() => parseNotePauses('p0@note:decide#0+5', { processCount: 3 }), /counts notes from 1/);
    assert.throws(() => parseNotePauses('p0@note:decide+0', { processCount: 3 }), /must be positive/);
    assert.throws(() => parsePauses('p0@soon+5', { processCount: 3 }), /pN@TIME\+DURATION .* or pN@note:KIND/);
  });

  it('strikes each pause once, at the process\'s k-th note of its kind', () => {
    const struck: NotePause[] = [];
    const book = new NotePauseBook(parseNotePauses('p0@note:decide#2+9,p1@note:decide+4', { processCount: 2 }), (pause) => struck.push(pause));
    book.heard(0, 'decide');
    book.heard(1, 'other');
    assert.deepEqual(struck, []);
    book.heard(0, 'decide');
    book.heard(0, 'decide');
    book.heard(1, 'decide');
    book.heard(1, 'decide');
    assert.deepEqual(
      struck.map((pause) => describeNotePause(pause)),
      ['p0@note:decide#2+9', 'p1@note:decide+4'],
    );
  });

  it('holds the noting process back from its note on, and lists the pause it struck', async () => {
    const simulation = new Simulation({
      scenario: 'note-pause',
      seed: 1,
      params: {},
      processCount: 2,
      memoryCount: 0,
      regions: [],
      latency: latencyModel('unit'),
      horizon: 1000,
      notePauses: parseNotePauses('p0@note:step#2+100', { processCount: 2 }),
    });
    const stepped: number[] = [];
    simulation.spawn(0, async (fabric) => {
      for (let step = 0; step < 4; step++) {
        fabric.note('step');
        stepped.push(fabric.now());
        await fabric.sleep(1);
      }
    });
    const result = await simulation.run();
    // Steps at 0 and 1; the second note pauses p0 until 101, so its sleep of 1 wakes at 101.
    assert.deepEqual(stepped, [0, 1, 101, 102]);
    assert.deepEqual(result.resolvedFaults, [{ kind: 'pause', at: 1, process: 0, duration: 100 }]);
  });
});
