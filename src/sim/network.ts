import { toHex, type Message, type ProcessId } from '../fabric/index.js';
import type { SimContext } from './context.js';
import type { Prng } from './prng.js';

/** Message faults in force (set by the fault injector). */
export interface MessageFaults {
  /** Probability that a message is lost. */
  dropRate: number;
  /** Probability that a message is held back by `extraDelay` more. */
  delayRate: number;
  extraDelay: number;
  /** Partition: process -> side; messages between different sides are lost. Empty = connected. */
  sides: Map<ProcessId, number>;
}

/**
 * Two-sided messages: one delay each, delivered to the receiver's handler or
 * inbox. Unlike verbs, messages between two processes may be reordered, and
 * they are lost when the receiver crashed or a partition cuts them off.
 */
export class Network {
  private nextId = 0;
  readonly faults: MessageFaults = { dropRate: 0, delayRate: 0, extraDelay: 0, sides: new Map() };

  constructor(
    private readonly context: SimContext,
    /** The stream for message faults (separate, so that adding faults does not reshuffle delays). */
    private readonly faultRandom: Prng,
  ) {}

  send(from: ProcessId, to: ProcessId, data: Uint8Array): void {
    const context = this.context;
    const { scheduler } = context;
    const id = this.nextId++;
    context.counters.messages++;
    const copy = data.slice();
    if (context.tracing) {
      const op = context.processes[from].chargedOperation();
      context.trace.event({ t: scheduler.now(), type: 'msg.send', id, from, to, len: copy.length, data: toHex(copy), ...(op === undefined ? {} : { op }) });
    }
    const lost = this.lossReason(from, to);
    if (lost) {
      if (context.tracing) context.trace.event({ t: scheduler.now(), type: 'msg.drop', id, reason: lost });
      return;
    }
    let delay = context.latency.sample(context.network);
    if (this.faults.delayRate > 0 && this.faultRandom.chance(this.faults.delayRate)) delay += this.faults.extraDelay;
    const op = context.processes[from].chargedOperation();
    const delivered = { type: 'msg.deliver', from, to, id } as const;
    scheduler.after(
      delay,
      () => {
        const receiver = context.processes[to];
        if (receiver.crashed) {
          if (context.tracing) context.trace.event({ t: scheduler.now(), type: 'msg.drop', id, reason: 'receiver crashed' });
          return false;
        }
        return receiver.deliver(() => {
          if (context.tracing) context.trace.event({ t: scheduler.now(), type: 'msg.deliver', id, to });
          context.holds?.happened(delivered, scheduler.now());
          if (receiver.openOperation === undefined) receiver.causalOperation = op;
          const message: Message = { from, data: copy };
          receiver.accept(message);
        });
      },
      delivered,
    );
  }

  private lossReason(from: ProcessId, to: ProcessId): string | undefined {
    const { sides, dropRate } = this.faults;
    if (sides.size > 0 && (sides.get(from) ?? 0) !== (sides.get(to) ?? 0)) return 'partition';
    if (dropRate > 0 && this.faultRandom.chance(dropRate)) return 'dropped';
    return undefined;
  }
}
