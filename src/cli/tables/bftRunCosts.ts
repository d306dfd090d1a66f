import { decodeMessage } from '../../protocols/byzantine/bft/codec.js';
import { messageTypes } from '../../protocols/byzantine/bft/messages.js';
import { runScenario, type RunOptions, type RunReport } from '../../scenarios/index.js';
import type { TraceEvent } from '../../trace/format.js';

/**
 * What one `bft` or `pbft` run cost its replicas, as
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

/**
 * What the table reads from a run's trace, tallied as the trace streams out
 * (an f = 2 run's trace is larger than a string may be): the REQs delivered
 * to replicas, and the verbs and bytes up to each decision.
 */
export class TraceTally {
  private pending = '';
  private readonly sent = new Map<number, string>();
  private readonly requests = new Set<string>();
  private verbs = 0;
  private bytes = 0;
  private atDecision = { verbs: 0, bytes: 0 };

  constructor(private readonly replicas: number) {}

  /** A chunk of the trace's text (whole lines or not). */
  readonly feed = (chunk: string): void => {
    const text = this.pending + chunk;
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) if (line !== '') this.event(JSON.parse(line) as TraceEvent);
  };

  private event(event: TraceEvent): void {
    if (!('t' in event)) return;
    if (event.type === 'verb.issue') {
      this.verbs++;
      this.bytes += event.len;
    } else if (event.type === 'msg.send') {
      this.bytes += event.len;
      // Only REQs are looked up again (their type byte): the rest need not be kept.
      if (event.data.startsWith(requestTypeHex)) this.sent.set(event.id, event.data);
    } else if (event.type === 'msg.deliver' && event.to < this.replicas) {
      const data = this.sent.get(event.id);
      if (data === undefined) return;
      try {
        const message = decodeMessage(Buffer.from(data, 'hex'), requestLimits);
        if (message.type === 'req') this.requests.add(`${event.to}/${message.request.client}/${message.request.sequence}`);
      } catch {
        // Not a well-formed REQ: nothing a replica would verify.
      }
    } else if (event.type === 'note' && event.kind === 'bft-decide') this.atDecision = { verbs: this.verbs, bytes: this.bytes };
  }

  /** Distinct (replica, client, sequence) among the REQs delivered to replicas: the client signatures they verified. */
  get clientSignaturesVerified(): number {
    return this.requests.size;
  }

  /** Verbs issued and bytes moved (verbs and messages) up to the last decision. */
  get trafficToLastDecision(): { verbs: number; bytes: number } {
    return this.atDecision;
  }
}

const requestTypeHex = messageTypes.req.toString(16).padStart(2, '0');

/** Runs a bft or pbft scenario with its trace tallied as it streams. */
export async function tallied(options: RunOptions, replicas: number): Promise<{ report: RunReport; tally: TraceTally }> {
  const tally = new TraceTally(replicas);
  const report = await runScenario(options, 'full', { trace: tally.feed });
  return { report, tally };
}

/** The totals of a `bft` run. */
export function bftRunCosts(report: RunReport, tally: TraceTally): RunCosts {
  const details = report.details as {
    decisions: { fast: number; slow: number };
    replicaMessages: number;
    broadcasts: number;
    signaturesMade: number;
    signaturesVerified: number;
    streamSignaturesMade: number;
    streamSignaturesVerified: number;
  };
  return {
    decisions: details.decisions.fast + details.decisions.slow,
    replicaMessages: details.replicaMessages,
    broadcasts: details.broadcasts,
    signaturesMade: details.signaturesMade + details.streamSignaturesMade,
    signaturesVerified: details.signaturesVerified + details.streamSignaturesVerified - tally.clientSignaturesVerified,
    clientSignaturesVerified: tally.clientSignaturesVerified,
    ...tally.trafficToLastDecision,
  };
}

/** The totals of a `pbft` run (no CB; its replicas sign nothing in the normal case). */
export function pbftRunCosts(report: RunReport, tally: TraceTally): RunCosts {
  const details = report.details as { decisions: number; replicaMessages: number; signaturesMade: number; signaturesVerified: number };
  return {
    decisions: details.decisions,
    replicaMessages: details.replicaMessages,
    broadcasts: 0,
    signaturesMade: details.signaturesMade,
    signaturesVerified: details.signaturesVerified - tally.clientSignaturesVerified,
    clientSignaturesVerified: tally.clientSignaturesVerified,
    ...tally.trafficToLastDecision,
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
