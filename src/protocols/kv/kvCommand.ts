/**
 * A key-value command as it travels through a replicated log: what to do
 * (get, put, append, delete), to which key, and who asked — the client and
 * the client's sequence number, so that a command appended twice (a retry
 * after an unknown outcome) is recognised and applied once — plus the
 * client's acknowledgement floor: every sequence number below it is settled
 * and will never be appended again, so replicas may forget them.
 *
 * Bytes (little-endian): a marker byte, the operation's code, client (u32),
 * sequence (u32), floor (u32), key length (u16), the key, then the value,
 * both UTF-8. The marker lets a replica skip entries that are not commands
 * (another user of the same log) instead of misreading them.
 */
export const kvOperations = ['get', 'put', 'append', 'delete'] as const;
export type KvOperation = (typeof kvOperations)[number];

export interface KvCommand {
  readonly operation: KvOperation;
  readonly client: number;
  /** The client's number for this call, from 1; a retry carries the same one. */
  readonly sequence: number;
  /** Every sequence number of this client below this one is settled (applied or given up) and will not be appended again. */
  readonly floor: number;
  readonly key: string;
  /** put/append: the argument; get/delete: the empty string. */
  readonly value: string;
}

const marker = 0x6b; // 'k'
/** Bytes of a command besides its key and value. */
export const kvCommandOverheadBytes = 16;
const maxU32 = 0xffff_ffff;
const maxKeyBytes = 0xffff;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeKvCommand(command: KvCommand): Uint8Array {
  const key = encoder.encode(command.key);
  const value = encoder.encode(command.value);
  if (key.length > maxKeyBytes) throw new RangeError(`key of ${key.length} bytes is too long (accepted: at most ${maxKeyBytes} bytes of UTF-8)`);
  for (const [name, field] of [['client', command.client], ['sequence', command.sequence], ['floor', command.floor]] as const) {
    if (!Number.isInteger(field) || field < 0 || field > maxU32) throw new RangeError(`command ${name} ${field} (accepted: an integer in 0..${maxU32})`);
  }
  const bytes = new Uint8Array(kvCommandOverheadBytes + key.length + value.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = marker;
  bytes[1] = kvOperations.indexOf(command.operation);
  view.setUint32(2, command.client, true);
  view.setUint32(6, command.sequence, true);
  view.setUint32(10, command.floor, true);
  view.setUint16(14, key.length, true);
  bytes.set(key, kvCommandOverheadBytes);
  bytes.set(value, kvCommandOverheadBytes + key.length);
  return bytes;
}

/** The command in `bytes`, or undefined when they are not one (wrong marker or code, truncated, not UTF-8). */
export function decodeKvCommand(bytes: Uint8Array): KvCommand | undefined {
  if (bytes.length < kvCommandOverheadBytes || bytes[0] !== marker) return undefined;
  const operation = kvOperations[bytes[1]];
  if (operation === undefined) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const keyLength = view.getUint16(14, true);
  if (kvCommandOverheadBytes + keyLength > bytes.length) return undefined;
  try {
    return {
      operation,
      client: view.getUint32(2, true),
      sequence: view.getUint32(6, true),
      floor: view.getUint32(10, true),
      key: decoder.decode(bytes.subarray(kvCommandOverheadBytes, kvCommandOverheadBytes + keyLength)),
      value: decoder.decode(bytes.subarray(kvCommandOverheadBytes + keyLength)),
    };
  } catch {
    return undefined;
  }
}

/** The log entry capacity (bytes) that commands with keys and values up to these UTF-8 sizes need. */
export function kvEntryCapacityFor(keyBytes: number, valueBytes: number): number {
  return kvCommandOverheadBytes + keyBytes + valueBytes;
}
