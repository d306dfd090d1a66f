/**
 * The deliveries of one endpoint as an async iterator: every delivery from
 * the first one of the run, in the order they were handed over, to each
 * iterator however late it starts; iterators end once the feed is closed
 * (the endpoint stopped) and they have yielded everything. The broadcasts
 * (CB, RB, Bracha: `deliveries()`) and the replicated logs (`entries()`)
 * share it, so that a stream of deliveries means the same everywhere.
 */
export class DeliveryFeed<T> {
  private readonly delivered: T[] = [];
  private readonly followers = new Set<() => void>();
  private closed = false;

  /** Everything delivered so far, in order. */
  get items(): readonly T[] {
    return this.delivered;
  }

  push(delivery: T): void {
    this.delivered.push(delivery);
    this.wakeAll();
  }

  close(): void {
    this.closed = true;
    this.wakeAll();
  }

  /** `ended` tells whether the endpoint stopped by other means than `close()` (checked whenever the iterator runs dry). */
  async *iterate(ended: () => boolean = () => false): AsyncGenerator<T, void, undefined> {
    let index = 0;
    for (;;) {
      while (index < this.delivered.length) yield this.delivered[index++];
      if (this.closed || ended()) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.followers.delete(wake);
          resolve();
        };
        this.followers.add(wake);
      });
    }
  }

  private wakeAll(): void {
    for (const follower of [...this.followers]) follower();
  }
}
