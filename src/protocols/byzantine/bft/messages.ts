/**
 * The messages of Byzantine consensus with n = 2f+1 on consistent broadcast
 * (specs/bft-consensus.md §2.3), as typed values. `via` in the spec: the
 * stream messages (PREPARE, COMMIT, SEAL, NEW_VIEW, CHECKPOINT) travel in the
 * sender's CB stream, in k order; the others are point-to-point messages.
 *
 * Numbers are JavaScript integers 0..2^53−1 (larger u64s are ill-formed on
 * the wire); a view a that may be −1 (no SEAL yet) is kept as −1 here and
 * encoded as a+1. Hashes are SHA-256 (32 bytes), signatures Ed25519 (64).
 * Lists that the encoding sorts (certificates by signer, vcState by i,
 * snapshots by key and client) are kept sorted in these values too, so
 * encode(decode(bytes)) = bytes for every well-formed message.
 */

/** H(·): SHA-256, 32 bytes. */
export type Hash = Uint8Array;

/** One replica's Ed25519 signature (64 bytes) over a statement (src/crypto/statement.ts). */
export interface Share {
  readonly signer: number;
  readonly signature: Uint8Array;
}

/** A client's signed request: σc(request, c, s, op). */
export interface Request {
  readonly client: number;
  readonly sequence: number;
  /** The operation (≤ 128 bytes): an encoded KV command. */
  readonly op: Uint8Array;
  readonly signature: Uint8Array;
}

/** A batch: ≤ β requests, each (c, s) once; H(batch) is the hash of its encoding. */
export type Batch = readonly Request[];

/** PC: f+1 valid shares of distinct replicas on (prepare, v, i, h). Shares sorted by signer. */
export interface PrepareCertificate {
  readonly view: number;
  readonly instance: number;
  readonly hash: Hash;
  readonly shares: readonly Share[];
}

/** CP: f+1 valid shares on (checkpoint, next, d), next ≡ 0 mod W/2; covers every i < next. */
export interface CheckpointCertificate {
  readonly next: number;
  readonly digest: Hash;
  readonly shares: readonly Share[];
}

/** One entry of commits(p): the highest-view valid COMMIT at instance i. */
export interface CommitEntry {
  readonly instance: number;
  readonly view: number;
  readonly hash: Hash;
}

/** vcState(p) = ((ckpt(p).next, d), commits(p)); commits sorted by instance, each ≥ checkpointNext. */
export interface VcState {
  readonly checkpointNext: number;
  /** d of ckpt(p), or 32 zero bytes with next 0 when p has no CP. */
  readonly checkpointDigest: Hash;
  readonly commits: readonly CommitEntry[];
}

/** One f+1-certified view-change state inside a NEW_VIEW: shares on (vc-state, p, a, u, H(vcState)). */
export interface CertifiedState {
  readonly process: number;
  /** sealed(p) before the SEAL (−1: none). */
  readonly sealedBefore: number;
  /** The SEAL's view. */
  readonly sealed: number;
  readonly state: VcState;
  readonly certificate: readonly Share[];
}

/** Per client: last executed sequence number and its result (for REPLY again on a resent REQ). */
export interface ClientRecord {
  readonly client: number;
  readonly last: number;
  readonly result: Uint8Array;
}

/** A checkpoint's snapshot: the KV pairs (sorted by key) and the client table (sorted by client); d = H(encoding). */
export interface Snapshot {
  readonly pairs: readonly (readonly [key: string, value: string])[];
  readonly clients: readonly ClientRecord[];
}

// Stream messages (CB).
export interface PrepareMessage { readonly type: 'prepare'; readonly view: number; readonly instance: number; readonly batch: Batch }
export interface CommitMessage { readonly type: 'commit'; readonly view: number; readonly instance: number; readonly batch: Batch; readonly certificate: PrepareCertificate }
export interface SealMessage { readonly type: 'seal'; readonly view: number }
export interface NewViewMessage { readonly type: 'new-view'; readonly view: number; readonly checkpoint: CheckpointCertificate | null; readonly states: readonly CertifiedState[] }
export interface CheckpointMessage { readonly type: 'checkpoint'; readonly checkpoint: CheckpointCertificate }

// Point-to-point messages.
export interface RequestMessage { readonly type: 'req'; readonly request: Request }
export interface PromiseMessage { readonly type: 'promise'; readonly view: number; readonly instance: number; readonly hash: Hash }
export interface CommitFastMessage { readonly type: 'commit-fast'; readonly view: number; readonly instance: number; readonly hash: Hash }
export interface ShareMessage { readonly type: 'share'; readonly view: number; readonly instance: number; readonly hash: Hash; readonly signature: Uint8Array }
export interface VcShareMessage {
  readonly type: 'vc-share';
  readonly process: number;
  readonly sealedBefore: number;
  readonly sealed: number;
  readonly state: VcState;
  readonly checkpoint: CheckpointCertificate | null;
  readonly signature: Uint8Array;
}
export interface BatchRequestMessage { readonly type: 'batch-req'; readonly view: number; readonly instance: number; readonly hash: Hash }
export interface BatchMessage { readonly type: 'batch'; readonly batch: Batch }
export interface HaveCheckpointMessage { readonly type: 'have-cp'; readonly checkpoint: CheckpointCertificate }
export interface CheckpointShareMessage { readonly type: 'ckpt-share'; readonly next: number; readonly digest: Hash; readonly signature: Uint8Array }
export interface FetchMessage { readonly type: 'fetch'; readonly checkpoint: CheckpointCertificate }
export interface StateMessage { readonly type: 'state'; readonly checkpoint: CheckpointCertificate; readonly snapshot: Snapshot }
export interface ReplyMessage { readonly type: 'reply'; readonly client: number; readonly sequence: number; readonly result: Uint8Array }

export type StreamMessage = PrepareMessage | CommitMessage | SealMessage | NewViewMessage | CheckpointMessage;
export type PointMessage =
  | RequestMessage
  | PromiseMessage
  | CommitFastMessage
  | ShareMessage
  | VcShareMessage
  | BatchRequestMessage
  | BatchMessage
  | HaveCheckpointMessage
  | CheckpointShareMessage
  | FetchMessage
  | StateMessage
  | ReplyMessage;
export type BftMessage = StreamMessage | PointMessage;

/**
 * Type bytes on the wire, in the spec's table order. Stream and point
 * messages share one numbering so a message received on the wrong channel
 * is recognised and refused as ill-formed.
 */
export const messageTypes = {
  req: 1,
  prepare: 2,
  promise: 3,
  'commit-fast': 4,
  share: 5,
  commit: 6,
  seal: 7,
  'vc-share': 8,
  'new-view': 9,
  'batch-req': 10,
  batch: 11,
  'have-cp': 12,
  'ckpt-share': 13,
  checkpoint: 14,
  fetch: 15,
  state: 16,
  reply: 17,
} as const satisfies Record<BftMessage['type'], number>;

export const streamMessageTypes: ReadonlySet<BftMessage['type']> = new Set(['prepare', 'commit', 'seal', 'new-view', 'checkpoint']);
