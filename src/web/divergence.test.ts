import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceEvent } from '../trace/format.js';
import { firstDivergence } from './divergence.js';

const a: TraceEvent[] = [
  { t: 0, type: 'op.invoke', p: 0, op: 0, f: 'read', value: null },
  { t: 1, type: 'note', p: 0, kind: 'decide', detail: { value: 1, ballot: 2 } },
  { t: 2, type: 'end', reason: 'done', events: 3 },
];

describe('first divergence', () => {
  it('is none for the same events, whatever the key order', () => {
    const reverse = (value: unknown): unknown =>
      typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value).reverse().map(([key, inner]) => [key, reverse(inner)])) : value;
    const reordered = a.map((event) => reverse(event) as TraceEvent);
    assert.notEqual(JSON.stringify(reordered[1]), JSON.stringify(a[1]));
    assert.equal(firstDivergence(a, reordered), undefined);
  });
  it('is the first event that differs, deep inside a detail too', () => {
    const b = [a[0], { ...a[1], detail: { value: 2, ballot: 2 } } as TraceEvent, a[2]];
    const found = firstDivergence(a, b)!;
    assert.deepEqual([found.index, found.tA, found.tB], [1, 1, 1]);
  });
  it('is where the shorter trace ends when one is a prefix of the other', () => {
    const found = firstDivergence(a, a.slice(0, 2))!;
    assert.deepEqual([found.index, found.a, found.b, found.tA, found.tB], [2, a[2], undefined, 2, 1]);
  });
});
