import type { NewViewMessage, PointMessage, Request, StreamMessage } from '../messages.js';
import type { StreamOutcome } from '../streamState.js';
import { ByzantineStrategy, forgedSignature, otherBatch, otherHash } from './strategy.js';
import { decodeKvCommand, encodeKvCommand } from '../../../kv/kvCommand.js';

/**
 * Byzantine leaders of bft (specs/bft-consensus.md §6). Each is placed at
 * the leader of the view it attacks (leader(0) = p0; `bad-new-view` at
 * leader(1) = p1) and behaves in every view it leads. What stops each is in
 * docs/bft.md ("Adversaries").
 */

/** Reports a correct SEAL (the view change it forced) and its own refused stream messages. */
abstract class LeaderStrategy extends ByzantineStrategy {
  protected abstract readonly cause: string;

  observeStream(sender: number, message: StreamMessage, outcome: StreamOutcome): void {
    this.refusedEvidence(sender, message, outcome);
    // Only a SEAL of a view it leads is its doing.
    if (outcome.kind === 'sealed' && this.leader(outcome.view) === this.context.self) this.sealEvidence(sender, outcome, this.cause);
  }
}

/** Leads with PREPARE(v, i, B) then PREPARE(v, i, B′) at the next k, and COMMIT-FASTs B′ to every other follower. */
export class EquivocatingLeader extends LeaderStrategy {
  readonly name = 'equivocating-leader';
  protected readonly cause = 'it refused a second PREPARE for one (v, i)';
  private readonly prepared = new Map<number, number>();

  stream(message: StreamMessage): readonly StreamMessage[] {
    if (message.type !== 'prepare') return [message];
    const count = (this.prepared.get(message.view) ?? 0) + 1;
    this.prepared.set(message.view, count);
    // The second PREPARE of each view it leads comes twice, with two batches.
    return count === 2 ? [message, { ...message, batch: otherBatch(message.batch) }] : [message];
  }

  point(to: number, message: PointMessage): readonly PointMessage[] {
    if (message.type === 'commit-fast' && this.leader(message.view) === this.context.self && to % 2 === 1) return [{ ...message, hash: otherHash(message.hash) }];
    return [message];
  }
}

/** Leaves a gap: from its second PREPARE of a view on, instance numbers skip one. */
export class SkippingLeader extends LeaderStrategy {
  readonly name = 'skipping-leader';
  protected readonly cause = 'it refused a PREPARE past a gap in the instances';
  private readonly prepared = new Map<number, number>();

  stream(message: StreamMessage): readonly StreamMessage[] {
    if (message.type !== 'prepare') return [message];
    const count = (this.prepared.get(message.view) ?? 0) + 1;
    this.prepared.set(message.view, count);
    return [count >= 2 ? { ...message, instance: message.instance + 1 } : message];
  }
}

/** Never proposes the requests of one client (the first it sees pending). */
export class CensoringLeader extends LeaderStrategy {
  readonly name = 'censoring-leader';
  private victim: number | undefined;

  protected get cause(): string {
    return `client ${this.victim ?? '?'} was censored until Treq`;
  }

  pending(requests: readonly Request[]): readonly Request[] {
    if (this.victim === undefined && requests.length > 0) this.victim = Math.min(...requests.map((request) => request.client));
    return requests.filter((request) => request.client !== this.victim);
  }
}

/** Proposes batches whose first request carries a forged client signature. */
export class ForgingLeader extends LeaderStrategy {
  readonly name = 'forging-leader';
  protected readonly cause = 'it refused a PREPARE with a forged client signature';

  stream(message: StreamMessage): readonly StreamMessage[] {
    if (message.type !== 'prepare' || message.batch.length === 0) return [message];
    const [first, ...rest] = message.batch;
    // The forged request asks for what its client never did (a put of 'forged'), so a replica that ran it would show.
    return [{ ...message, batch: [{ ...first, op: forgedOp(first.op), signature: forgedSignature(first.signature) }, ...rest] }];
  }
}

/** Writes SEAL(v) after its first PREPARE of view v, then goes on proposing in v. */
export class StaleLeader extends LeaderStrategy {
  readonly name = 'stale-leader';
  protected readonly cause = "its PREPAREs after its own SEAL were ignored, so requests waited until Treq";
  private readonly sealed = new Set<number>();
  private readonly prepared = new Set<number>();

  stream(message: StreamMessage): readonly StreamMessage[] {
    if (message.type !== 'prepare') return [message];
    if (!this.prepared.has(message.view)) {
      this.prepared.add(message.view);
      return [message];
    }
    if (this.sealed.has(message.view)) return [message];
    this.sealed.add(message.view);
    return [{ type: 'seal', view: message.view }, message];
  }
}

/**
 * Leader of a new view whose NEW_VIEW omits the highest entry of a state
 * (the value a decision left, L3) or, with no entry to omit, one of the
 * f+1 certified states; both break a VC certificate or the count.
 */
export class BadNewView extends LeaderStrategy {
  readonly name = 'bad-new-view';
  protected readonly cause = 'it refused a NEW_VIEW that omitted or forged a state';

  stream(message: StreamMessage): readonly StreamMessage[] {
    if (message.type !== 'new-view') return [message];
    return [forgeNewView(message)];
  }
}

export function forgeNewView(message: NewViewMessage): NewViewMessage {
  const index = message.states.findIndex((state) => state.state.commits.length > 0);
  if (index < 0) return { ...message, states: message.states.slice(0, -1) };
  const states = message.states.map((certified, position) => {
    if (position !== index) return certified;
    const commits = [...certified.state.commits].sort((a, b) => a.view - b.view);
    // Omits the highest-view entry: the one a decision at that instance left (L3).
    return { ...certified, state: { ...certified.state, commits: commits.slice(0, -1).sort((a, b) => a.instance - b.instance) } };
  });
  return { ...message, states };
}

/** The op of a request rewritten into put(key, 'forged') for the same key (an op that is not a kv command stays as it is). */
function forgedOp(op: Uint8Array): Uint8Array {
  const command = decodeKvCommand(op);
  return command ? encodeKvCommand({ ...command, operation: 'put', value: 'forged' }) : op;
}
