import { runScenario, type RunOptions, type RunReport } from '../../scenarios/index.js';
import { defaultWindow } from '../../scenarios/bftSetup.js';
import { Progress } from '../progress.js';
import { replayCommand } from '../runArgs.js';
import { bftRunCosts, costDifference, pbftRunCosts, perDecision, tallied, type RunCosts } from './bftRunCosts.js';
import { alignedColumns, cell } from './cell.js';
import { commitCost } from './consensus.js';
import type { Table } from './table.js';

/**
 * specs/bft-consensus.md §5, measured: the cost of one decision of `bft`
 * (n = 2f+1 on consistent broadcast) on its fast path (no fault), its slow
 * path (a silent follower: the highest-numbered replica crashed from the
 * start) and of a view change (the leader crashed from the start: Treq's
 * expiry to the NEW_VIEW accepted), next to the PBFT baseline (n = 3f+1)
 * and Mu (crash faults only), for f = 1 and 2, `unit` latency, one client
 * (one request per batch, §5). Figures per decision are run totals over
 * correct replicas divided by the decisions; the fast path's run stops
 * short of the first checkpoint (W/2 − 1 requests), a second run of W/2
 * requests gives the checkpoint's amortized share. A view change's figures
 * are the leader-crash run's totals minus the silent-follower run's (the
 * same requests, decided on the slow path after the view change).
 */

export type BftTableAlgorithm = 'bft' | 'pbft' | 'mu';
export type BftTablePath = 'fast' | 'slow' | 'view-change';

export interface BftTablePlan {
  readonly algorithm: BftTableAlgorithm;
  readonly path: BftTablePath;
  readonly f: number;
}

const seed = 1;
/** The fast path's requests: one short of the first checkpoint (next = W/2), so no checkpoint signature falls in. */
const fastRequests = defaultWindow / 2 - 1;
/** The run that reaches the first checkpoint: n CKPT-SHAREs over W/2 decisions (2n/W each). */
const amortizedRequests = defaultWindow / 2;

/** Every row of the table, in print order. */
export function bftPlans(fs: readonly number[] = [1, 2]): BftTablePlan[] {
  const plans: BftTablePlan[] = [];
  for (const f of fs) {
    for (const path of ['fast', 'slow', 'view-change'] as const) plans.push({ algorithm: 'bft', path, f });
    plans.push({ algorithm: 'pbft', path: 'fast', f });
    plans.push({ algorithm: 'mu', path: 'fast', f });
  }
  return plans;
}

function bftOptions(f: number, ops: number, crash?: string): RunOptions {
  return { protocol: 'bft', seed, f, clients: 1, ops, latency: 'unit', faults: 'none', ...(crash ? { crash } : {}) };
}

/** The silent follower: the highest-numbered replica, crashed at 0 (p0 leads view 0). */
function silentFollower(f: number): string {
  return `p${2 * f}@0`;
}

function provenanceOf(report: RunReport): Record<string, unknown> {
  return { ok: report.ok, seed: report.seed, traceHash: report.traceHash, replay: `${replayCommand(report.params)} --json` };
}

function costFields(costs: RunCosts): Record<string, unknown> {
  const per = perDecision(costs);
  return {
    decisions: costs.decisions,
    messages: per.replicaMessages,
    broadcasts: per.broadcasts,
    verbs: per.verbs,
    signaturesMade: per.signaturesMade,
    signaturesVerified: per.signaturesVerified,
    clientSignaturesVerified: per.clientSignaturesVerified,
    bytes: per.bytes,
  };
}

interface BftDetails {
  replicas: number;
  delays: { toDecideMedian: number | null; endToEndMedian: number | null };
  viewChange: { views: number; delays: number | null; fixedInstances: number };
  timers: { slow: number; request: number };
}

type Measured = { report: RunReport; costs: RunCosts };

