/**
 * Two-sided messages of the consensus protocols, as bytes:
 *
 *   kind u8 | ballot u64 | other u64 | value length u16 | value
 *
 * `other` is the accepted ballot in a promise, the promised ballot in a nack.
 */
export type MessageKind = 'heartbeat' | 'decided' | 'prepare' | 'promise' | 'accept' | 'accepted' | 'nack';

const kinds: readonly MessageKind[] = ['heartbeat', 'decided', 'prepare', 'promise', 'accept', 'accepted', 'nack'];

export interface ConsensusMessage {
  readonly kind: MessageKind;
  readonly ballot: bigint;
  readonly other: bigint;
  /** Empty when the message carries no value. */
  readonly value: Uint8Array;
}

const headerSize = 1 + 8 + 8 + 2;

export function encodeMessage(message: ConsensusMessage): Uint8Array {
  const bytes = new Uint8Array(headerSize + message.value.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, kinds.indexOf(message.kind));
  view.setBigUint64(1, message.ballot, true);
  view.setBigUint64(9, message.other, true);
  view.setUint16(17, message.value.length, true);
  bytes.set(message.value, headerSize);
  return bytes;
}

/** Decodes a message, or returns undefined for bytes that are not one (never trusted blindly). */
export function decodeMessage(bytes: Uint8Array): ConsensusMessage | undefined {
  if (bytes.length < headerSize) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = kinds[view.getUint8(0)];
  const length = view.getUint16(17, true);
  if (kind === undefined || bytes.length !== headerSize + length) return undefined;
  return { kind, ballot: view.getBigUint64(1, true), other: view.getBigUint64(9, true), value: bytes.slice(headerSize) };
}
