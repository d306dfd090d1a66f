import type { RunOptions, RunReport } from '../../scenarios/index.js';
import { notesOf } from './tourBroadcast.js';

/**
 * The figures of the tour's bft stops (15, 16), read from a `bft` run's
 * report (`details`: the replicas' own counters) and its trace (the
 * `bft-decide`, `bft-suspect`, `bft-enter` notes). Pure but for the report.
 */

/**
 * The faulty leader of stop 16: a Byzantine leader that equivocates (the
 * stop's text follows this constant; `{ crash: 'p0@20' }` shows a crash).
 */
export const bftLeaderFault: LeaderFault = { adversary: 'equivocating-leader' };

export type LeaderFault = { readonly crash: string } | { readonly adversary: string };

/** How the stop names its leader's fault. */
export function leaderFaultLabel(fault: LeaderFault): string {
  return 'crash' in fault ? `p0 (the leader) crashes at ${fault.crash.split('@')[1] ?? '0'} (a crash, the mildest Byzantine fault)` : `p0 (the leader) runs the Byzantine strategy '${fault.adversary}'`;
}

/** The stops' run options: f = 1, one client, three requests (one short of the first checkpoint at W/2 = 4). */
export function bftTourOptions(fault?: LeaderFault): RunOptions {
  return { protocol: 'bft', seed: 1, latency: 'unit', faults: 'none', f: 1, clients: 1, ops: 3, ...(fault ?? {}) };
}

interface BftDetails {
  replicas: number;
  decisions: { fast: number; slow: number };
  delays: { toDecideMedian: number | null; endToEndMedian: number | null };
  replicaMessages: number;
  broadcasts: number;
  signaturesMade: number;
  streamSignaturesMade: number;
  viewChangeMessages: number;
  viewChangeSignaturesMade: number;
  viewChange: { views: number; delays: number | null; fixedInstances: number };
}

/** A decision per instance: the first `bft-decide` of each i (its view and path). */
function decisionsOf(trace: string): { i: number; v: number; path: string; t: number }[] {
  const seen = new Map<number, { i: number; v: number; path: string; t: number }>();
  for (const note of notesOf(trace)) {
    if (note.kind !== 'bft-decide') continue;
    const detail = note.detail as { v: number; i: number; path: string };
    if (!seen.has(detail.i)) seen.set(detail.i, { i: detail.i, v: detail.v, path: detail.path, t: note.t });
  }
  return [...seen.values()].sort((a, b) => a.i - b.i);
}

/** Stop 15's figures: decisions by path, and what a decision cost (signatures of the consensus layer and of the CB streams, messages, CBs, delays). */
export function bftFastFacts(report: RunReport): Record<string, unknown> {
  const details = report.details as unknown as BftDetails;
  const decided = details.decisions.fast + details.decisions.slow;
  const per = (value: number) => (decided > 0 ? Math.round((value / decided) * 100) / 100 : null);
  return {
    replicas: details.replicas,
    decisions: details.decisions,
    signaturesMade: details.signaturesMade + details.streamSignaturesMade,
    messagesPerDecision: per(details.replicaMessages),
    broadcastsPerDecision: per(details.broadcasts),
    delaysToDecide: details.delays.toDecideMedian,
    delaysEndToEnd: details.delays.endToEndMedian,
  };
}

/** Stop 16's figures: the decisions before and after the view change, when the leader was suspected and when a replica entered view 1, what the change cost. */
export function bftViewChangeFacts(report: RunReport): Record<string, unknown> {
  const details = report.details as unknown as BftDetails;
  const notes = notesOf(report.trace ?? '');
  const decisions = decisionsOf(report.trace ?? '');
  const suspect = notes.find((note) => note.kind === 'bft-suspect');
  const entered = notes.find((note) => note.kind === 'bft-enter' && Number((note.detail as { v: number }).v) > 0);
  const byView = (view: number) => decisions.filter((decision) => decision.v === view);
  return {
    replicas: details.replicas,
    decisions: details.decisions,
    decidedInView0: byView(0).map((decision) => `${decision.i} (${decision.path})`),
    decidedLater: decisions.filter((decision) => decision.v > 0).map((decision) => `${decision.i} (${decision.path}, view ${decision.v})`),
    suspectedAt: suspect?.t ?? null,
    suspectedBy: suspect?.p ?? null,
    enteredAt: entered?.t ?? null,
    newLeader: entered ? Number((entered.detail as { v: number }).v) % details.replicas : null,
    views: details.viewChange.views,
    viewChangeDelays: details.viewChange.delays,
    fixedInstances: details.viewChange.fixedInstances,
    viewChangeMessages: details.viewChangeMessages,
    viewChangeSignaturesMade: details.viewChangeSignaturesMade,
    callsOk: report.history.filter((event) => event.type === 'ok').length,
  };
}