async function bftRow(plan: BftTablePlan, memo: Map<string, Measured>): Promise<Record<string, unknown>> {
  const measure = async (options: RunOptions): Promise<Measured> => {
    const key = JSON.stringify(options);
    const cached = memo.get(key);
    if (cached) return cached;
    const { report, tally } = await tallied(options, 2 * plan.f + 1);
    const measured = { report, costs: bftRunCosts(report, tally) };
    memo.set(key, measured);
    return measured;
  };
  const { f } = plan;
  if (plan.path === 'fast') {
    const { report, costs } = await measure(bftOptions(f, fastRequests));
    const amortized = perDecision((await measure(bftOptions(f, amortizedRequests))).costs);
    const details = report.details as unknown as BftDetails;
    return {
      ...base(plan, details.replicas),
      delays: details.delays.toDecideMedian,
      delaysEndToEnd: details.delays.endToEndMedian,
      timeout: null,
      ...costFields(costs),
      signaturesMadeAmortized: amortized.signaturesMade,
      signaturesVerifiedAmortized: amortized.signaturesVerified,
      ...provenanceOf(report),
    };
  }
  // One request: the slow path and the view change each decide it once.
  const { report: slow, costs: slowCosts } = await measure(bftOptions(f, 1, silentFollower(f)));
  if (plan.path === 'slow') {
    const details = slow.details as unknown as BftDetails;
    return {
      ...base(plan, details.replicas),
      adversary: `crash ${silentFollower(f)}`,
      delays: details.delays.toDecideMedian,
      delaysEndToEnd: details.delays.endToEndMedian,
      timeout: details.timers.slow,
      ...costFields(slowCosts),
      signaturesMadeAmortized: null,
      signaturesVerifiedAmortized: null,
      ...provenanceOf(slow),
    };
  }
  const { report: crashed, costs: crashedCosts } = await measure(bftOptions(f, 1, 'p0@0'));
  const details = crashed.details as unknown as BftDetails;
  const cost = costFields(costDifference(crashedCosts, slowCosts));
  return {
    ...base(plan, details.replicas),
    adversary: 'crash p0@0 (the leader)',
    delays: details.viewChange.delays,
    delaysEndToEnd: null,
    timeout: details.timers.request,
    ...cost,
    decisions: null,
    views: details.viewChange.views,
    fixedInstances: details.viewChange.fixedInstances,
    signaturesMadeAmortized: null,
    signaturesVerifiedAmortized: null,
    ...provenanceOf(crashed),
    baselineReplay: `${replayCommand(slow.params)} --json`,
    ok: crashed.ok && slow.ok,
  };
}

function base(plan: BftTablePlan, processes: number): Record<string, unknown> {
  return { algorithm: plan.algorithm, path: plan.path, f: plan.f, processes, adversary: null };
}

async function pbftRow(plan: BftTablePlan): Promise<Record<string, unknown>> {
  const { report, tally } = await tallied({ protocol: 'pbft', seed, f: plan.f, clients: 1, ops: fastRequests, latency: 'unit', faults: 'none' }, 3 * plan.f + 1);
  const details = report.details as { replicas: number; delays: { proposeToDecide: number | null; invokeToOk: number | null } };
  const costs = costFields(pbftRunCosts(report, tally));
  return {
    ...base(plan, details.replicas),
    delays: details.delays.proposeToDecide,
    delaysEndToEnd: details.delays.invokeToOk,
    timeout: null,
    ...costs,
    signaturesMadeAmortized: costs.signaturesMade,
    signaturesVerifiedAmortized: costs.signaturesVerified,
    ...provenanceOf(report),
  };
}

