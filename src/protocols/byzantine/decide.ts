import { sameBytes, type ProofEntry, type SlotContent } from './slot.js';

/**
 * The decisions of consistent and reliable broadcast as pure functions of
 * what a process read: the n replicators' records for one broadcast (null
 * where a record is empty or unreadable) and a signature oracle that the
 * caller has filled beforehand (signatures are checked, counted and charged
 * outside). Spec: ../shared/specs/byzantine-broadcast.md.
 */

/** Whether `signer`'s signature over (purpose, the broadcast, value) is valid. */
export type SignatureOracle = (signer: number, purpose: 'broadcast' | 'ready', value: Uint8Array, signature: Uint8Array) => boolean;

/** CB fast path: every one of the n records holds the same echo. */
export function unanimousEcho(records: readonly (SlotContent | null)[]): Uint8Array | null {
  const first = records[0]?.echo;
  if (!first) return null;
  return records.every((record) => sameBytes(record?.echo, first)) ? first : null;
}

/** A record's echo carries a valid signature of the sender. */
function signedEcho(record: SlotContent | null, sender: number, valid: SignatureOracle): Uint8Array | null {
  if (!record?.echo || !record.echoSignature) return null;
  return valid(sender, 'broadcast', record.echo, record.echoSignature) ? record.echo : null;
}

/**
 * CB slow path: at least f+1 records hold (m, valid σ_s, checked) and none
 * holds a validly signed m' ≠ m. `requireChecked = false` is the `no-check`
 * mutant: f+1 signed copies suffice and conflicts are not looked for.
 */
export function checkedQuorum(records: readonly (SlotContent | null)[], sender: number, f: number, valid: SignatureOracle, requireChecked = true): Uint8Array | null {
  const signed = records.map((record) => signedEcho(record, sender, valid));
  for (const candidate of signed) {
    if (!candidate) continue;
    const support = records.filter((record, index) => signed[index] && sameBytes(signed[index] ?? undefined, candidate) && (!requireChecked || record?.checked)).length;
    if (support < f + 1) continue;
    if (requireChecked && signed.some((other) => other && !sameBytes(other, candidate))) return null;
    return candidate;
  }
  return null;
}

/** The replicator's write-then-read check: whether some other record holds a validly signed value other than `adopted`. */
export function conflictingSignedEcho(records: readonly (SlotContent | null)[], sender: number, adopted: Uint8Array, valid: SignatureOracle): boolean {
  return records.some((record) => {
    const value = signedEcho(record, sender, valid);
    return value !== null && !sameBytes(value, adopted);
  });
}

/** A valid sender signature for `value`, from the sender's slot or any record (it is transferable). */
export function senderSignatureFor(value: Uint8Array, senderSlot: SlotContent | null, records: readonly (SlotContent | null)[], sender: number, valid: SignatureOracle): Uint8Array | null {
  if (senderSlot?.signature && sameBytes(senderSlot.value, value) && valid(sender, 'broadcast', value, senderSlot.signature)) return senderSlot.signature;
  for (const record of records) {
    if (record?.echoSignature && sameBytes(record.echo, value) && valid(sender, 'broadcast', value, record.echoSignature)) return record.echoSignature;
  }
  return null;
}

/** Every one of the n records shows `field` = value (RB fast path: Ready; acknowledgements: Ready; completion: delivered). */
export function unanimous(records: readonly (SlotContent | null)[], field: 'ready' | 'delivered', value?: Uint8Array): Uint8Array | null {
  const first = value ?? records[0]?.[field];
  if (!first) return null;
  return records.every((record) => sameBytes(record?.[field], first)) ? first : null;
}

/** The entries of a ReadySet that are valid Readys for `value` of distinct replicators (signers below `replicators`). */
export function validProofEntries(value: Uint8Array, proof: readonly ProofEntry[], replicators: number, valid: SignatureOracle): ProofEntry[] {
  const entries: ProofEntry[] = [];
  for (const entry of proof) {
    if (entry.signer >= replicators || entries.some((other) => other.signer === entry.signer)) continue;
    if (valid(entry.signer, 'ready', value, entry.signature)) entries.push(entry);
  }
  return entries;
}

/** A ReadySet found in some record, or assembled from f+1 signed Readys in the records (the n replicators' records, by process). */
export function findProof(records: readonly (SlotContent | null)[], f: number, valid: SignatureOracle): { value: Uint8Array; proof: ProofEntry[] } | null {
  for (const record of records) {
    if (!record?.proofValue || !record.proof) continue;
    const entries = validProofEntries(record.proofValue, record.proof, records.length, valid);
    if (entries.length >= f + 1) return { value: record.proofValue, proof: entries.slice(0, f + 1) };
  }
  const byValue = new Map<string, { value: Uint8Array; proof: ProofEntry[] }>();
  records.forEach((record, signer) => {
    if (!record?.ready || !record.readySignature || !valid(signer, 'ready', record.ready, record.readySignature)) return;
    const key = Buffer.from(record.ready).toString('hex');
    const group = byValue.get(key) ?? { value: record.ready, proof: [] };
    group.proof.push({ signer, signature: record.readySignature });
    byValue.set(key, group);
  });
  for (const group of byValue.values()) if (group.proof.length >= f + 1) return { value: group.value, proof: group.proof.slice(0, f + 1) };
  return null;
}
