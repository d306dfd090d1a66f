import { checksum as crc32, type OperationValue } from '../../../fabric/index.js';
import { fnv1a64 } from '../../common/fnv.js';

/**
 * A Mu replica's snapshot (muLog.ts, "Recycling"): what a replica that fell
 * behind recycled entries installs instead of the entries it can no longer
 * read, then it applies the log from `instance` on.
 *
 * - `instance`: the log index it stands for — every index below it is
 *   applied (decided, delivered or skipped);
 * - `position`: how many entries were delivered below it (the `LogEntry`
 *   index of the next delivery);
 * - `chain`: the chained digest of the delivered values (`chainDigest`), so
 *   a checker compares the snapshot with the others' delivered prefixes;
 * - `tags`: the tag of each delivered entry in order (logEntry.ts): the
 *   delivery rule skips a repeat of a delivered append, and an own append
 *   delivered below the snapshot resolves with its position;
 * - `state`: the state machine's bytes (`SnapshotMachine.take`), empty when
 *   the log has no state machine.
 *
 * Encoding: instance u64 | position u64 | chain 16 ASCII hex | tag count u32
 * | tags u64 each | state length u32 | state | CRC-32 of everything before.
 * It travels in a message: a checksum is not needed against tearing there,
 * but it keeps a bad encoder from installing garbage silently.
 */
export interface MuSnapshot {
  readonly instance: number;
  readonly position: number;
  readonly chain: string;
  readonly tags: readonly number[];
  readonly state: Uint8Array;
}

/** The chained digest before any delivery. */
export const emptyChain = fnv1a64('');

/** The chained digest after delivering `value` (as the `commit` note shows it) on top of `previous`. */
export function chainDigest(previous: string, value: OperationValue): string {
  return fnv1a64(previous + JSON.stringify(value));
}

export function encodeMuSnapshot(snapshot: MuSnapshot): Uint8Array {
  const size = 8 + 8 + 16 + 4 + 8 * snapshot.tags.length + 4 + snapshot.state.length + 4;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(snapshot.instance), true);
  view.setBigUint64(8, BigInt(snapshot.position), true);
  for (let k = 0; k < 16; k++) bytes[16 + k] = snapshot.chain.charCodeAt(k);
  view.setUint32(32, snapshot.tags.length, true);
  snapshot.tags.forEach((tag, k) => view.setBigUint64(36 + 8 * k, BigInt(tag), true));
  const stateAt = 36 + 8 * snapshot.tags.length;
  view.setUint32(stateAt, snapshot.state.length, true);
  bytes.set(snapshot.state, stateAt + 4);
  view.setUint32(size - 4, crc32(bytes.subarray(0, size - 4)), true);
  return bytes;
}

/** The snapshot, or undefined for bytes that are not a whole one. */
export function decodeMuSnapshot(bytes: Uint8Array): MuSnapshot | undefined {
  if (bytes.length < 40) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(bytes.length - 4, true) !== crc32(bytes.subarray(0, bytes.length - 4))) return undefined;
  const count = view.getUint32(32, true);
  const stateAt = 36 + 8 * count;
  if (stateAt + 8 > bytes.length) return undefined;
  const length = view.getUint32(stateAt, true);
  if (stateAt + 4 + length + 4 !== bytes.length) return undefined;
  return {
    instance: Number(view.getBigUint64(0, true)),
    position: Number(view.getBigUint64(8, true)),
    chain: String.fromCharCode(...bytes.subarray(16, 32)),
    tags: Array.from({ length: count }, (_, k) => Number(view.getBigUint64(36 + 8 * k, true))),
    state: bytes.slice(stateAt + 4, stateAt + 4 + length),
  };
}
