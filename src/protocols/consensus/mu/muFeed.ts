import type { LogEntry } from '../../common/replicatedLog.js';

/** One step of a Mu replica's delivery stream: an entry, or a snapshot installed in place of the entries below `position`. */
export type FeedItem = { readonly entry: LogEntry } | { readonly snapshot: { readonly position: number; readonly state: Uint8Array } };

/**
 * Mu's deliveries as an async iterator (like common/deliveryFeed.ts, which
 * the other logs use), with snapshots in the stream: an iterator that
 * reaches one calls `install` right there, after the consumer took every
 * entry before it and before the next one — so the consumer's state never
 * mixes entries applied out of order with an installed state.
 */
export class SnapshotFeed {
  private readonly items: FeedItem[] = [];
  private readonly followers = new Set<() => void>();
  private closed = false;

  push(item: FeedItem): void {
    this.items.push(item);
    this.wakeAll();
  }

  close(): void {
    this.closed = true;
    this.wakeAll();
  }

  async *iterate(install: (position: number, state: Uint8Array) => void): AsyncGenerator<LogEntry, void, undefined> {
    let index = 0;
    for (;;) {
      while (index < this.items.length) {
        const item = this.items[index++];
        if ('entry' in item) yield item.entry;
        else install(item.snapshot.position, item.snapshot.state);
      }
      if (this.closed) return;
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
