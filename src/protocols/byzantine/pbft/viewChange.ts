import type { Batch, Hash } from '../bft/messages.js';
import { batchHash } from '../bft/codec.js';
import { hashKey, sameHash } from '../bft/quorums.js';
import type { Choice, NewViewMessage, PreparedEntry, ViewChangeBody, ViewChangeMessage } from './messages.js';
import type { PbftMutant } from './quorums.js';

/**
 * The view change's pure rules (TOCS 2002 §4.5). From a set S of ≥ 2f+1
 * VIEW-CHANGEs for view w, the new primary picks, for every instance i up
 * to the highest prepared one:
 *
 * - batch h prepared in view v′ (some P entry (i, v′, h)) if
 *   A1: 2f+1 members of S have no P entry at i, or one of a lower view, or
 *       (v′, h) itself — none prepared anything else at v′ or above; and
 *   A2: f+1 members of S pre-prepared h at i in a view ≥ v′ (one is correct);
 * - the null batch if 2f+1 members of S have no P entry at i (B);
 * - nothing yet otherwise: the primary waits for more VIEW-CHANGEs.
 *
 * Why a committed batch survives: committed at (v, i) means 2f+1 prepared
 * it, f+1 of them correct, whose P entry at i stays at v or a later view's
 * batch — which by induction is the same h. Any 2f+1 of S meet those f+1
 * in a correct replica, so B never holds, no other batch passes A1 at a
 * view ≥ v, and one below v fails A1 against that replica's entry. A
 * backup re-runs the choice on the NEW-VIEW's S, so a Byzantine primary
 * cannot drop the batch by choosing differently.
 */

export const nullBatch: Batch = [];
export const nullHash: Hash = batchHash(nullBatch);

export type ChoiceOutcome =
  | { readonly kind: 'chosen'; readonly chosen: readonly Choice[]; readonly batches: ReadonlyMap<string, Batch> }
  | { readonly kind: 'undetermined'; readonly instance: number };

/** The choice over S (each member a distinct replica's, for one view). Deterministic: the same S gives the same O. */
export function chooseBatches(set: readonly ViewChangeBody[], f: number, mutant?: PbftMutant): ChoiceOutcome {
  const batches = new Map<string, Batch>([[hashKey(nullHash), nullBatch]]);
  let highest = -1;
  for (const member of set) for (const entry of member.prepared) highest = Math.max(highest, entry.instance);
  const chosen: Choice[] = [];
  for (let instance = 0; instance <= highest; instance++) {
    const entries = set.map((member) => member.prepared.find((entry) => entry.instance === instance));
    const candidates: PreparedEntry[] = [];
    for (const entry of entries) {
      if (!entry || candidates.some((known) => known.view === entry.view && sameHash(known.hash, entry.hash))) continue;
      const a1 = entries.filter((other) => !other || other.view < entry.view || (other.view === entry.view && sameHash(other.hash, entry.hash))).length >= 2 * f + 1;
      const a2 = set.filter((member) => member.prePrepared.some((q) => q.instance === instance && q.view >= entry.view && sameHash(q.hash, entry.hash))).length >= f + 1;
      if ((a1 || mutant === 'choose-lowest-view') && a2) candidates.push(entry);
    }
    if (candidates.length > 0) {
      // Highest view first (the mutant: lowest), then the smaller hash, so every replica picks alike.
      candidates.sort((a, b) => (mutant === 'choose-lowest-view' ? a.view - b.view : b.view - a.view) || hashKey(a.hash).localeCompare(hashKey(b.hash)));
      const pick = candidates[0];
      batches.set(hashKey(pick.hash), pick.batch);
      chosen.push({ instance, hash: pick.hash });
    } else if (entries.filter((entry) => !entry).length >= 2 * f + 1) {
      chosen.push({ instance, hash: nullHash });
    } else {
      return { kind: 'undetermined', instance };
    }
  }
  return { kind: 'chosen', chosen, batches };
}

/**
 * Whether one VIEW-CHANGE is well-formed for view w: from `replica` (≤ n),
 * entries of views below w, instances in order and once each in P, each P
 * batch matching its hash, and `validBatch` (client signatures) holding.
 * The signature is the caller's to check (it holds the keys and counters).
 */
export function wellFormedViewChange(message: ViewChangeBody, view: number, n: number, validBatch: (batch: Batch) => boolean): boolean {
  if (message.view !== view || message.replica < 0 || message.replica >= n) return false;
  let previous = -1;
  for (const entry of message.prepared) {
    if (entry.instance <= previous || entry.view >= view) return false;
    previous = entry.instance;
    if (!sameHash(batchHash(entry.batch), entry.hash) || !validBatch(entry.batch)) return false;
  }
  return message.prePrepared.every((entry) => entry.view < view);
}

/**
 * A backup's check of NEW-VIEW(w, V, O) from primary(w): ≥ 2f+1 VIEW-CHANGEs
 * for w from distinct replicas, each well-formed and correctly signed, and
 * O exactly what the choice gives on V. Returns the chosen batches (with
 * their contents) or undefined when the NEW-VIEW is invalid.
 */
export function validateNewView(
  message: NewViewMessage,
  context: { readonly f: number; readonly n: number; readonly mutant?: PbftMutant },
  validSignature: (viewChange: ViewChangeMessage) => boolean,
  validBatch: (batch: Batch) => boolean,
): { readonly chosen: readonly Choice[]; readonly batches: ReadonlyMap<string, Batch> } | undefined {
  const senders = new Set<number>();
  for (const viewChange of message.viewChanges) {
    if (senders.has(viewChange.replica)) return undefined;
    senders.add(viewChange.replica);
    if (!wellFormedViewChange(viewChange, message.view, context.n, validBatch) || !validSignature(viewChange)) return undefined;
  }
  if (senders.size < 2 * context.f + 1) return undefined;
  const outcome = chooseBatches(message.viewChanges, context.f, context.mutant);
  if (outcome.kind !== 'chosen' || outcome.chosen.length !== message.chosen.length) return undefined;
  for (let index = 0; index < outcome.chosen.length; index++) {
    const mine = outcome.chosen[index];
    const theirs = message.chosen[index];
    if (mine.instance !== theirs.instance || !sameHash(mine.hash, theirs.hash)) return undefined;
  }
  return { chosen: outcome.chosen, batches: outcome.batches };
}
