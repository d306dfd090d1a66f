import type { TraceSink } from '../trace/format.js';
import { describeHappening, describePattern, matchesPattern, type EventLabel, type Happening, type Hold } from './holds.js';

/** An event as the scheduler queues it: the book reads its label and may move its time up to a release. */
export interface HoldableEvent {
  time: number;
  readonly label?: EventLabel;
}

/** The side of the book the world's parts see: they report what took effect. */
export interface HappeningListener {
  happened(happening: Happening, now: number): void;
}

interface HoldState {
  readonly hold: Hold;
  /** Events matching `hold.event` that came up so far. */
  eventsSeen: number;
  /** Happenings matching `hold.until` so far. */
  untilSeen: number;
  /** Whether `until` has happened: the hold no longer keeps anything back. */
  done: boolean;
}

interface Parked<T> {
  readonly event: T;
  readonly label: EventLabel;
  /** The holds whose chosen occurrence this event is (fixed when it first came up). */
  readonly heldBy: readonly HoldState[];
}

/**
 * The machinery of scripted schedules, consulted at the scheduler's choice
 * point. When an event comes up (would fire next), `parks` decides whether it
 * must wait: either a hold picked it and its `until` has not happened, or an
 * earlier event of the same queue pair is parked — verbs of one
 * (process, memory) pair arrive, and complete, in order even under a script,
 * so a later one waits behind the parked one rather than overtaking it.
 * Messages have no such order and only wait for their own hold.
 *
 * The world's parts report what took effect (`happened`): an arrival that
 * executed, a completion or message that reached its process, a note. A hold
 * whose `until` happened releases what it kept back; released events fire
 * next, in the order they came up, before anything still queued. A hold whose
 * `until` never happens keeps its event parked for the rest of the run.
 */
export class HoldBook<T extends HoldableEvent> implements HappeningListener {
  private readonly states: HoldState[];
  private parked: Parked<T>[] = [];
  private readonly released: T[] = [];
  private releasedHead = 0;

  constructor(
    holds: readonly Hold[],
    private readonly trace: TraceSink | undefined,
  ) {
    this.states = holds.map((hold) => ({ hold, eventsSeen: 0, untilSeen: 0, done: false }));
  }

  /** The next released event to fire, if any (removed). */
  nextReleased(): T | undefined {
    if (this.releasedHead === this.released.length) return undefined;
    const event = this.released[this.releasedHead++];
    if (this.releasedHead === this.released.length) {
      this.released.length = 0;
      this.releasedHead = 0;
    }
    return event;
  }

  /**
   * Called exactly once per event, when it comes up at `time`: whether it
   * must wait (then the book keeps it until it is released).
   */
  parks(event: T, time: number): boolean {
    const label = event.label;
    if (label === undefined) return false;
    const heldBy: HoldState[] = [];
    for (const state of this.states) {
      if (!matchesPattern(state.hold.event, label)) continue;
      state.eventsSeen++;
      if (state.eventsSeen === (state.hold.event.occurrence ?? 1)) heldBy.push(state);
    }
    const waitingFor = heldBy.find((state) => !state.done);
    const lane = laneOf(label);
    let ahead: Parked<T> | undefined;
    if (lane !== undefined) for (const entry of this.parked) if (laneOf(entry.label) === lane) ahead = entry;
    if (waitingFor === undefined && ahead === undefined) return false;
    this.parked.push({ event, label, heldBy });
    if (this.trace) {
      const event = describeHappening(label);
      this.trace.event(
        waitingFor !== undefined
          ? { t: time, type: 'hold', event, id: label.id, until: describePattern(waitingFor.hold.until) }
          : { t: time, type: 'hold', event, id: label.id, behind: (ahead as Parked<T>).label.id },
      );
    }
    return true;
  }

  happened(happening: Happening, now: number): void {
    let released = false;
    for (const state of this.states) {
      if (state.done || !matchesPattern(state.hold.until, happening)) continue;
      state.untilSeen++;
      if (state.untilSeen === (state.hold.until.occurrence ?? 1)) {
        state.done = true;
        released = true;
      }
    }
    if (released) this.release(now);
  }

  /** Moves every parked event that no longer waits to the released queue, in the order they came up. */
  private release(now: number): void {
    const blockedLanes = new Set<string>();
    const still: Parked<T>[] = [];
    for (const entry of this.parked) {
      const lane = laneOf(entry.label);
      if (entry.heldBy.some((state) => !state.done) || (lane !== undefined && blockedLanes.has(lane))) {
        still.push(entry);
        if (lane !== undefined) blockedLanes.add(lane);
        continue;
      }
      // It was due when it came up; it happens now, when released.
      entry.event.time = now;
      this.released.push(entry.event);
      if (this.trace) this.trace.event({ t: now, type: 'release', event: describeHappening(entry.label), id: entry.label.id });
    }
    this.parked = still;
  }
}

/** The queue pair whose order an event must keep (arrivals and completions separately); none for messages. */
function laneOf(label: EventLabel): string | undefined {
  return label.type === 'msg.deliver' ? undefined : `${label.type} p${label.process} m${label.memory}`;
}
