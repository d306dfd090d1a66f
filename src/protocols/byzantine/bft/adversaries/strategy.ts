import { batchHash } from '../codec.js';
import type { Batch, Hash, PointMessage, StreamMessage } from '../messages.js';
import { sameHash } from '../quorums.js';
import type { StreamOutcome } from '../streamState.js';
import { leaderOf } from '../viewChange.js';
import type { BftReplicaBehaviour, ByzantineContext } from './behaviour.js';

/**
 * What every Byzantine strategy of bft shares: its context, the effect
 * note (once per kind of effect), and the evidence a Byzantine replica can
 * see of its effect on the correct ones:
 *
 * - a correct replica's SHARE: it took the slow path (Tslow fired, §2.4.6);
 * - a correct replica's SEAL in its stream: it left a view (§2.5);
 * - Σp's outcome on this replica's own stream: Σp depends on the stream
 *   prefix alone (§2.2), so a message of ours that our Σp ignores or that
 *   closes our epoch is ignored or closes it at every correct reader.
 */
export abstract class ByzantineStrategy implements BftReplicaBehaviour {
  abstract readonly name: string;
  protected context!: ByzantineContext;
  private readonly reported = new Set<string>();

  attach(context: ByzantineContext): void {
    this.context = context;
  }

  protected correct(process: number): boolean {
    return process < this.context.n && !this.context.colluders.has(process);
  }

  protected leader(view: number): number {
    return leaderOf(view, this.context.n);
  }

  /** Notes `reason` the first time an effect of kind `key` is seen. */
  protected effect(key: string, reason: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.context.note(reason);
  }

  /** A correct replica's SHARE: it went slow at (v, i). */
  protected slowEvidence(from: number, message: PointMessage, cause: string): void {
    if (message.type === 'share' && this.correct(from)) this.effect('slow', `p${from} took the slow path at (${message.view}, ${message.instance}): ${cause}`);
  }

  /** A correct replica's SEAL: it left the view. */
  protected sealEvidence(sender: number, outcome: StreamOutcome, cause: string): void {
    if (outcome.kind === 'sealed' && this.correct(sender)) this.effect('seal', `p${sender} sealed view ${outcome.view}: ${cause}`);
  }

  /** Our own stream message refused by Σp (so by every correct reader). */
  protected refusedEvidence(sender: number, message: StreamMessage, outcome: StreamOutcome): void {
    if (sender !== this.context.self || (outcome.kind !== 'closed' && outcome.kind !== 'ignored')) return;
    const verdict = outcome.kind === 'closed' ? `closed epoch ${outcome.view}: ${outcome.reason}` : `ignored: ${outcome.reason}`;
    this.effect(`refused-${message.type}`, `every correct reader refused our ${message.type.toUpperCase()} (Σp ${verdict})`);
  }
}

/** The hash of a batch other than the one hashed to `hash`: the empty batch's, or a flipped copy. */
export function otherHash(hash: Hash): Hash {
  const empty = batchHash([]);
  if (!sameHash(empty, hash)) return empty;
  const flipped = Uint8Array.from(hash);
  flipped[0] ^= 0xff;
  return flipped;
}

/** A different batch from `batch`: reversed if it has two requests or more, else empty (else one request dropped). */
export function otherBatch(batch: Batch): Batch {
  if (batch.length >= 2) return [...batch].reverse();
  return [];
}

/** Bytes that are no one's signature (one fixed flip of `signature`). */
export function forgedSignature(signature: Uint8Array): Uint8Array {
  const forged = Uint8Array.from(signature);
  forged[forged.length - 1] ^= 0x5a;
  return forged;
}
