import type { TraceEvent } from '../../trace/format.js';

type EventOfType<T extends TraceEvent['type']> = Extract<TraceEvent, { readonly type: T }>;

/**
 * What later lines of a trace say about earlier ones: how each verb and
 * message ended (linked by `id`) and the first decision of every log index
 * and the first delivery of every broadcast. A one-line description of a
 * verb's issue can then say how it completed, and a decision whether it
 * disagrees with an earlier one.
 */
export interface TraceFacts {
  readonly verbIssues: ReadonlyMap<number, EventOfType<'verb.issue'>>;
  readonly verbArrivals: ReadonlyMap<number, EventOfType<'verb.arrive'>>;
  readonly verbCompletions: ReadonlyMap<number, EventOfType<'verb.complete'>>;
  readonly verbLosses: ReadonlyMap<number, EventOfType<'verb.lost'>>;
  readonly messageSends: ReadonlyMap<number, EventOfType<'msg.send'>>;
  readonly messageDeliveries: ReadonlyMap<number, EventOfType<'msg.deliver'>>;
  readonly messageDrops: ReadonlyMap<number, EventOfType<'msg.drop'>>;
  /** Per log index (0 for single-decree consensus): the first value decided, learned or committed, and by whom. */
  readonly firstDecisions: ReadonlyMap<number, { readonly process: number; readonly value: string }>;
  /** Per broadcast `s/k`: the first delivery's bytes, and by whom. */
  readonly firstDeliveries: ReadonlyMap<string, { readonly process: number; readonly hex: string; readonly m: string }>;
}

/** Decision-like note kinds: each names a value for a log index. */
export const decisionKinds: ReadonlySet<string> = new Set(['decide', 'learn', 'commit']);

/** Parses a full trace's text (header skipped) into its events, in order. */
export function traceEvents(text: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const parsed = JSON.parse(line) as { type?: string };
    if (parsed.type !== 'header') events.push(parsed as TraceEvent);
  }
  return events;
}

function detailOf(event: TraceEvent): Record<string, unknown> {
  return event.type === 'note' && typeof event.detail === 'object' && event.detail !== null ? (event.detail as Record<string, unknown>) : {};
}

/** The log index a decision-like note is about (single-decree consensus: 0). */
export function decisionIndex(event: TraceEvent): number {
  const index = detailOf(event).index;
  return typeof index === 'number' ? index : 0;
}

export function traceFacts(events: readonly TraceEvent[]): TraceFacts {
  const verbIssues = new Map<number, EventOfType<'verb.issue'>>();
  const verbArrivals = new Map<number, EventOfType<'verb.arrive'>>();
  const verbCompletions = new Map<number, EventOfType<'verb.complete'>>();
  const verbLosses = new Map<number, EventOfType<'verb.lost'>>();
  const messageSends = new Map<number, EventOfType<'msg.send'>>();
  const messageDeliveries = new Map<number, EventOfType<'msg.deliver'>>();
  const messageDrops = new Map<number, EventOfType<'msg.drop'>>();
  const firstDecisions = new Map<number, { process: number; value: string }>();
  const firstDeliveries = new Map<string, { process: number; hex: string; m: string }>();
  for (const event of events) {
    switch (event.type) {
      case 'verb.issue':
        verbIssues.set(event.id, event);
        break;
      case 'verb.arrive':
        verbArrivals.set(event.id, event);
        break;
      case 'verb.complete':
        verbCompletions.set(event.id, event);
        break;
      case 'verb.lost':
        verbLosses.set(event.id, event);
        break;
      case 'msg.send':
        messageSends.set(event.id, event);
        break;
      case 'msg.deliver':
        messageDeliveries.set(event.id, event);
        break;
      case 'msg.drop':
        messageDrops.set(event.id, event);
        break;
      case 'note': {
        const detail = detailOf(event);
        if (decisionKinds.has(event.kind) && 'value' in detail) {
          const index = decisionIndex(event);
          if (!firstDecisions.has(index)) firstDecisions.set(index, { process: event.p, value: JSON.stringify(detail.value) });
        } else if ((event.kind === 'deliver' || event.kind === 'cb-deliver') && typeof detail.hex === 'string') {
          const key = `${String(detail.s)}/${String(detail.k)}`;
          if (!firstDeliveries.has(key)) firstDeliveries.set(key, { process: event.p, hex: detail.hex, m: String(detail.m) });
        }
        break;
      }
      default:
        break;
    }
  }
  return { verbIssues, verbArrivals, verbCompletions, verbLosses, messageSends, messageDeliveries, messageDrops, firstDecisions, firstDeliveries };
}
