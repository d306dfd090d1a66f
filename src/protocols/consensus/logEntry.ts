/**
 * What one consensus instance of a log decides: a tagged entry.
 *
 *   origin u32 (the appending process + 1; 0 = a no-op filling a gap)
 *   sequence u32 (the appender's count of its own appends)
 *   value bytes
 *
 * The tag makes an append's identity survive retries: an append proposed at
 * an instance whose fate is in doubt (accepted by some, the proposer
 * preempted) may be decided there by a later leader *and* at the next
 * instance its appender retried — Paxos cannot rule that out without reading
 * every memory. Delivery skips an instance whose tag was delivered already,
 * and the no-ops a new leader writes into gaps, so the log holds each append
 * once, at the position of its first decision.
 */
export const entryTagSize = 8;

export interface TaggedEntry {
  /** The appending process, or -1 for a no-op. */
  readonly origin: number;
  readonly sequence: number;
  readonly value: Uint8Array;
}

export function encodeEntry(entry: TaggedEntry): Uint8Array {
  const bytes = new Uint8Array(entryTagSize + entry.value.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, entry.origin + 1, true);
  view.setUint32(4, entry.sequence, true);
  bytes.set(entry.value, entryTagSize);
  return bytes;
}

export const noOp: Uint8Array = encodeEntry({ origin: -1, sequence: 0, value: new Uint8Array(0) });

/** The entry, or undefined for bytes too short to be one. */
export function decodeEntry(bytes: Uint8Array): TaggedEntry | undefined {
  if (bytes.length < entryTagSize) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { origin: view.getUint32(0, true) - 1, sequence: view.getUint32(4, true), value: bytes.slice(entryTagSize) };
}

/**
 * A number naming an append, for sets and maps: (origin + 1) · 2^32 +
 * sequence, exact (and so one number per tag) for fewer than 2^21 processes;
 * -1 for bytes too short to be an entry. A number, not a string: the log
 * looks tags up several times per decision.
 */
export function tagKey(bytes: Uint8Array): number {
  if (bytes.length < entryTagSize) return -1;
  const origin = bytes[0] + bytes[1] * 0x100 + bytes[2] * 0x10000 + bytes[3] * 0x1000000;
  const sequence = bytes[4] + bytes[5] * 0x100 + bytes[6] * 0x10000 + bytes[7] * 0x1000000;
  return origin * 0x100000000 + sequence;
}

/**
 * The delivery rule, as a pure step: given the tags delivered so far and the
 * next decided instance's bytes, whether it becomes the next log entry (not
 * a no-op, not a repeat of a delivered append). Every process applies it to
 * the same decided instances in the same order, so every log is the same.
 */
export function delivers(delivered: ReadonlySet<number>, decided: Uint8Array): TaggedEntry | undefined {
  const entry = decodeEntry(decided);
  if (entry === undefined || entry.origin < 0) return undefined;
  if (delivered.has(tagKey(decided))) return undefined;
  return entry;
}

/** One decided instance as a heartbeat carries it: its index and its tagged entry. */
export interface DecidedInstance {
  readonly index: number;
  readonly entry: Uint8Array;
}

/**
 * Decided instances packed into one message value (`announce: 'heartbeat'`):
 *
 *   per instance: index u32 | entry length u32 | entry bytes
 */
export function packDecided(instances: readonly DecidedInstance[]): Uint8Array {
  let size = 0;
  for (const { entry } of instances) size += 8 + entry.length;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const { index, entry } of instances) {
    view.setUint32(at, index, true);
    view.setUint32(at + 4, entry.length, true);
    bytes.set(entry, at + 8);
    at += 8 + entry.length;
  }
  return bytes;
}

/** The instances of a packed value, or undefined for bytes that are not a list of them (never trusted blindly). */
export function unpackDecided(bytes: Uint8Array): DecidedInstance[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const instances: DecidedInstance[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) return undefined;
    const length = view.getUint32(at + 4, true);
    if (at + 8 + length > bytes.length) return undefined;
    instances.push({ index: view.getUint32(at, true), entry: bytes.slice(at + 8, at + 8 + length) });
    at += 8 + length;
  }
  return instances;
}
