/**
 * Where a replica makes the log entries it applies durable before it
 * answers: a host's file written with fsync (`realtime/fsyncSink.ts`), or
 * anything else with the same call. Protocols never touch a file system
 * themselves; the host injects the sink.
 *
 * `write` resolves once `bytes` are durable; the store calls it one batch at
 * a time, in log order, and applies (and answers) a batch only after its
 * write resolved. A batch is a sequence of frames (`encodeSinkFrames`).
 */
export interface AppendSink {
  write(bytes: Uint8Array): Promise<void>;
}

/**
 * Frames for the sink: per entry its log index (u32), its length (u32),
 * then its bytes, little-endian. A file of frames replays the applied log;
 * a frame cut short by a crash is recognised as such (`decodeSinkFrames`).
 */
export function encodeSinkFrames(entries: readonly { readonly index: number; readonly value: Uint8Array }[]): Uint8Array {
  const size = entries.reduce((total, entry) => total + 8 + entry.value.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const entry of entries) {
    view.setUint32(offset, entry.index, true);
    view.setUint32(offset + 4, entry.value.length, true);
    bytes.set(entry.value, offset + 8);
    offset += 8 + entry.value.length;
  }
  return bytes;
}

/** The whole frames in `bytes`, and how many trailing bytes belong to a frame cut short (a write a crash interrupted). */
export function decodeSinkFrames(bytes: Uint8Array): { readonly entries: { index: number; value: Uint8Array }[]; readonly tornBytes: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: { index: number; value: Uint8Array }[] = [];
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset + 4, true);
    if (offset + 8 + length > bytes.length) break;
    entries.push({ index: view.getUint32(offset, true), value: bytes.slice(offset + 8, offset + 8 + length) });
    offset += 8 + length;
  }
  return { entries, tornBytes: bytes.length - offset };
}
