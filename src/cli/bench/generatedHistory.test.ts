import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkLinearizability, models, readHistory } from '../../check/index.js';
import { generateHistory } from './generatedHistory.js';

function lines(model: 'register' | 'kv', operations: number, seed: number): string[] {
  const found: string[] = [];
  generateHistory({ model, operations, processes: 5, keys: 4, seed }, (line) => found.push(line));
  return found;
}

describe('generated histories (the long-run bench checks them)', () => {
  for (const model of ['register', 'kv'] as const) {
    it(`${model}: linearizable by construction, the same for the same seed, and broken by one changed result`, () => {
      const history = lines(model, 3000, 5);
      assert.deepEqual(history, lines(model, 3000, 5));
      assert.equal(history.filter((line) => line.includes('"invoke"')).length, 3000);
      const result = checkLinearizability(readHistory(history.join(''), 'mnm').operations, models[model]);
      assert.equal(result.verdict, 'linearizable');
      // A read in the middle returns a value nobody wrote: the checker must say so.
      const read = history.findIndex((line, index) => index > 1000 && /"type":"ok","f":"(read|get)"/.test(line));
      const broken = [...history];
      broken[read] = broken[read].replace(/"value":.*\}/, '"value":"never written"}');
      assert.equal(checkLinearizability(readHistory(broken.join(''), 'mnm').operations, models[model]).verdict, 'not-linearizable');
    });
  }
});
