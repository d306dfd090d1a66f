import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Lane } from './lane.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('a lane of steps on one memory', () => {
  it('runs shared steps side by side, and an exclusive step only after every earlier one settled', async () => {
    const lane = new Lane();
    const order: string[] = [];
    const first = gate();
    const second = gate();
    const a = lane.shared(async () => {
      order.push('a starts');
      await first.opened;
      order.push('a ends');
    });
    const b = lane.shared(async () => {
      order.push('b starts');
      await second.opened;
      throw new Error('refused');
    });
    const c = lane.exclusive(async () => {
      order.push('c runs');
    });
    const d = lane.shared(async () => {
      order.push('d runs');
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, ['a starts', 'b starts']);
    second.open();
    await assert.rejects(b);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, ['a starts', 'b starts'], 'c waits for a too');
    first.open();
    await Promise.all([a, c, d]);
    assert.deepEqual(order, ['a starts', 'b starts', 'a ends', 'c runs', 'd runs']);
  });
});
