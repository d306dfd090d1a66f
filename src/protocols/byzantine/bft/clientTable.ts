import type { Request } from './messages.js';

/**
 * A replica's per-client bookkeeping (specs/bft-consensus.md §2.4.8):
 * last[c] and its result (for REPLY again on a resent REQ), and the one
 * pending REQ per client — the highest-s one, superseding older ones —
 * until it is executed. Execution skips (c, s) with s ≤ last[c], so a
 * request decided twice (re-proposed across views, or resent) runs once.
 */

/**
 * Variants that break §2.4.8 on purpose (§6), for the tests that show the
 * rule matters: `no-dedupe` runs a request decided twice again (execution
 * no longer skips s ≤ last[c]); `op-executed` takes "executed" to mean
 * "this op ran" rather than "(c, s) ran", so a conflicting client's second
 * op under the same s is still pending, proposable and runnable after the
 * first ran.
 */
export type ClientTableMutant = 'no-dedupe' | 'op-executed';

/** What to do with an arriving REQ. */
export type RequestVerdict =
  /** s < last[c], or not above the pending one: nothing to do. */
  | { readonly kind: 'stale' }
  /** s = last[c]: it ran; answer with the kept result. */
  | { readonly kind: 'reply-again'; readonly result: Uint8Array }
  /** A new highest REQ of c: now pending (superseding `superseded`, if any). */
  | { readonly kind: 'pending'; readonly superseded?: Request };

export class ClientTable {
  private readonly lastRun = new Map<number, { readonly sequence: number; readonly result: Uint8Array }>();
  private readonly waiting = new Map<number, Request>();
  /** Only the `op-executed` mutant: the (c, s, op)s that ran, with their results. */
  private readonly ranOps = new Map<string, Uint8Array>();

  constructor(private readonly mutant?: ClientTableMutant) {}

  /** last[c]: the highest s executed for c (0: none). */
  last(client: number): number {
    return this.lastRun.get(client)?.sequence ?? 0;
  }

  lastResult(client: number): Uint8Array | undefined {
    return this.lastRun.get(client)?.result;
  }

  /** Whether (c, s) is executed: last[c] ≥ s. */
  executed(client: number, sequence: number): boolean {
    return this.last(client) >= sequence;
  }

  /**
   * Whether execution skips `request` (§2.4.8: (c, s) with s ≤ last[c]), so
   * a request decided twice runs once. The mutants: `no-dedupe` skips
   * nothing; `op-executed` skips only an op that ran itself.
   */
  skips(request: Request): boolean {
    if (this.mutant === 'no-dedupe') return false;
    if (this.mutant === 'op-executed') return this.ranOps.has(opKey(request));
    return request.sequence <= this.last(request.client);
  }

  /** Pending requests, one per client, in client order (a deterministic proposal order). */
  pending(): Request[] {
    return [...this.waiting.values()].sort((a, b) => a.client - b.client);
  }

  pendingOf(client: number): Request | undefined {
    return this.waiting.get(client);
  }

  offer(request: Request): RequestVerdict {
    if (this.mutant === 'op-executed') return this.offerByOp(request);
    const last = this.lastRun.get(request.client);
    if (last && request.sequence === last.sequence) return { kind: 'reply-again', result: last.result };
    if (last && request.sequence < last.sequence) return { kind: 'stale' };
    const known = this.waiting.get(request.client);
    if (known && known.sequence >= request.sequence) return { kind: 'stale' };
    this.waiting.set(request.client, request);
    return known ? { kind: 'pending', superseded: known } : { kind: 'pending' };
  }

  /** The `op-executed` mutant's offer: a REQ is answered again only if its own op ran; another op under a run s is new. */
  private offerByOp(request: Request): RequestVerdict {
    const ran = this.ranOps.get(opKey(request));
    if (ran) return { kind: 'reply-again', result: ran };
    const known = this.waiting.get(request.client);
    if (known && (known.sequence > request.sequence || opKey(known) === opKey(request))) return { kind: 'stale' };
    this.waiting.set(request.client, request);
    return known ? { kind: 'pending', superseded: known } : { kind: 'pending' };
  }

  /**
   * Records that (c, s) ran with `result` (the caller checked s > last[c]);
   * returns the pending REQ it settles, if any (pending with s' ≤ s). `op`
   * is the op that ran (only the `op-executed` mutant reads it: it settles
   * a pending REQ only if that very op ran).
   */
  record(client: number, sequence: number, result: Uint8Array, op?: Uint8Array): Request | undefined {
    this.lastRun.set(client, { sequence, result });
    const known = this.waiting.get(client);
    if (this.mutant === 'op-executed' && op) {
      this.ranOps.set(opKey({ client, sequence, op }), result);
      if (known && opKey(known) !== opKey({ client, sequence, op })) return undefined;
    }
    if (known && known.sequence <= sequence) {
      this.waiting.delete(client);
      return known;
    }
    return undefined;
  }

  /**
   * Replaces last[c] and the results with a snapshot's client table (state
   * transfer, §2.7.2); pending REQs the snapshot shows executed leave, and
   * are returned so their timers stop.
   */
  install(records: readonly { readonly client: number; readonly last: number; readonly result: Uint8Array }[]): Request[] {
    this.lastRun.clear();
    for (const record of records) this.lastRun.set(record.client, { sequence: record.last, result: record.result });
    const settled: Request[] = [];
    for (const [client, request] of [...this.waiting]) {
      if (request.sequence <= this.last(client)) {
        this.waiting.delete(client);
        settled.push(request);
      }
    }
    return settled;
  }

  /** Every client's (last[c], result), sorted by client: the client table of a checkpoint's snapshot. */
  records(): { client: number; last: number; result: Uint8Array }[] {
    return [...this.lastRun.entries()].sort((a, b) => a[0] - b[0]).map(([client, entry]) => ({ client, last: entry.sequence, result: entry.result }));
  }
}

/** A request's identity as the `op-executed` mutant sees it: (c, s, op). */
export function opKey(request: Pick<Request, 'client' | 'sequence' | 'op'>): string {
  return `${request.client}/${request.sequence}/${Buffer.from(request.op).toString('hex')}`;
}

/**
 * The leader's fresh batch (§2.4.1): pending (c, s) only, s above last[c]
 * and above c's requests already in this epoch's batches, at most β, in
 * client order. With `byOp` (the `op-executed` mutant) "executed" and
 * "proposed" are of the op: a request is left out only if its own op ran or
 * was proposed in this epoch.
 */
export function freshBatch(
  pending: readonly Request[],
  last: (client: number) => number,
  proposed: ReadonlyMap<number, number>,
  batchLimit: number,
  byOp?: { readonly ran: (request: Request) => boolean; readonly proposedOps: ReadonlySet<string> },
): Request[] {
  const batch: Request[] = [];
  for (const request of pending) {
    if (batch.length >= batchLimit) break;
    if (byOp) {
      if (byOp.ran(request) || byOp.proposedOps.has(opKey(request))) continue;
    } else {
      if (request.sequence <= last(request.client)) continue;
      if (request.sequence <= (proposed.get(request.client) ?? 0)) continue;
    }
    batch.push(request);
  }
  return batch;
}
