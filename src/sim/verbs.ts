import { toHex } from '../fabric/index.js';
import type { SimContext } from './context.js';
import type { EventLabel } from './holds.js';
import type { SimMemory, VerbOutcome, VerbRequest } from './memory.js';
import type { Prng } from './prng.js';

/** A verb that has not reached its memory yet; `lost` once a mid-write crash of its process cut it off. */
interface InFlightVerb {
  readonly id: number;
  lost: boolean;
}

/** One queue pair's state: the last arrival and completion scheduled (time and tiebreak), to keep FIFO order, and its verbs not arrived yet. */
interface Lane {
  arrival: number;
  arrivalTiebreak: number;
  completion: number;
  completionTiebreak: number;
  readonly inFlight: InFlightVerb[];
  /** Verbs sent before this time arrive no earlier than it (a slow-link fault). */
  stalledUntil: number;
}

export interface VerbTransportOptions {
  /**
   * When set, a multi-word write's words land within this fraction of the
   * write's own completion delay after it arrives (instead of within the
   * memory's fixed tear window).
   */
  readonly tearFraction?: number;
  /**
   * Process pI and memory mI share a host: pI's verbs on mI are local
   * accesses, with no network delay (and a write lands whole at once).
   */
  readonly colocated?: boolean;
}

/**
 * One-sided verbs in flight between processes and memories. Each
 * (process, memory) pair is one queue pair: its verbs arrive, and their
 * completions return, in issue order, whatever delays the network draws —
 * as on an RDMA reliable connection.
 */
export class VerbTransport {
  private nextId = 0;
  private readonly lanes: Map<number, Lane> = new Map();

  constructor(
    private readonly context: SimContext,
    private readonly options: VerbTransportOptions = {},
  ) {}

  /** A slow link: verbs `process` sends to `memory` until `until` arrive no earlier than `until` (a congested path). */
  stall(process: number, memory: number, until: number): void {
    const lane = this.lane(process, memory);
    lane.stalledUntil = Math.max(lane.stalledUntil, until);
  }

