import { eventsOf, decodeEvents, type EventOf, type NoteRecord } from '../fabric/events.js';

/**
 * The properties of Byzantine broadcast, judged from the notes of correct
 * processes only (what a Byzantine process notes proves nothing), read
 * through the event catalogue (`fabric/events.ts`). The checker is told
 * which processes are Byzantine — the fault model, like a crash — never
 * which strategy or mutant ran.
 *
 * - validity: a correct sender's broadcast is delivered by every correct process;
 * - consistency: correct processes deliver the same message for one (s, k);
 * - integrity: a correct process delivers at most once per (s, k), and, if
 *   the sender is correct, only what it broadcast;
 * - totality (reliable broadcast): if a correct process delivers for (s, k),
 *   every correct process does.
 *
 * "Correct" means not Byzantine and, for validity and totality, alive at the
 * end (it noted its final signature counts): a crashed process owes nothing.
 * A correct process's broadcast note that does not decode is an
 * `event-format` violation: skipping it would hide what it owes.
 */
export interface BroadcastRun {
  readonly byzantine: readonly number[];
  readonly processCount: number;
  readonly totality: boolean;
}

/** A broken broadcast property (the shape of a scenario's `Violation`). */
export interface BroadcastViolation {
  readonly property: string;
  readonly detail: string;
}

export interface Delivery {
  readonly process: number;
  readonly sender: number;
  readonly sequence: number;
  readonly hex: string;
  readonly time: number;
}

/** Every delivery noted in a run (`deliver`, or the layer below reliable broadcast's `cb-deliver`). */
export function deliveriesOf(notes: readonly NoteRecord[], kind: 'deliver' | 'cb-deliver' = 'deliver'): Delivery[] {
  return eventsOf(notes, kind).map((event) => ({ process: event.process, sender: event.s, sequence: event.k, hex: event.hex, time: event.time }));
}

export function checkBroadcast(notes: readonly NoteRecord[], run: BroadcastRun): BroadcastViolation[] {
  const violations: BroadcastViolation[] = [];
  const byzantine = new Set(run.byzantine);
  const honest = (process: number) => !byzantine.has(process);
  const relevant = notes.filter((note) => honest(note.process) && (note.kind === 'deliver' || note.kind === 'broadcast' || note.kind === 'signatures'));
  const { events, malformed } = decodeEvents(relevant);
  for (const problem of malformed) violations.push({ property: 'event-format', detail: problem });
  const finished = new Set(events.filter((event) => event.kind === 'signatures').map((event) => event.process));
  const deliveries = deliveriesOf(relevant);
  const broadcasts = events.filter((event): event is EventOf<'broadcast'> => event.kind === 'broadcast' && event.s === event.process);
  const byInstance = new Map<string, Delivery[]>();
  for (const delivery of deliveries) {
    const key = `${delivery.sender}/${delivery.sequence}`;
    byInstance.set(key, [...(byInstance.get(key) ?? []), delivery]);
  }
  for (const [key, list] of byInstance) {
    const seen = new Set<number>();
    for (const delivery of list) {
      if (seen.has(delivery.process)) violations.push({ property: 'integrity', detail: `p${delivery.process} delivered (${key}) twice` });
      seen.add(delivery.process);
    }
    const values = [...new Set(list.map((delivery) => delivery.hex))];
    if (values.length > 1) {
      const who = values.map((value) => `${list.filter((delivery) => delivery.hex === value).map((delivery) => `p${delivery.process}`).join(',')} delivered ${show(value)}`);
      violations.push({ property: 'consistency', detail: `broadcast ${key}: ${who.join('; ')}` });
    }
    const sender = list[0].sender;
    if (honest(sender)) {
      const sent = broadcasts.find((event) => `${event.process}/${event.k}` === key);
      for (const delivery of list) {
        if (!sent || sent.hex !== delivery.hex) {
          violations.push({ property: 'integrity', detail: `p${delivery.process} delivered ${show(delivery.hex)} for ${key}, which correct p${sender} ${sent ? `broadcast as ${show(sent.hex)}` : 'never broadcast'}` });
        }
      }
    }
    if (run.totality) {
      const missing = [...finished].filter((process) => !seen.has(process));
      if (missing.length > 0) violations.push({ property: 'totality', detail: `broadcast ${key} was delivered by ${[...seen].map((p) => `p${p}`).join(',')} but not by correct ${missing.map((p) => `p${p}`).join(',')}` });
    }
  }
  for (const sent of broadcasts) {
    if (!finished.has(sent.process)) continue;
    const key = `${sent.process}/${sent.k}`;
    const got = new Set((byInstance.get(key) ?? []).map((delivery) => delivery.process));
    const missing = [...finished].filter((process) => !got.has(process));
    if (missing.length > 0) violations.push({ property: 'validity', detail: `correct p${sent.process} broadcast ${show(sent.hex)} as ${key}, not delivered by correct ${missing.map((p) => `p${p}`).join(',')}` });
  }
  return violations;
}

function show(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  const text = bytes.toString('latin1');
  return /^[\x20-\x7e]*$/.test(text) ? `'${text}'` : `0x${hex}`;
}