/** Mu per commit with a stable leader (`mnm table consensus`'s log rows): it signs nothing, so its signature cells stay empty. */
async function muRow(plan: BftTablePlan): Promise<Record<string, unknown>> {
  const report = await runScenario({ protocol: 'mu', seed, f: plan.f, latency: 'unit', faults: 'none', workload: 'stable' }, 'full');
  const cost = report.ok ? commitCost('mu', report.trace ?? '', report.params.n) : null;
  return {
    ...base(plan, report.params.n),
    delays: cost?.delays ?? null,
    delaysEndToEnd: null,
    timeout: null,
    decisions: cost?.commits ?? null,
    messages: cost?.messages ?? null,
    broadcasts: null,
    verbs: cost?.verbs ?? null,
    signaturesMade: null,
    signaturesVerified: null,
    clientSignaturesVerified: null,
    bytes: cost?.bytes ?? null,
    signaturesMadeAmortized: null,
    signaturesVerifiedAmortized: null,
    ...provenanceOf(report),
    ok: report.ok && cost !== null,
  };
}

/** Measures the rows of `plans` (shared runs measured once). */
export async function measureBftRows(plans: readonly BftTablePlan[], onRow: (done: number) => void = () => {}): Promise<Record<string, unknown>[]> {
  const memo = new Map<string, Measured>();
  const rows: Record<string, unknown>[] = [];
  for (const plan of plans) {
    rows.push(plan.algorithm === 'bft' ? await bftRow(plan, memo) : plan.algorithm === 'pbft' ? await pbftRow(plan) : await muRow(plan));
    onRow(rows.length);
  }
  return rows;
}

const header = ['algorithm', 'path', 'f', 'procs', 'delays', 'end to end', 'timeout', 'msgs', 'CBs', 'verbs', 'sigs made', 'sigs verified', 'made amortized', 'client sigs verified', 'bytes'];

function cellsOf(row: Record<string, unknown>): string[] {
  return [
    String(row.algorithm),
    String(row.path),
    cell(row.f),
    cell(row.processes),
    cell(row.delays),
    cell(row.delaysEndToEnd),
    cell(row.timeout),
    cell(row.messages),
    cell(row.broadcasts),
    cell(row.verbs),
    cell(row.signaturesMade),
    cell(row.signaturesVerified),
    cell(row.signaturesMadeAmortized),
    cell(row.clientSignaturesVerified),
    cell(row.bytes),
  ];
}

/** The rows as a Markdown table (README, docs/bft.md). */
export function bftMarkdown(rows: readonly Record<string, unknown>[]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${cellsOf(row).join(' | ')} |`)];
  return lines.join('\n') + '\n';
}

export const bftTable: Table = {
  name: 'bft',
  summary: 'Byzantine consensus with n = 2f+1 on CB per decision (fast path, slow path, view change) next to PBFT (3f+1) and Mu: delays, messages, CBs, verbs, signatures, bytes',
  async measure(options, io) {
    const plans = bftPlans();
    const progress = new Progress(io, 'table bft', plans.length, options.quiet);
    const rows = await measureBftRows(plans, (done) => progress.update(done));
    progress.done();
    return { rows, latency: 'unit', window: defaultWindow };
  },
  render(table) {
    const out = [
      `Byzantine consensus per decision, unit latency, one client (one request per batch), W = ${String(table.window ?? defaultWindow)}`,
      'bft slow path = a silent follower (crashed from the start); view change = the leader crashed from the start, delays from Treq expiry to',
      'the first NEW_VIEW accepted (+ the timeout shown), its work = that run minus the slow-path run; figures summed over correct replicas',
      '(sigs: replica signatures, consensus layer and CB streams; client sigs verified apart); verbs and bytes up to the last decision',
      '',
      ...alignedColumns(header, table.rows.map(cellsOf)),
      '',
      'spec §5: fast 0 signatures per decision (amortized 2n/W: the checkpoint), slow 2n−1, view change n(n−1)+1; PBFT 0 with 3f+1 replicas; Mu signs nothing.',
      `every row is one run: ${String(table.rows[0]?.replay ?? '')} ...`,
    ];
    const failed = table.rows.filter((row) => row.ok !== true);
    if (failed.length > 0) out.push(`WARNING: ${failed.length} row(s) violated a property: ${failed.map((row) => row.replay).join('; ')}`);
    return out.join('\n') + '\n';
  },
};
