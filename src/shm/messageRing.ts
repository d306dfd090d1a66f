/**
 * A single-producer single-consumer ring of messages in a SharedArrayBuffer:
 * one per ordered pair of processes, so no two threads ever write the same
 * ring. Layout: Int32 `head` (next byte the producer writes) and `tail`
 * (next byte the consumer reads) at 0 and 4, then the data area. A record is
 * an Int32 length and the payload padded to 4 bytes; a length of -1 means
 * "wrapped: continue at 0". `head === tail` means empty, and the producer
 * keeps 4 bytes free so that a full ring never looks empty.
 *
 * The payload is copied with plain stores, then `head` is published with
 * `Atomics.store`; the consumer reads `head` with `Atomics.load` before
 * reading the payload, which orders the two (the JS memory model's
 * synchronises-with on sequentially consistent atomics).
 */
export class MessageRing {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  private readonly view: DataView;
  readonly capacity: number;

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, 4);
    this.capacity = buffer.byteLength - 16;
    this.data = new Uint8Array(buffer, 16, this.capacity);
    this.view = new DataView(buffer, 16, this.capacity);
    if (this.capacity <= 8 || this.capacity % 4 !== 0) throw new RangeError(`ring capacity ${this.capacity} must be a multiple of 4 above 8`);
  }

  /** The largest payload that fits in an empty ring. */
  get largestMessage(): number {
    return Math.floor((this.capacity - 8) / 4) * 4 - 4;
  }

  /** Appends one message; false when the ring has no room for it now. */
  push(payload: Uint8Array): boolean {
    const capacity = this.capacity;
    let head = Atomics.load(this.header, 0);
    const tail = Atomics.load(this.header, 1);
    const free = capacity - ((head - tail + capacity) % capacity) - 4;
    const need = 4 + ((payload.length + 3) & ~3);
    const waste = head + need > capacity ? capacity - head : 0;
    if (waste + need > free) return false;
    if (waste > 0) {
      this.view.setInt32(head, -1, true);
      head = 0;
    }
    this.view.setInt32(head, payload.length, true);
    this.data.set(payload, head + 4);
    Atomics.store(this.header, 0, (head + need) % capacity);
    return true;
  }

  /** Takes every message present, in order. */
  drain(deliver: (payload: Uint8Array) => void): number {
    const capacity = this.capacity;
    let tail = Atomics.load(this.header, 1);
    const head = Atomics.load(this.header, 0);
    let count = 0;
    while (tail !== head) {
      const length = this.view.getInt32(tail, true);
      if (length === -1) {
        tail = 0;
        continue;
      }
      const payload = this.data.slice(tail + 4, tail + 4 + length);
      tail = (tail + 4 + ((length + 3) & ~3)) % capacity;
      Atomics.store(this.header, 1, tail);
      count++;
      deliver(payload);
    }
    return count;
  }

  isEmpty(): boolean {
    return Atomics.load(this.header, 0) === Atomics.load(this.header, 1);
  }
}
