import { EventHeap, type Queued } from './heap.js';
import type { Prng } from './prng.js';

/** An event: `fire` runs it and says whether it may have woken protocol code. */
interface SimEvent extends Queued {
  fire: () => boolean;
}

/** How a run ended. */
export type RunEnd = 'done' | 'horizon' | 'idle';

/**
 * Virtual time and the one choice point of the simulator: which pending event
 * happens next (`next`). Today the choice is the earliest event, with ties in
 * an order drawn from the seed; an explorer can later replace exactly this.
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

  constructor(private readonly schedule: Prng) {}

  now(): number {
    return this.currentTime;
  }

  /** Number of events fired so far. */
  get eventsFired(): number {
    return this.fired;
  }

  /** Queues `fire` at virtual time `time` (not before now). A `tiebreak` orders events due at the same instant; random when absent. */
  at(time: number, fire: () => boolean, tiebreak?: number): void {
    const due = time < this.currentTime ? this.currentTime : time;
    this.heap.push({ time: due, tiebreak: tiebreak ?? this.schedule.uint32(), sequence: this.sequence++, fire });
  }

  after(delay: number, fire: () => boolean): void {
    this.at(this.currentTime + delay, fire);
  }

  /** Draws a tiebreak for an event that must not overtake one queued earlier with `floor`. */
  tiebreakAtLeast(floor: number): number {
    const drawn = this.schedule.uint32();
    return drawn < floor ? floor : drawn;
  }

  /** The choice point: removes and returns the next event to happen. */
  private next(): SimEvent | undefined {
    return this.heap.pop();
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
            const upcoming = this.heap.peek();
            if (upcoming === undefined) return resolve('idle');
            if (upcoming.time > horizon) {
              this.currentTime = horizon;
              return resolve('horizon');
            }
            const event = this.next() as SimEvent;
            this.currentTime = event.time;
            this.fired++;
            if (event.fire()) {
              // Events due at this same instant may fire before the woken code
              // runs: nothing it does can be due earlier than now.
              for (let same = this.heap.peek(); same !== undefined && same.time === this.currentTime; same = this.heap.peek()) {
                this.heap.pop();
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
