import type { BroadcastDetails } from '../../scenarios/byzantine/details.js';
import type { RunReport } from '../../scenarios/index.js';
import type { TraceEvent } from '../../trace/format.js';

/**
 * The figures of the tour's Byzantine broadcast stops (12–14), read from a
 * CB run's report (`details`, the scenario's own count of deliveries,
 * delays and signatures) and its trace (the `deliver`, `sign`,
 * `equivocation-proof` and `adversary-effect` notes). Pure: tested on
 * hand-made notes in tourBroadcast.test.ts.
 */
type Note = { readonly t: number; readonly p: number; readonly kind: string; readonly detail?: unknown };

/** The notes of a trace's text (JSON lines), in order. */
export function notesOf(trace: string): Note[] {
  return trace
    .split('\n')
    .filter((line) => line.includes('"type":"note"'))
    .map((line) => JSON.parse(line) as TraceEvent)
    .filter((event): event is Extract<TraceEvent, { type: 'note' }> => event.type === 'note');
}

/** What the correct processes delivered for each k of sender `s`: the distinct messages, who delivered, by which path. */
export interface DeliveredK {
  readonly k: number;
  readonly messages: readonly string[];
  readonly processes: readonly number[];
  readonly paths: readonly string[];
}

export function deliveredByK(notes: readonly Note[], correct: (process: number) => boolean, sender = 0): DeliveredK[] {
  const byK = new Map<number, { messages: Set<string>; processes: number[]; paths: Set<string> }>();
  for (const note of notes) {
    if (note.kind !== 'deliver' || !correct(note.p)) continue;
    const detail = note.detail as { s: number; k: number; m: string; path: string };
    if (detail.s !== sender) continue;
    const entry = byK.get(detail.k) ?? { messages: new Set<string>(), processes: [], paths: new Set<string>() };
    entry.messages.add(detail.m);
    entry.processes.push(note.p);
    entry.paths.add(detail.path);
    byK.set(detail.k, entry);
  }
  return [...byK.entries()].sort(([a], [b]) => a - b).map(([k, entry]) => ({ k, messages: [...entry.messages], processes: entry.processes.sort((a, b) => a - b), paths: [...entry.paths].sort() }));
}

function detailsOf(report: RunReport): BroadcastDetails & { timeouts?: { sign: number } } {
  return report.details as unknown as BroadcastDetails & { timeouts?: { sign: number } };
}

/** A CB run's common figures: n, deliveries by path, delays (median over correct receivers), signatures summed over correct processes. */
export function broadcastFacts(report: RunReport): Record<string, unknown> {
  const details = detailsOf(report);
  const byzantine = new Set(details.byzantine.map((placement) => placement.process));
  const notes = notesOf(report.trace ?? '');
  const delivered = deliveredByK(notes, (process) => !byzantine.has(process));
  return {
    processes: details.processes,
    memories: report.params.memories,
    f: details.f,
    byzantine: details.byzantine,
    deliveries: details.deliveries.total,
    fastDeliveries: notes.filter((note) => note.kind === 'deliver' && !byzantine.has(note.p) && (note.detail as { path: string }).path === 'fast').length,
    slowDeliveries: notes.filter((note) => note.kind === 'deliver' && !byzantine.has(note.p) && (note.detail as { path: string }).path === 'slow').length,
    delaysMedian: details.delays.median,
    signaturesMade: details.correctSignatures.made,
    signaturesVerified: details.correctSignatures.verified,
    signaturesRejected: details.correctSignatures.rejected,
    delivered,
    /** Consistency as the stop shows it: no k for which correct processes delivered two different messages. */
    oneMessagePerK: delivered.every((entry) => entry.messages.length === 1),
    adversaryEffects: details.adversaries.flatMap((adversary) => adversary.reasons.map((reason) => `${adversary.adversary} at p${adversary.process}: ${reason}`)),
    equivocationProofs: notes.filter((note) => note.kind === 'equivocation-proof' && !byzantine.has(note.p)).length,
    signTimeout: details.timeouts?.sign ?? null,
    /** When a correct sender signed (its `sign` note for a broadcast), if it did. */
    signedAt: notes.find((note) => note.kind === 'sign' && !byzantine.has(note.p) && (note.detail as { purpose?: string }).purpose === 'broadcast')?.t ?? null,
    /** When the first correct delivery happened. */
    firstDeliveryAt: notes.find((note) => note.kind === 'deliver' && !byzantine.has(note.p))?.t ?? null,
  };
}

/**
 * An equivocating sender had the effect the stop is about: it split the
 * correct replicators (its own note), and every correct process still
 * delivered every broadcast. From the report's details only, so that the
 * seed search can run with the trace hashed.
 */
export function equivocationShown(report: RunReport): boolean {
  const details = detailsOf(report);
  const byzantine = new Set(details.byzantine.map((placement) => placement.process));
  const split = details.adversaries.some((adversary) => adversary.reasons.some((reason) => /adopted different values/.test(reason)));
  const correct = Array.from({ length: details.processes }, (_, process) => process).filter((process) => !byzantine.has(process));
  // CB promises no totality under a Byzantine sender: a reader may wait forever on a k it cannot vouch for. Every correct process delivering something shows the split caught, not merely a stall.
  return report.ok && split && correct.every((process) => (details.deliveries.byProcess[`p${process}`] ?? 0) >= 1);
}

/** `k=1: 'a' (fast) by p1, p2` for each k. */
export function deliveredLine(delivered: readonly DeliveredK[]): string {
  return delivered.map((entry) => `k=${entry.k}: ${entry.messages.map((message) => JSON.stringify(message)).join(' and ')} (${entry.paths.join('/')}) by ${entry.processes.map((process) => `p${process}`).join(', ')}`).join('; ');
}
