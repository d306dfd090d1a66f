/**
 * An append-only log of JSON lines in a SharedArrayBuffer, written by one
 * thread and read by the coordinator after that thread stopped (finished or
 * terminated). Writing is synchronous and published with `Atomics.store`, so
 * everything a process recorded before it was killed survives it: an
 * operation's invoke is in the journal before the operation's first verb.
 */
export class Journal {
  private readonly length: Int32Array;
  private readonly data: Uint8Array;
  private static readonly encoder = new TextEncoder();

  constructor(buffer: SharedArrayBuffer) {
    this.length = new Int32Array(buffer, 0, 2);
    this.data = new Uint8Array(buffer, 8);
  }

  append(record: unknown): void {
    const used = Atomics.load(this.length, 0);
    const line = JSON.stringify(record) + '\n';
    // Encoded straight into the shared buffer: no intermediate bytes (measured: half a note's cost,
    // and a log records two notes per decision on every process).
    const { read, written } = Journal.encoder.encodeInto(line, this.data.subarray(used));
    if (read < line.length) throw new RangeError(`journal full (${this.data.length} bytes): too many history events for one process`);
    Atomics.store(this.length, 0, used + written);
  }

  /** Every record appended so far. */
  records(): unknown[] {
    const used = Atomics.load(this.length, 0);
    const text = new TextDecoder().decode(this.data.slice(0, used));
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as unknown);
  }
}
