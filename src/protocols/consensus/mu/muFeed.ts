import { DeliveryFeed } from '../../common/deliveryFeed.js';
import type { LogEntry } from '../../common/replicatedLog.js';

/** One step of a Mu replica's delivery stream: an entry, or a snapshot installed in place of the entries below `position`. */
export type FeedItem = { readonly entry: LogEntry } | { readonly snapshot: { readonly position: number; readonly state: Uint8Array } };

/**
 * Mu's deliveries as an async iterator (common/deliveryFeed.ts, which the
 * other logs use, carrying snapshots too): an iterator that
 * reaches one calls `install` right there, after the consumer took every
 * entry before it and before the next one — so the consumer's state never
 * mixes entries applied out of order with an installed state.
 */
export class SnapshotFeed {
  private readonly feed = new DeliveryFeed<FeedItem>();

  push(item: FeedItem): void {
    this.feed.push(item);
  }

  close(): void {
    this.feed.close();
  }

  async *iterate(install: (position: number, state: Uint8Array) => void): AsyncGenerator<LogEntry, void, undefined> {
    for await (const item of this.feed.iterate()) {
      if ('entry' in item) yield item.entry;
      else install(item.snapshot.position, item.snapshot.state);
    }
  }
}