  private lane(process: number, memory: number): Lane {
    const key = process * 65536 + memory;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { arrival: -Infinity, arrivalTiebreak: 0, completion: -Infinity, completionTiebreak: 0, inFlight: [], stalledUntil: -Infinity };
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
    // A slow link holds what is sent on it until the stall ends (queue-pair order is kept: later verbs queue behind).
    // A verb on the process's own host's memory is a local access: no network delay, drawn or not.
    const local = this.options.colocated === true && request.process === memory;
    const arrival = Math.max(scheduler.now() + (local ? 0 : latency.sample(network)), lane.arrival, lane.stalledUntil > scheduler.now() ? lane.stalledUntil : -Infinity);
    const arrivalTiebreak = arrival === lane.arrival ? scheduler.tiebreakAtLeast(lane.arrivalTiebreak) : scheduler.tiebreakAtLeast(0);
    lane.arrival = arrival;
    lane.arrivalTiebreak = arrivalTiebreak;
    const inFlight: InFlightVerb = { id, lost: false };
    lane.inFlight.push(inFlight);
    const arrived: EventLabel = { type: 'verb.arrive', process: request.process, memory, verb: request.kind, id };
    scheduler.at(
      arrival,
      () => {
        lane.inFlight.splice(lane.inFlight.indexOf(inFlight), 1);
        // Traced when its process crashed (`loseInFlight`): it never left.
        if (inFlight.lost) return false;
        const target = context.memories[memory];
        if (target.crashed) {
          if (context.tracing) context.trace.event({ t: scheduler.now(), type: 'verb.lost', id, m: memory });
          return false;
        }
        // The completion is drawn before the verb executes (the draws come
        // from the network and schedule streams, which executing never
        // touches, so the order changes nothing) because a tear window given
        // as a fraction is a fraction of this verb's own completion delay.
        const completion = Math.max(scheduler.now() + (local ? 0 : latency.sample(network)), lane.completion);
        const completionTiebreak = completion === lane.completion ? scheduler.tiebreakAtLeast(lane.completionTiebreak) : scheduler.tiebreakAtLeast(0);
        lane.completion = completion;
        lane.completionTiebreak = completionTiebreak;
        // Words land strictly before `now + fraction × (completion − now)` ≤
        // completion: the writer never sees its write complete before every
        // word is in place, and a read issued after that completion arrives
        // later still, so it sees the whole write. Only reads that overlap the
        // (now wider) window see old words.
        const tearFraction = this.options.tearFraction;
        // Only with a watcher: the changed range's old contents (nothing is copied otherwise).
        const watched = context.watch === undefined ? undefined : changedRange(request);
        const before = watched === undefined ? undefined : target.liveBytes(request.region)?.slice(watched.offset, watched.offset + watched.length);
        const outcome = target.execute(request, scheduler.now(), local ? 0 : tearFraction === undefined ? undefined : tearFraction * (completion - scheduler.now()));
        if (watched !== undefined && before !== undefined && outcome.ok) this.watchChange(target, request, id, watched, before);
        if (outcome.ok && outcome.torn) context.counters.tornReads++;
        if (outcome.ok && outcome.change) context.counters.permissionChanges++;
        // Every grant that carried a proposal, whatever the policy: a checker can then see a grant out of order where a region is not ordered.
        if (outcome.ok && outcome.change && request.kind === 'permission' && request.proposal !== undefined) {
          context.orderedGrants.push({ t: scheduler.now(), memory, region: request.region, process: request.process, proposal: request.proposal });
        }
        if (context.tracing) this.traceArrival(id, memory, request, outcome);
        context.holds?.happened(arrived, scheduler.now());
        const completed: EventLabel = { type: 'verb.complete', process: request.process, memory, verb: request.kind, id };
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
              context.holds?.happened(completed, scheduler.now());
              if (process.openOperation === undefined) process.causalOperation = charged;
              onComplete(outcome);
            }),
          completionTiebreak,
          completed,
        );
        return false;
      },
      arrivalTiebreak,
      arrived,
    );
    return id;
  }

  /**
   * A mid-write crash of `process`: on each of its queue pairs, a random
   * suffix (possibly empty, possibly all) of the verbs that have not reached
   * their memory yet never does. A suffix, because a queue pair delivers in
   * order: nothing is lost behind a verb that still arrives. So a process
   * that crashes while writing to several memories leaves some copies unsent.
   * Returns how many verbs were lost.
   */
  loseInFlight(process: number, random: Prng): number {
    let lostCount = 0;
    for (let memory = 0; memory < this.context.memories.length; memory++) {
      const lane = this.lanes.get(process * 65536 + memory);
      if (lane === undefined || lane.inFlight.length === 0) continue;
      const lost = random.int(lane.inFlight.length + 1);
      for (const verb of lane.inFlight.slice(lane.inFlight.length - lost)) {
        verb.lost = true;
        lostCount++;
        if (this.context.tracing) this.context.trace.event({ t: this.context.scheduler.now(), type: 'verb.lost', id: verb.id, m: memory, reason: 'sender crashed mid-write' });
      }
    }
    return lostCount;
  }

  /**
   * Every verb of `process` still on its way to `memory` never arrives: its
   * write there was cut short, and a queue pair does not carry anything past
   * a write it stopped in the middle of (a batch cut short takes effect as a
   * prefix). Returns how many were lost.
   */
  loseAllInFlight(process: number, memory: number): number {
    const lane = this.lanes.get(process * 65536 + memory);
    if (lane === undefined) return 0;
    let lostCount = 0;
    for (const verb of lane.inFlight) {
      if (verb.lost) continue;
      verb.lost = true;
      lostCount++;
      if (this.context.tracing) this.context.trace.event({ t: this.context.scheduler.now(), type: 'verb.lost', id: verb.id, m: memory, reason: 'behind a write cut short' });
    }
    return lostCount;
  }

  /** Tells the run's memory watcher of a change that landed (a write always; a CAS or an FAA only if it changed the word). */
  private watchChange(target: SimMemory, request: VerbRequest, id: number, range: { offset: number; length: number }, before: Uint8Array): void {
    const live = target.liveBytes(request.region);
    if (live === undefined || this.context.watch === undefined) return;
    const after = live.subarray(range.offset, range.offset + range.length);
    if (request.kind !== 'write' && sameBytes(before, after)) return;
    this.context.watch.changed({
      memory: target.id,
      region: request.region,
      offset: range.offset,
      length: range.length,
      before,
      after,
      regionBytes: (region) => target.liveBytes(region),
      kind: request.kind as 'write' | 'cas' | 'faa',
      process: request.process,
      verb: id,
      time: this.context.scheduler.now(),
    });
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
      const proposal = outcome.change.proposal;
      trace.event({
        t,
        type: 'perm.change',
        m: memory,
        region: request.region,
        p: request.process,
        access: outcome.change.access.map(short).join(','),
        revoked: outcome.change.revoked,
        ...(proposal === undefined ? {} : { proposal: proposal.toString() }),
      });
    }
  }
}

/** The bytes a verb may change: a write's range, a CAS's or an FAA's word; none for reads and permission requests. */
function changedRange(request: VerbRequest): { offset: number; length: number } | undefined {
  switch (request.kind) {
    case 'write':
      return { offset: request.offset, length: request.data.length };
    case 'cas':
    case 'faa':
      return { offset: request.offset, length: 8 };
    default:
      return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

function short(access: string): string {
  return access === 'read-write' ? 'rw' : access === 'read' ? 'r' : '-';
}
