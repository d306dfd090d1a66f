import { toHex } from '../fabric/index.js';
import type { SimContext } from './context.js';
import type { VerbOutcome, VerbRequest } from './memory.js';

/**
 * One-sided verbs in flight between processes and memories. Each
 * (process, memory) pair is one queue pair: its verbs arrive, and their
 * completions return, in issue order, whatever delays the network draws —
 * as on an RDMA reliable connection.
 */
export class VerbTransport {
  private nextId = 0;
  /** Per queue pair, the last arrival and completion scheduled (time and tiebreak), to keep FIFO order. */
  private readonly lanes: Map<number, { arrival: number; arrivalTiebreak: number; completion: number; completionTiebreak: number }> = new Map();

  constructor(private readonly context: SimContext) {}

  private lane(process: number, memory: number) {
    const key = process * 65536 + memory;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { arrival: -Infinity, arrivalTiebreak: 0, completion: -Infinity, completionTiebreak: 0 };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /**
   * Sends `request` from its process to `memory`. `onComplete` runs on the
   * process when the answer arrives (never, if the memory crashed first or the
   * process crashed). `describe` adds the verb's operands to its issue event.
   */
  post(memory: number, request: VerbRequest, describe: Record<string, unknown>, onComplete: (outcome: VerbOutcome) => void): number {
    const context = this.context;
    const { scheduler, latency, network } = context;
    const id = this.nextId++;
    const process = context.processes[request.process];
    context.counters.verbs++;
    const charged = process.chargedOperation();
    if (context.tracing) {
      const op = charged;
      context.trace.event({ t: scheduler.now(), type: 'verb.issue', id, p: request.process, m: memory, verb: request.kind, ...describe, ...(op === undefined ? {} : { op }) } as never);
    }
    const lane = this.lane(request.process, memory);
    const arrival = Math.max(scheduler.now() + latency.sample(network), lane.arrival);
    const arrivalTiebreak = arrival === lane.arrival ? scheduler.tiebreakAtLeast(lane.arrivalTiebreak) : scheduler.tiebreakAtLeast(0);
    lane.arrival = arrival;
    lane.arrivalTiebreak = arrivalTiebreak;
    scheduler.at(
      arrival,
      () => {
        const target = context.memories[memory];
        if (target.crashed) {
          if (context.tracing) context.trace.event({ t: scheduler.now(), type: 'verb.lost', id, m: memory });
          return false;
        }
        const outcome = target.execute(request, scheduler.now());
        if (outcome.ok && outcome.torn) context.counters.tornReads++;
        if (outcome.ok && outcome.change) context.counters.permissionChanges++;
        if (context.tracing) this.traceArrival(id, memory, request, outcome);
        const completion = Math.max(scheduler.now() + latency.sample(network), lane.completion);
        const completionTiebreak = completion === lane.completion ? scheduler.tiebreakAtLeast(lane.completionTiebreak) : scheduler.tiebreakAtLeast(0);
        lane.completion = completion;
        lane.completionTiebreak = completionTiebreak;
        scheduler.at(
          completion,
          () =>
            process.deliver(() => {
              if (context.tracing) {
                context.trace.event(
                  outcome.ok
                    ? { t: scheduler.now(), type: 'verb.complete', id, p: request.process, ok: true }
                    : { t: scheduler.now(), type: 'verb.complete', id, p: request.process, ok: false, error: outcome.error },
                );
              }
              if (process.openOperation === undefined) process.causalOperation = charged;
              onComplete(outcome);
            }),
          completionTiebreak,
        );
        return false;
      },
      arrivalTiebreak,
    );
    return id;
  }

  private traceArrival(id: number, memory: number, request: VerbRequest, outcome: VerbOutcome): void {
    const { trace, scheduler } = this.context;
    const t = scheduler.now();
    if (!outcome.ok) {
      trace.event({ t, type: 'verb.arrive', id, m: memory, ok: false, error: outcome.error });
      return;
    }
    trace.event({
      t,
      type: 'verb.arrive',
      id,
      m: memory,
      ok: true,
      ...(outcome.data ? { data: toHex(outcome.data) } : {}),
      ...(outcome.value !== undefined ? { value: outcome.value.toString() } : {}),
      ...(outcome.torn ? { torn: outcome.torn } : {}),
    });
    if (outcome.change) {
      trace.event({ t, type: 'perm.change', m: memory, region: request.region, p: request.process, access: outcome.change.access.map(short).join(','), revoked: outcome.change.revoked });
    }
  }
}

function short(access: string): string {
  return access === 'read-write' ? 'rw' : access === 'read' ? 'r' : '-';
}
