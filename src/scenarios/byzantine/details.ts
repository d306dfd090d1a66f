import type { NoteEvent, ProcessId } from '../../fabric/index.js';
import { deliveriesOf } from '../../check/broadcast.js';
import { eventsOf } from '../../fabric/events.js';
import type { Placement } from './setup.js';

/**
 * Per-run figures of the broadcast scenarios (`details` of `mnm run --json`):
 * deliveries and their paths, delays from broadcast to delivery, signatures
 * made and verified per process and summed over correct processes, and which
 * adversaries had an effect.
 */
export interface BroadcastDetails {
  readonly f: number;
  readonly processes: number;
  readonly byzantine: readonly Placement[];
  readonly broadcasts: number;
  readonly deliveries: { readonly total: number; readonly fast: number; readonly slow: number; readonly byProcess: Record<string, number> };
  /** Time from a correct sender's broadcast to each correct delivery (virtual time; delays under `unit`). */
  readonly delays: { readonly median: number | null; readonly max: number | null; readonly fastMedian: number | null; readonly slowMedian: number | null };
  /** Per process: signatures made, verifications, failed verifications, malformed slots read. */
  readonly signatures: Record<string, { made: number; verified: number; rejected: number; malformed: number }>;
  /** Summed over correct processes; and per broadcast of a correct sender. */
  readonly correctSignatures: { readonly made: number; readonly verified: number; readonly rejected: number; readonly malformed: number; readonly madePerBroadcast: number | null; readonly verifiedPerBroadcast: number | null };
  /** Broadcasts whose sender had to sign, and when (from its broadcast). */
  readonly slowTriggers: number;
  readonly gaveUp: number;
  readonly adversaries: readonly { readonly process: ProcessId; readonly adversary: string; readonly effect: boolean; readonly reasons: readonly string[] }[];
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.ceil(sorted.length / 2) - 1]);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function broadcastDetails(notes: readonly NoteEvent[], run: { f: number; processes: number; byzantine: readonly Placement[]; senderPurpose?: string }): BroadcastDetails {
  const byzantine = new Set(run.byzantine.map((placement) => placement.process));
  const honest = (process: ProcessId) => !byzantine.has(process);
  const broadcastAt = new Map<string, number>();
  for (const event of eventsOf(notes, 'broadcast')) if (honest(event.process)) broadcastAt.set(`${event.s}/${event.k}`, event.time);
  const deliveries = deliveriesOf(notes).filter((delivery) => honest(delivery.process));
  const paths = new Map<ProcessId, Map<string, string>>();
  for (const event of eventsOf(notes, 'deliver')) {
    if (!honest(event.process)) continue;
    const map = paths.get(event.process) ?? new Map<string, string>();
    map.set(`${event.s}/${event.k}`, event.path);
    paths.set(event.process, map);
  }
  const all: number[] = [];
  const fast: number[] = [];
  const slow: number[] = [];
  const byProcess: Record<string, number> = {};
  for (const delivery of deliveries) {
    byProcess[`p${delivery.process}`] = (byProcess[`p${delivery.process}`] ?? 0) + 1;
    const start = broadcastAt.get(`${delivery.sender}/${delivery.sequence}`);
    if (start === undefined) continue;
    const path = paths.get(delivery.process)?.get(`${delivery.sender}/${delivery.sequence}`);
    all.push(delivery.time - start);
    (path === 'fast' ? fast : slow).push(delivery.time - start);
  }
  const signatures: BroadcastDetails['signatures'] = {};
  for (const event of eventsOf(notes, 'signatures')) {
    signatures[`p${event.process}`] = { made: event.made, verified: event.verified, rejected: event.rejected, malformed: event.malformed };
  }
  const correct = Object.entries(signatures).filter(([name]) => honest(Number(name.slice(1))));
  const sum = (key: 'made' | 'verified' | 'rejected' | 'malformed') => correct.reduce((total, [, counts]) => total + counts[key], 0);
  const broadcasts = broadcastAt.size;
  const purpose = run.senderPurpose ?? 'broadcast';
  const slowTriggers = eventsOf(notes, 'sign').filter((event) => honest(event.process) && event.purpose === purpose && event.s === event.process).length;
  const effects = new Map<ProcessId, string[]>();
  for (const event of eventsOf(notes, 'adversary-effect')) effects.set(event.process, [...(effects.get(event.process) ?? []), event.reason]);
  return {
    f: run.f,
    processes: run.processes,
    byzantine: run.byzantine,
    broadcasts,
    deliveries: { total: deliveries.length, fast: fast.length, slow: slow.length, byProcess },
    delays: { median: median(all), max: all.length > 0 ? round(Math.max(...all)) : null, fastMedian: median(fast), slowMedian: median(slow) },
    signatures,
    correctSignatures: {
      made: sum('made'),
      verified: sum('verified'),
      rejected: sum('rejected'),
      malformed: sum('malformed'),
      madePerBroadcast: broadcasts > 0 ? round(sum('made') / broadcasts) : null,
      verifiedPerBroadcast: broadcasts > 0 ? round(sum('verified') / broadcasts) : null,
    },
    slowTriggers,
    gaveUp: eventsOf(notes, 'give-up').filter((event) => honest(event.process)).length,
    adversaries: run.byzantine.map((placement) => {
      const reasons = effects.get(placement.process) ?? [];
      return { ...placement, effect: reasons.length > 0, reasons };
    }),
  };
}
