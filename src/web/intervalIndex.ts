/**
 * Finds the items whose time span meets a window without looking at the
 * others: time is cut into equal buckets and each item is listed in every
 * bucket its span touches, so a query reads only the buckets in view. This
 * is what keeps a 100,000-event trace's frames proportional to what is on
 * screen rather than to the trace.
 */
export class IntervalIndex {
  private readonly buckets: Int32Array[];
  private readonly bucketWidth: number;
  private readonly bucketCount: number;
  private readonly seen: Uint32Array;
  private stamp = 0;

  constructor(
    private readonly startT: number,
    endT: number,
    private readonly starts: ArrayLike<number>,
    private readonly ends: ArrayLike<number>,
    bucketCount = Math.max(1, Math.min(4096, Math.ceil(starts.length / 8))),
  ) {
    this.bucketCount = bucketCount;
    this.bucketWidth = endT > startT ? (endT - startT) / bucketCount : 1;
    const lists: number[][] = Array.from({ length: bucketCount }, () => []);
    for (let item = 0; item < starts.length; item++) {
      const first = this.bucketOf(starts[item]);
      const last = this.bucketOf(ends[item]);
      for (let bucket = first; bucket <= last; bucket++) lists[bucket].push(item);
    }
    this.buckets = lists.map((list) => Int32Array.from(list));
    this.seen = new Uint32Array(starts.length);
  }

  private bucketOf(t: number): number {
    return this.clamp(Math.floor((t - this.startT) / this.bucketWidth));
  }

  /** Calls `visit` once for each item whose span [start, end] meets [fromT, toT], in no particular order. */
  query(fromT: number, toT: number, visit: (item: number) => void): void {
    if (toT < fromT) return;
    this.stamp++;
    const first = this.clamp(Math.floor((fromT - this.startT) / this.bucketWidth));
    const last = this.clamp(Math.floor((toT - this.startT) / this.bucketWidth));
    for (let bucket = first; bucket <= last; bucket++) {
      const list = this.buckets[bucket];
      for (let position = 0; position < list.length; position++) {
        const item = list[position];
        if (this.seen[item] === this.stamp) continue;
        this.seen[item] = this.stamp;
        if (this.starts[item] <= toT && this.ends[item] >= fromT) visit(item);
      }
    }
  }

  private clamp(bucket: number): number {
    return Math.max(0, Math.min(this.bucketCount - 1, bucket));
  }
}
