import { decodeMessage } from '../../protocols/byzantine/bft/codec.js';
import { messageTypes } from '../../protocols/byzantine/bft/messages.js';
import type { RunReport } from '../../scenarios/index.js';
import type { TraceEvent } from '../../trace/format.js';

/**
 * What one `bft` or `pbft` run (trace mode `full`) cost its replicas, as
 * totals: the run's counters (details) plus what only the trace tells —
 * the client signatures the replicas verified (distinct (replica, c, s) of
 * the REQs delivered to a replica; each is verified once, §5), and the
 * verbs and bytes up to the run's last decision (after it the replicas
 * linger, their streams idle-polling, which is no decision's cost).
 */
export interface RunCosts {
  readonly decisions: number;
  readonly replicaMessages: number;
  /** CBs (PREPARE, COMMIT, SEAL, NEW_VIEW, CHECKPOINT); 0 for PBFT. */
  readonly broadcasts: number;
  /** Replica signatures made: the consensus layer's and the CB streams'. */
  readonly signaturesMade: number;
  /** Replica signatures verified (the clients' taken out). */
  readonly signaturesVerified: number;
  readonly clientSignaturesVerified: number;
  readonly verbs: number;
  readonly bytes: number;
}

/** Codec bounds generous enough for any REQ of a run (a REQ has no list but its op). */
const requestLimits = { window: 1024, batchLimit: 1024, opLimitBytes: 1 << 16, snapshotLimitBytes: 1 << 20, resultLimitBytes: 1 << 20 };

function traceEvents(report: RunReport): TraceEvent[] {
  const events: TraceEvent[] = [];
  for (const line of (report.trace ?? '').split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line) as TraceEvent;
    if ('t' in event) events.push(event);
  }
  return events;
}

/** Distinct (replica, client, sequence) among the REQs delivered to replicas 0..replicas−1. */
export function clientRequestsVerified(events: readonly TraceEvent[], replicas: number): number {
  const sent = new Map<number, string>();
  const seen = new Set<string>();
  for (const event of events) {
    if (event.type === 'msg.send') sent.set(event.id, event.data);
    else if (event.type === 'msg.deliver' && event.to < replicas) {
      const data = sent.get(event.id);
      if (data === undefined || !data.startsWith(messageTypes.req.toString(16).padStart(2, '0'))) continue;
      try {
        const message = decodeMessage(Buffer.from(data, 'hex'), requestLimits);
        if (message.type === 'req') seen.add(`${event.to}/${message.request.client}/${message.request.sequence}`);
      } catch {
        // Not a well-formed REQ: nothing a replica would verify.
      }
    }
  }
  return seen.size;
}

/** Verbs issued and bytes moved (verbs and messages) up to `until`. */
export function trafficUntil(events: readonly TraceEvent[], until: number): { verbs: number; bytes: number } {
  let verbs = 0;
  let bytes = 0;
  for (const event of events) {
    if (event.t > until) break;
    if (event.type === 'verb.issue') {
      verbs++;
      bytes += event.len;
    } else if (event.type === 'msg.send') bytes += event.len;
  }
  return { verbs, bytes };
}

function lastDecisionTime(events: readonly TraceEvent[], kind: string): number {
  let last = 0;
  for (const event of events) if (event.type === 'note' && event.kind === kind) last = event.t;
  return last;
}

/** The totals of a `bft` run. */
export function bftRunCosts(report: RunReport): RunCosts {
  const details = report.details as {
    replicas: number;
    decisions: { fast: number; slow: number };
    replicaMessages: number;
    broadcasts: number;
    signaturesMade: number;
    signaturesVerified: number;
    streamSignaturesMade: number;
    streamSignaturesVerified: number;
  };
  const events = traceEvents(report);
  const clientSignaturesVerified = clientRequestsVerified(events, details.replicas);
  return {
    decisions: details.decisions.fast + details.decisions.slow,
    replicaMessages: details.replicaMessages,
    broadcasts: details.broadcasts,
    signaturesMade: details.signaturesMade + details.streamSignaturesMade,
    signaturesVerified: details.signaturesVerified + details.streamSignaturesVerified - clientSignaturesVerified,
    clientSignaturesVerified,
    ...trafficUntil(events, lastDecisionTime(events, 'bft-decide')),
  };
}

/** The totals of a `pbft` run (no CB; its replicas sign nothing in the normal case). */
export function pbftRunCosts(report: RunReport): RunCosts {
  const details = report.details as { replicas: number; decisions: number; replicaMessages: number; signaturesMade: number; signaturesVerified: number };
  const events = traceEvents(report);
  const clientSignaturesVerified = clientRequestsVerified(events, details.replicas);
  return {
    decisions: details.decisions,
    replicaMessages: details.replicaMessages,
    broadcasts: 0,
    signaturesMade: details.signaturesMade,
    signaturesVerified: details.signaturesVerified - clientSignaturesVerified,
    clientSignaturesVerified,
    ...trafficUntil(events, lastDecisionTime(events, 'bft-decide')),
  };
}

/** Totals divided by decisions, to three decimals (null when nothing was decided). */
export function perDecision(costs: RunCosts): Record<Exclude<keyof RunCosts, 'decisions'>, number | null> {
  const per = (value: number) => (costs.decisions > 0 ? Math.round((value / costs.decisions) * 1000) / 1000 : null);
  return {
    replicaMessages: per(costs.replicaMessages),
    broadcasts: per(costs.broadcasts),
    signaturesMade: per(costs.signaturesMade),
    signaturesVerified: per(costs.signaturesVerified),
    clientSignaturesVerified: per(costs.clientSignaturesVerified),
    verbs: per(costs.verbs),
    bytes: per(costs.bytes),
  };
}

/** What `with` cost beyond `without` (a view change: a leader-crash run minus a silent-follower run of the same requests). */
export function costDifference(withIt: RunCosts, without: RunCosts): RunCosts {
  return {
    decisions: 1,
    replicaMessages: withIt.replicaMessages - without.replicaMessages,
    broadcasts: withIt.broadcasts - without.broadcasts,
    signaturesMade: withIt.signaturesMade - without.signaturesMade,
    signaturesVerified: withIt.signaturesVerified - without.signaturesVerified,
    clientSignaturesVerified: withIt.clientSignaturesVerified - without.clientSignaturesVerified,
    verbs: withIt.verbs - without.verbs,
    bytes: withIt.bytes - without.bytes,
  };
}
