import { createHash } from 'node:crypto';

/**
 * H(m) of Byzantine broadcast: SHA-256. Records echo H(m) instead of m
 * ("hash echoes"), and every signature binds (sender, k, H(m)), so a record
 * costs the same whatever the message size and m lives only in the sender's
 * slot (and in reliable broadcast's `delivered` fields).
 */
export const hashSize = 32;

export function messageHash(message: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(message).digest());
}
