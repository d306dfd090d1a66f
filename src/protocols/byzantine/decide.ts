import { messageHash } from './digest.js';
import { sameBytes, type ReadyEntry, type ReadySet } from './slot.js';
import type { RecordView, SenderView } from './views.js';

/**
 * The decisions of consistent and reliable broadcast as pure functions of
 * what a process read: the n replicators' records for one broadcast (by
 * process; an empty view where nothing counts) and a signature oracle that
 * the caller has filled beforehand (signatures are checked, counted and
 * charged outside). Records carry H(m), not m ("hash echoes"); the message
 * itself comes from `messageFor`. Spec: ../shared/specs/byzantine-broadcast.md.
 */

/** Whether `signer`'s signature over (purpose, the broadcast, hash) is valid. */
export type SignatureOracle = (signer: number, purpose: 'broadcast' | 'ready', hash: Uint8Array, signature: Uint8Array) => boolean;

/** CB fast path: every one of the n records echoes the same hash. */
export function unanimousEcho(records: readonly RecordView[]): Uint8Array | null {
  const first = records[0]?.echo;
  if (!first) return null;
  return records.every((record) => sameBytes(record.echo, first)) ? first : null;
}

/** A record's echo, if its `signed` field is the sender's valid signature over it. */
function signedEcho(record: RecordView, sender: number, valid: SignatureOracle): Uint8Array | null {
  if (!record.echo || !record.signed) return null;
  return valid(sender, 'broadcast', record.echo, record.signed) ? record.echo : null;
}

/**
 * CB slow path: at least f+1 records hold (h, valid σ_s, checked) and none
 * holds a validly signed h' ≠ h. `requireChecked = false` is the `no-check`
 * mutant: f+1 signed copies suffice and conflicts are not looked for.
 */
export function checkedQuorum(records: readonly RecordView[], sender: number, f: number, valid: SignatureOracle, requireChecked = true): Uint8Array | null {
  const signed = records.map((record) => signedEcho(record, sender, valid));
  for (const candidate of signed) {
    if (!candidate) continue;
    const support = records.filter((record, index) => sameBytes(signed[index] ?? undefined, candidate) && (!requireChecked || record.checked)).length;
    if (support < f + 1) continue;
    if (requireChecked && signed.some((other) => other && !sameBytes(other, candidate))) return null;
    return candidate;
  }
  return null;
}

/** The replicator's write-then-read check: whether some record holds a validly signed hash other than `adopted`. */
export function conflictingSignedEcho(records: readonly RecordView[], sender: number, adopted: Uint8Array, valid: SignatureOracle): boolean {
  return records.some((record) => {
    const hash = signedEcho(record, sender, valid);
    return hash !== null && !sameBytes(hash, adopted);
  });
}

/** A valid sender signature over `hash`, from the sender's slot or any record (it is transferable). */
export function senderSignatureFor(hash: Uint8Array, slot: SenderView, records: readonly RecordView[], sender: number, valid: SignatureOracle): Uint8Array | null {
  if (slot.sig && valid(sender, 'broadcast', hash, slot.sig)) return slot.sig;
  for (const record of records) {
    if (record.signed && sameBytes(record.echo, hash) && valid(sender, 'broadcast', hash, record.signed)) return record.signed;
  }
  return null;
}

/** Every one of the n records shows Ready(hash) (RB fast path; a sender's acknowledgements); any common hash if none is given. */
export function unanimousReady(records: readonly RecordView[], hash?: Uint8Array): Uint8Array | null {
  const first = hash ?? records[0]?.ready;
  if (!first) return null;
  return records.every((record) => sameBytes(record.ready, first)) ? first : null;
}

/** Every one of the n records holds a delivered message hashing to `hash`. */
export function everyoneDelivered(records: readonly RecordView[], hash: Uint8Array): boolean {
  return records.every((record) => record.delivered !== undefined && sameBytes(messageHash(record.delivered), hash));
}

/** The entries of a ReadySet that are valid Readys for its hash by distinct replicators (signers below `replicators`). */
export function validReadyEntries(set: ReadySet, replicators: number, valid: SignatureOracle): ReadyEntry[] {
  const entries: ReadyEntry[] = [];
  for (const entry of set.entries) {
    if (entry.signer >= replicators || entries.some((other) => other.signer === entry.signer)) continue;
    if (valid(entry.signer, 'ready', set.hash, entry.signature)) entries.push(entry);
  }
  return entries;
}

/** A ReadySet found in some record, or assembled from f+1 signed Readys in the records (the n replicators' records, by process). */
export function findReadySet(records: readonly RecordView[], f: number, valid: SignatureOracle): ReadySet | null {
  for (const record of records) {
    if (!record.readySet) continue;
    const entries = validReadyEntries(record.readySet, records.length, valid);
    if (entries.length >= f + 1) return { hash: record.readySet.hash, entries: entries.slice(0, f + 1) };
  }
  const byHash = new Map<string, { hash: Uint8Array; entries: ReadyEntry[] }>();
  records.forEach((record, signer) => {
    if (!record.ready || !record.readySig || !valid(signer, 'ready', record.ready, record.readySig)) return;
    const key = Buffer.from(record.ready).toString('hex');
    const group = byHash.get(key) ?? { hash: record.ready, entries: [] };
    group.entries.push({ signer, signature: record.readySig });
    byHash.set(key, group);
  });
  for (const group of byHash.values()) if (group.entries.length >= f + 1) return { hash: group.hash, entries: group.entries.slice(0, f + 1) };
  return null;
}

/**
 * A message with H(m) = hash among the candidates (one's adoption, the
 * copies of the sender's slot, `delivered` fields), or null: delivering a
 * decided hash waits until one is at hand. `checkValue = false` is the
 * `unchecked-value` mutant: the first candidate at hand, whatever its hash.
 */
export function messageFor(hash: Uint8Array, candidates: readonly (Uint8Array | undefined)[], checkValue = true): Uint8Array | null {
  if (!checkValue) return candidates.find((candidate) => candidate !== undefined) ?? null;
  for (const candidate of candidates) if (candidate && sameBytes(messageHash(candidate), hash)) return candidate;
  return null;
}
