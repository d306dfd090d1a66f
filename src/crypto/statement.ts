/**
 * What a signature covers. Every signature of the protocols binds a purpose,
 * the broadcast's sender, its sequence number and the message, so a
 * signature made for one (sender, k, m) verifies for no other: an old signed
 * message cannot be replayed under a new sequence number, and a Ready cannot
 * pass for a sender's signature.
 */
export type Purpose = 'broadcast' | 'ready';

export interface Statement {
  readonly purpose: Purpose;
  /** The broadcast's sender. */
  readonly sender: number;
  /** Its sequence number. */
  readonly sequence: number;
  readonly message: Uint8Array;
}

const purposeTags: Record<Purpose, number> = { broadcast: 1, ready: 2 };
const domain = new TextEncoder().encode('mnm/v1');

/** The exact bytes signed for a statement. */
export function statementBytes(statement: Statement): Uint8Array {
  const { purpose, sender, sequence, message } = statement;
  if (!Number.isInteger(sender) || sender < 0 || sender > 0xffffffff) throw new RangeError(`sender ${sender} out of range`);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 0xffffffff) throw new RangeError(`sequence number ${sequence} out of range`);
  const bytes = new Uint8Array(domain.length + 1 + 4 + 4 + 4 + message.length);
  const view = new DataView(bytes.buffer);
  bytes.set(domain, 0);
  let offset = domain.length;
  bytes[offset++] = purposeTags[purpose];
  view.setUint32(offset, sender, true);
  view.setUint32(offset + 4, sequence, true);
  view.setUint32(offset + 8, message.length, true);
  bytes.set(message, offset + 12);
  return bytes;
}
