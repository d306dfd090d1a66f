import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HistoryError, type HistoryEvent, type Operation } from './history.js';
import { checkLinearizability } from './linearizability.js';
import { models } from './models/index.js';
import { pairOperations } from './pairing.js';
import { replayLinearization, replayPrefix } from './replay.js';
import { bruteForceLinearizable, wholeStore } from './_bruteForce.js';
import { TestRandom } from './_prng.js';
import { mutate, randomHistory, sequentialObjects } from './_randomHistory.js';

/**
 * The checker against the definition: random small concurrent histories,
 * linearizable by construction and then (mostly) mutated, must get the
 * verdict of a brute-force search over all orders. Every witness is replayed.
 * A failure prints the seed and the history, so it can be replayed as a test.
 */
const casesPerModel = 500;

function show(events: readonly HistoryEvent[]): string {
  return events.map((event) => JSON.stringify({ process: event.process, type: event.type, f: event.f, ...(event.key === undefined ? {} : { key: event.key }), value: event.value })).join('\n');
}

for (const [name, factory] of Object.entries(sequentialObjects)) {
  describe(`random ${name} histories`, () => {
    it(`agree with the brute force on ${casesPerModel} cases, and every witness replays`, () => {
      const model = models[name];
      const counts = { linearizable: 0, 'not-linearizable': 0, skipped: 0 };
      for (let seed = 1; seed <= casesPerModel; seed++) {
        const random = new TestRandom(seed * 7919 + name.length);
        let events = randomHistory(random, factory, { processes: 2 + random.below(3), operations: 3 + random.below(6), unknown: 0.3 });
        if (random.chance(0.8)) {
          const mutated = mutate(random, factory, events);
          if (mutated) events = mutated;
        }
        let operations: Operation[];
        try {
          operations = pairOperations(events);
        } catch (error) {
          // A moved operation may land while its process is busy: not a well-formed history.
          if (error instanceof HistoryError) {
            counts.skipped++;
            continue;
          }
          throw error;
        }
        const context = `seed ${seed} (model ${name}), history:\n${show(events)}`;
        const expected = bruteForceLinearizable(wholeStore(model), operations);
        const result = checkLinearizability(operations, model);
        assert.equal(result.verdict, expected ? 'linearizable' : 'not-linearizable', context);
        assert.equal(checkLinearizability(operations, model, { pruning: false }).verdict, result.verdict, `without pruning: ${context}`);
        counts[result.verdict as 'linearizable' | 'not-linearizable']++;
        for (const part of result.partitions) {
          const members = operations.filter((operation) => !model.keyed || operation.key === part.key);
          if (part.linearization) {
            assert.equal(replayLinearization(model, members, part.linearization), undefined, `linearization of ${part.key ?? 'the history'}: ${context}`);
          }
          if (part.prefix) {
            assert.equal(replayPrefix(model, members, part.prefix, part.unplaced ?? []), undefined, `prefix of ${part.key ?? 'the history'}: ${context}`);
          }
        }
      }
      // The generator must produce both verdicts in quantity, or the test proves little.
      assert.ok(counts.linearizable > casesPerModel / 10 && counts['not-linearizable'] > casesPerModel / 10, JSON.stringify(counts));
    });
  });
}

/**
 * Histories too long for the brute force: the search with its pruning must
 * agree with the plain search (Porcupine's), which shares only the list walk.
 */
for (const [name, factory] of Object.entries(sequentialObjects)) {
  it(`random ${name} histories of 20-40 operations: pruned and plain search agree`, () => {
    const model = models[name];
    for (let seed = 1; seed <= 150; seed++) {
      const random = new TestRandom(seed * 104729 + name.length);
      let events = randomHistory(random, factory, { processes: 3 + random.below(4), operations: 20 + random.below(21), unknown: 0.15 });
      if (random.chance(0.7)) events = mutate(random, factory, events) ?? events;
      let operations: Operation[];
      try {
        operations = pairOperations(events);
      } catch (error) {
        if (error instanceof HistoryError) continue;
        throw error;
      }
      const pruned = checkLinearizability(operations, model);
      const plain = checkLinearizability(operations, model, { pruning: false });
      assert.equal(pruned.verdict, plain.verdict, `seed ${seed} (model ${name}), history:\n${show(events)}`);
    }
  });
}
