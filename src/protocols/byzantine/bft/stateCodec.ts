import { createHash } from 'node:crypto';
import { FieldReader, FieldWriter, MalformedField, hashBytes, signatureBytes } from './fieldCodec.js';
import type { CheckpointCertificate, CommitEntry, Hash, PrepareCertificate, Share, Snapshot, VcState } from './messages.js';

/**
 * Encodings of the parts several messages carry — certificates, view-change
 * states, snapshots — and the two hashes signed over them: H(vcState) in
 * VC-SHARE statements and d = H(snapshot) in checkpoint statements
 * (specs/bft-consensus.md §2.3: sorted lists, so equal values have equal
 * bytes and a correct replica's hash is the one every other computes).
 */

export function hash(bytes: Uint8Array): Hash {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/** Most entries a certificate may list (n replicas; more is ill-formed). */
export const maxReplicas = 0xffff;

export function writeShares(writer: FieldWriter, shares: readonly Share[]): void {
  writer.list(shares, (w, share) => w.u16(share.signer).raw(share.signature, signatureBytes));
}

/** Shares sorted by signer, each signer once (a repeated or unsorted signer is ill-formed: `duplicate-signers` cannot pass). */
/** `repeatedSigners`: the `duplicate-signers` mutant's decoding, which lets a signer repeat (sorted still). */
export function readShares(reader: FieldReader, name: string, repeatedSigners = false): Share[] {
  const shares = reader.list(name, maxReplicas, (r) => ({ signer: r.u16(`${name} signer`), signature: r.raw(`${name} signature`, signatureBytes) }));
  for (let index = 1; index < shares.length; index++) {
    if (repeatedSigners ? shares[index].signer < shares[index - 1].signer : shares[index].signer <= shares[index - 1].signer) throw new MalformedField(`${name} signers not strictly increasing (${shares[index - 1].signer}, ${shares[index].signer})`);
  }
  return shares;
}

export function writePrepareCertificate(writer: FieldWriter, pc: PrepareCertificate): void {
  writer.u64(pc.view).u64(pc.instance).raw(pc.hash, hashBytes);
  writeShares(writer, pc.shares);
}

export function readPrepareCertificate(reader: FieldReader, repeatedSigners = false): PrepareCertificate {
  return { view: reader.u64('PC view'), instance: reader.u64('PC instance'), hash: reader.raw('PC hash', hashBytes), shares: readShares(reader, 'PC', repeatedSigners) };
}

export function writeCheckpointCertificate(writer: FieldWriter, cp: CheckpointCertificate): void {
  writer.u64(cp.next).raw(cp.digest, hashBytes);
  writeShares(writer, cp.shares);
}

export function readCheckpointCertificate(reader: FieldReader): CheckpointCertificate {
  return { next: reader.u64('CP next'), digest: reader.raw('CP digest', hashBytes), shares: readShares(reader, 'CP') };
}

/** An optional CP: a list of zero or one (no CP: next 0). */
export function writeOptionalCheckpoint(writer: FieldWriter, cp: CheckpointCertificate | null): void {
  writer.list(cp ? [cp] : [], (w, item) => writeCheckpointCertificate(w, item));
}

export function readOptionalCheckpoint(reader: FieldReader): CheckpointCertificate | null {
  const list = reader.list('optional CP', 1, (r) => readCheckpointCertificate(r));
  return list[0] ?? null;
}

export function writeVcState(writer: FieldWriter, state: VcState): void {
  writer.u64(state.checkpointNext).raw(state.checkpointDigest, hashBytes);
  writer.list(state.commits, (w, entry) => w.u64(entry.instance).u64(entry.view).raw(entry.hash, hashBytes));
}

/** A vcState; its commits strictly increasing in i, none below the checkpoint, at most `commitLimit` (2W) of them. */
export function readVcState(reader: FieldReader, commitLimit: number): VcState {
  const checkpointNext = reader.u64('vcState ckpt next');
  const checkpointDigest = reader.raw('vcState ckpt digest', hashBytes);
  const commits: CommitEntry[] = reader.list('vcState commits', commitLimit, (r) => ({ instance: r.u64('commit i'), view: r.u64('commit view'), hash: r.raw('commit hash', hashBytes) }));
  for (let index = 0; index < commits.length; index++) {
    if (commits[index].instance < checkpointNext) throw new MalformedField(`vcState commit at ${commits[index].instance} below its checkpoint ${checkpointNext}`);
    if (index > 0 && commits[index].instance <= commits[index - 1].instance) throw new MalformedField('vcState commits not strictly increasing in i');
  }
  return { checkpointNext, checkpointDigest, commits };
}

export function vcStateBytes(state: VcState): Uint8Array {
  const writer = new FieldWriter();
  writeVcState(writer, state);
  return writer.finish();
}

/** H(vcState): what a VC-SHARE signs. */
export function vcStateHash(state: VcState): Hash {
  return hash(vcStateBytes(state));
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) if (a[index] !== b[index]) return a[index] - b[index];
  return a.length - b.length;
}

/** Sorts a snapshot's pairs by key (UTF-8 bytes) and clients by id: the canonical form whose encoding is hashed. */
export function canonicalSnapshot(snapshot: Snapshot): Snapshot {
  const pairs = [...snapshot.pairs].sort((a, b) => compareBytes(utf8.encode(a[0]), utf8.encode(b[0])));
  const clients = [...snapshot.clients].sort((a, b) => a.client - b.client);
  return { pairs, clients };
}

export function writeSnapshot(writer: FieldWriter, snapshot: Snapshot): void {
  const canonical = canonicalSnapshot(snapshot);
  writer.list(canonical.pairs, (w, [key, value]) => w.bytes(utf8.encode(key)).bytes(utf8.encode(value)));
  writer.list(canonical.clients, (w, record) => w.u64(record.client).u64(record.last).bytes(record.result));
}

/** A snapshot within `limitBytes` (the run's state-transfer cap); unsorted or repeated keys or clients are ill-formed. */
export function readSnapshot(reader: FieldReader, limitBytes: number): Snapshot {
  const text = (bytes: Uint8Array, name: string): string => {
    try {
      return fromUtf8.decode(bytes);
    } catch {
      throw new MalformedField(`${name} is not UTF-8`);
    }
  };
  const rawPairs = reader.list('snapshot pairs', limitBytes, (r) => [r.bytes('key', limitBytes), r.bytes('value', limitBytes)] as const);
  for (let index = 1; index < rawPairs.length; index++) {
    if (compareBytes(rawPairs[index - 1][0], rawPairs[index][0]) >= 0) throw new MalformedField('snapshot keys not strictly increasing');
  }
  const clients = reader.list('snapshot clients', limitBytes, (r) => ({ client: r.u64('client'), last: r.u64('last'), result: r.bytes('result', limitBytes) }));
  for (let index = 1; index < clients.length; index++) {
    if (clients[index].client <= clients[index - 1].client) throw new MalformedField('snapshot clients not strictly increasing');
  }
  return { pairs: rawPairs.map(([key, value]) => [text(key, 'key'), text(value, 'value')] as const), clients };
}

export function snapshotBytes(snapshot: Snapshot): Uint8Array {
  const writer = new FieldWriter();
  writeSnapshot(writer, snapshot);
  return writer.finish();
}

/** d = H(snapshot): what a CKPT-SHARE signs and a STATE must match. */
export function snapshotDigest(snapshot: Snapshot): Hash {
  return hash(snapshotBytes(snapshot));
}
