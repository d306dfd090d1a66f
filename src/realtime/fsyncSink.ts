import { open, type FileHandle } from 'node:fs/promises';

/**
 * A durability sink for a real backend's host: a file that every write
 * appends to and then flushes to the disk (fdatasync) before it resolves —
 * what etcd does with its write-ahead log before it acknowledges, so a
 * store configured with it (`ReplicatedKv`'s `sink`) answers a call only
 * once its log entry survives a power cut of its host.
 *
 * It has the shape of `AppendSink` (protocols/kv/appendSink.ts) without
 * importing it: protocols never touch a file system, and this layer does
 * not import protocols — the host hands this object to the store.
 *
 * fdatasync, not fsync: it flushes the data and what is needed to read it
 * back (the file's new length) and skips times of access and modification.
 * Writes are serialized, in call order.
 */
export class FsyncFileSink {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  /** Writes made durable so far, and their bytes. */
  writes = 0;
  bytes = 0;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** Opens (creating it if needed) the file at `path` for appending. */
  static async open(path: string): Promise<FsyncFileSink> {
    return new FsyncFileSink(await open(path, 'a'), path);
  }

  /** Appends `bytes` and resolves once they are on the disk. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`write to the sink file ${JSON.stringify(this.path)} after close() (accepted: writes before close())`));
    const done = this.tail.then(async () => {
      let offset = 0;
      while (offset < bytes.length) offset += (await this.handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
      await this.handle.datasync();
      this.writes++;
      this.bytes += bytes.length;
    });
    // A failed write fails its caller; the next one still runs after it.
    this.tail = done.catch(() => undefined);
    return done;
  }

  /** Waits for the writes under way, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    await this.handle.close();
  }
}
