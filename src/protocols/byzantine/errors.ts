import type { ProcessId } from '../../fabric/index.js';

/**
 * The typed errors of the broadcast calls (CB, RB, Bracha): each names what
 * is wrong and what is accepted, and is thrown before anything is written.
 */
export abstract class BroadcastError extends Error {
  abstract readonly code: 'message-too-large' | 'empty-message' | 'stopped' | 'not-a-sender' | 'slots-exhausted';
}

/** The message is longer than a sender slot holds. */
export class MessageTooLarge extends BroadcastError {
  readonly code = 'message-too-large' as const;
  constructor(
    readonly size: number,
    readonly capacity: number,
  ) {
    super(`broadcast: a message of ${size} bytes exceeds the slot capacity of ${capacity} bytes (accepted: 1..${capacity} bytes)`);
    this.name = 'MessageTooLarge';
  }
}

/** An empty message: a slot field of length 0 reads as absent. */
export class EmptyMessage extends BroadcastError {
  readonly code = 'empty-message' as const;
  constructor(readonly capacity: number) {
    super(`broadcast: an empty message cannot be broadcast (a field of length 0 reads as absent; accepted: 1..${capacity} bytes)`);
    this.name = 'EmptyMessage';
  }
}

/** The broadcast object was stopped: no new broadcast, and one in flight at the stop never completed. */
export class BroadcastStopped extends BroadcastError {
  readonly code = 'stopped' as const;
  constructor(readonly process: ProcessId) {
    super(`broadcast: p${process} was stopped (accepted: calls before stop())`);
    this.name = 'BroadcastStopped';
  }
}

/** This process has no sender slots in the layout. */
export class NotASender extends BroadcastError {
  readonly code = 'not-a-sender' as const;
  constructor(
    readonly process: ProcessId,
    readonly senders: readonly ProcessId[],
  ) {
    super(`broadcast: p${process} is not a sender of the layout (accepted: ${senders.map((sender) => `p${sender}`).join(', ')})`);
    this.name = 'NotASender';
  }
}

/** Every sender slot of this run is used: slots are append-only, sized per run. */
export class SlotsExhausted extends BroadcastError {
  readonly code = 'slots-exhausted' as const;
  constructor(readonly capacity: number) {
    super(`broadcast: all ${capacity} sender slots of this run are used (slots are append-only; size the layout's 'messages' for the run)`);
    this.name = 'SlotsExhausted';
  }
}
