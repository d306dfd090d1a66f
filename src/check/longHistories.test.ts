import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HistoryError, type Operation } from './history.js';
import { checkLinearizability } from './linearizability.js';
import type { Model } from './model.js';
import { models } from './models/index.js';
import { pairOperations } from './pairing.js';
import { replayPrefix } from './replay.js';
import { wholeStore } from './_bruteForce.js';
import { TestRandom } from './_prng.js';
import { mutate, randomHistory, sequentialObjects } from './_randomHistory.js';

/**
 * What keeps long histories linear: kv keys checked apart (locality), kv
 * read enablers found by prefix lookup, and the longest dead-end prefix kept
 * incrementally. Each is compared here with the direct way on random
 * histories, linearizable ones and (mutated) violating ones alike.
 */
function randomOperations(random: TestRandom, model: string, operations: number, processes: number): Operation[] | undefined {
  let events = randomHistory(random, sequentialObjects[model], { processes, operations, unknown: 0.1 });
  if (random.chance(0.6)) events = mutate(random, sequentialObjects[model], events) ?? events;
  try {
    return pairOperations(events);
  } catch (error) {
    // A moved operation may land while its process is busy: not a well-formed history.
    if (error instanceof HistoryError) return undefined;
    throw error;
  }
}

describe('long histories', () => {
  it('kv checked key by key gets the verdict of the whole store checked at once', () => {
    const counts = { linearizable: 0, 'not-linearizable': 0 };
    for (let seed = 1; seed <= 200; seed++) {
      const random = new TestRandom(seed * 7349);
      const operations = randomOperations(random, 'kv', 10 + random.below(15), 2 + random.below(3));
      if (!operations) continue;
      const perKey = checkLinearizability(operations, models.kv);
      const whole = checkLinearizability(operations, wholeStore(models.kv));
      assert.equal(perKey.verdict, whole.verdict, `seed ${seed}: ${JSON.stringify(operations)}`);
      counts[perKey.verdict as keyof typeof counts]++;
    }
    assert.ok(counts.linearizable > 20 && counts['not-linearizable'] > 20, JSON.stringify(counts));
  });

  it('kv read enablers found by prefix lookup give the same results as trying every pair', () => {
    const { prefix: _prefix, ...pairwise } = models.kv.reach!;
    const everyPair: Model = { ...models.kv, reach: pairwise } as Model;
    let violating = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const random = new TestRandom(seed * 9973);
      const operations = randomOperations(random, 'kv', 20 + random.below(30), 3 + random.below(3));
      if (!operations) continue;
      const fast = checkLinearizability(operations, models.kv);
      assert.deepEqual(fast, checkLinearizability(operations, everyPair), `seed ${seed}`);
      if (fast.verdict === 'not-linearizable') violating++;
    }
    assert.ok(violating > 20, `${violating} violating histories`);
  });

  it('the longest prefix of a violation in a long history replays, and is as long as the search got', () => {
    let violating = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const random = new TestRandom(seed * 31337);
      const operations = randomOperations(random, 'register', 200 + random.below(200), 4);
      if (!operations) continue;
      const result = checkLinearizability(operations, models.register);
      const [part] = result.partitions;
      if (result.verdict !== 'not-linearizable') continue;
      violating++;
      assert.ok(part.prefix && part.unplaced, `seed ${seed}: a violation names its prefix`);
      assert.equal(replayPrefix(models.register, operations, part.prefix, part.unplaced), undefined, `seed ${seed}`);
      assert.equal(new Set(part.prefix.map((operation) => operation.index)).size, part.prefix.length, `seed ${seed}: no operation twice in the prefix`);
    }
    assert.ok(violating > 10, `${violating} violating histories`);
  });
});
