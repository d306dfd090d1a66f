/**
 * A binary min-heap of events ordered by (time, tiebreak, sequence). The
 * tiebreak is drawn from the schedule stream when an event is queued, so that
 * events due at the same instant happen in a seed-chosen order; the sequence
 * number makes the order total.
 */
export interface Queued {
  time: number;
  tiebreak: number;
  sequence: number;
}

function before(x: Queued, y: Queued): boolean {
  if (x.time !== y.time) return x.time < y.time;
  if (x.tiebreak !== y.tiebreak) return x.tiebreak < y.tiebreak;
  return x.sequence < y.sequence;
}

export class EventHeap<T extends Queued> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    let index = items.length;
    items.push(item);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(item, items[parent])) break;
      items[index] = items[parent];
      index = parent;
    }
    items[index] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let index = 0;
    const length = items.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && before(items[right], items[left]) ? right : left;
      if (!before(items[child], last)) break;
      items[index] = items[child];
      index = child;
    }
    items[index] = last;
    return top;
  }
}
