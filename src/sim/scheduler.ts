import { EventHeap, type Queued } from './heap.js';
import type { HoldBook } from './holdBook.js';
import type { EventLabel } from './holds.js';
import type { Prng } from './prng.js';

/** An event: `fire` runs it and says whether it may have woken protocol code; `label` says what it is (timers have none). */
export interface SimEvent extends Queued {
  fire: () => boolean;
  readonly label?: EventLabel;
}

/** How a run ended. */
export type RunEnd = 'done' | 'horizon' | 'idle';

/**
 * Virtual time and the one choice point of the simulator: which pending event
 * happens next (`next`). Today the choice is the earliest event, with ties in
 * an order drawn from the seed; an explorer can later replace exactly this.
 * A scripted schedule (holds, see holdBook.ts) plugs in here too: it may park
 * the event that comes up and later hand it back to fire before anything else.
 *
 * Protocols are async functions, so after an event wakes one (resolves a
 * promise) its continuation must run to its next wait before virtual time
 * moves on. The run loop gets that without a macrotask per event: it resumes
 * from `process.nextTick`, which Node runs only after the microtask queue is
 * completely drained (every promise continuation, however deep), and the loop
 * re-arms the tick from a microtask. That keeps everything deterministic and
 * fast (no timers, no I/O, no wall clock).
 */
export class Scheduler {
  private readonly heap = new EventHeap<SimEvent>();
  private sequence = 0;
  private currentTime = 0;
  private fired = 0;

  constructor(
    private readonly schedule: Prng,
    /** The script's holds, when the run has any; without them the choice is exactly the heap's order. */
    private readonly holds?: HoldBook<SimEvent>,
  ) {}

  now(): number {
    return this.currentTime;
  }

  /** Number of events fired so far. */
  get eventsFired(): number {
    return this.fired;
  }

  /** Queues `fire` at virtual time `time` (not before now). A `tiebreak` orders events due at the same instant; random when absent. */
  at(time: number, fire: () => boolean, tiebreak?: number, label?: EventLabel): void {
    const due = time < this.currentTime ? this.currentTime : time;
    // One object shape for every event (labelled or not) keeps the heap's property accesses monomorphic.
    this.heap.push({ time: due, tiebreak: tiebreak ?? this.schedule.uint32(), sequence: this.sequence++, fire, label });
  }

  /**
   * Queues `fire` at `time` ahead of every other event due at that instant
   * (still drawing a tiebreak, so the schedule stream stays the same).
   */
  atFirst(time: number, fire: () => boolean, label?: EventLabel): void {
    this.schedule.uint32();
    this.at(time, fire, 0, label);
  }

  after(delay: number, fire: () => boolean, label?: EventLabel): void {
    this.at(this.currentTime + delay, fire, undefined, label);
  }

  /** Draws a tiebreak for an event that must not overtake one queued earlier with `floor`. */
  tiebreakAtLeast(floor: number): number {
    const drawn = this.schedule.uint32();
    return drawn < floor ? floor : drawn;
  }

  /**
   * The choice point: removes and returns the next event to happen, if it is
   * due at `limit` or before. Events released by a hold come first (they were
   * due already); an event the holds park is skipped, and the next one comes up.
   */
  private next(limit: number): SimEvent | undefined {
    const holds = this.holds;
    if (holds === undefined) {
      const upcoming = this.heap.peek();
      return upcoming !== undefined && upcoming.time <= limit ? this.heap.pop() : undefined;
    }
    const released = holds.nextReleased();
    if (released !== undefined) return released;
    for (let upcoming = this.heap.peek(); upcoming !== undefined && upcoming.time <= limit; upcoming = this.heap.peek()) {
      this.heap.pop();
      if (!holds.parks(upcoming, upcoming.time)) return upcoming;
    }
    return undefined;
  }

  /**
   * Fires events until `isDone()` holds, nothing is left, or the next event
   * lies beyond `horizon`.
   */
  run(horizon: number, isDone: () => boolean): Promise<RunEnd> {
    return new Promise((resolve, reject) => {
      const step = () => {
        try {
          for (;;) {
            if (isDone()) return resolve('done');
            const event = this.next(horizon);
            if (event === undefined) {
              // Nothing left (parked events wait for what never came), or the rest lies beyond the horizon.
              if (this.heap.peek() === undefined) return resolve('idle');
              this.currentTime = horizon;
              return resolve('horizon');
            }
            // A released event was due before now: it happens now (time never goes back).
            if (event.time > this.currentTime) this.currentTime = event.time;
            this.fired++;
            if (event.fire()) {
              // Events due at this same instant may fire before the woken code
              // runs: nothing it does can be due earlier than now.
              for (let same = this.next(this.currentTime); same !== undefined; same = this.next(this.currentTime)) {
                this.fired++;
                same.fire();
              }
              queueMicrotask(rearm);
              return;
            }
          }
        } catch (error) {
          reject(error);
        }
      };
      const rearm = () => process.nextTick(step);
      process.nextTick(step);
    });
  }
}
