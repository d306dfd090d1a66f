import type { NoteEvent, ProcessId } from '../../fabric/index.js';
import type { Violation } from '../scenario.js';

/**
 * The properties of Byzantine broadcast, judged from the notes of correct
 * processes only (what a Byzantine process notes proves nothing). The
 * checker is told which processes are Byzantine — the fault model, like a
 * crash — never which strategy or mutant ran.
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
 */
export interface BroadcastRun {
  readonly byzantine: readonly ProcessId[];
  readonly processCount: number;
  readonly totality: boolean;
}

interface Delivery {
  readonly process: ProcessId;
  readonly sender: ProcessId;
  readonly sequence: number;
  readonly hex: string;
  readonly time: number;
}

function field(note: NoteEvent, name: string): unknown {
  return note.detail?.[name];
}

export function deliveriesOf(notes: readonly NoteEvent[], kind = 'deliver'): Delivery[] {
  return notes
    .filter((note) => note.kind === kind)
    .map((note) => ({ process: note.process, sender: Number(field(note, 's')), sequence: Number(field(note, 'k')), hex: String(field(note, 'hex')), time: note.time }));
}

export function checkBroadcast(notes: readonly NoteEvent[], run: BroadcastRun): Violation[] {
  const violations: Violation[] = [];
  const byzantine = new Set(run.byzantine);
  const honest = (process: ProcessId) => !byzantine.has(process);
  const finished = new Set(notes.filter((note) => note.kind === 'signatures' && honest(note.process)).map((note) => note.process));
  const deliveries = deliveriesOf(notes).filter((delivery) => honest(delivery.process));
  const broadcasts = notes.filter((note) => note.kind === 'broadcast' && honest(note.process) && Number(field(note, 's')) === note.process);
  const byInstance = new Map<string, Delivery[]>();
  for (const delivery of deliveries) {
    const key = `${delivery.sender}/${delivery.sequence}`;
    byInstance.set(key, [...(byInstance.get(key) ?? []), delivery]);
  }
  for (const [key, list] of byInstance) {
    const seen = new Set<ProcessId>();
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
      const sent = broadcasts.find((note) => `${note.process}/${Number(field(note, 'k'))}` === key);
      for (const delivery of list) {
        if (!sent || String(field(sent, 'hex')) !== delivery.hex) {
          violations.push({ property: 'integrity', detail: `p${delivery.process} delivered ${show(delivery.hex)} for ${key}, which correct p${sender} ${sent ? `broadcast as ${show(String(field(sent, 'hex')))}` : 'never broadcast'}` });
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
    const key = `${sent.process}/${Number(field(sent, 'k'))}`;
    const got = new Set((byInstance.get(key) ?? []).map((delivery) => delivery.process));
    const missing = [...finished].filter((process) => !got.has(process));
    if (missing.length > 0) violations.push({ property: 'validity', detail: `correct p${sent.process} broadcast ${show(String(field(sent, 'hex')))} as ${key}, not delivered by correct ${missing.map((p) => `p${p}`).join(',')}` });
  }
  return violations;
}

function show(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  const text = bytes.toString('latin1');
  return /^[\x20-\x7e]*$/.test(text) ? `'${text}'` : `0x${hex}`;
}
