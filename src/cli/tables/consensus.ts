import { eventsOf, type EventOf, type NoteRecord } from '../../fabric/events.js';
import { logMessages } from '../../protocols/consensus/consensusLog.js';
import { indexedMessages } from '../../protocols/common/instances.js';
import { muHeartbeatRegion, muLogHeader, muLogRegion } from '../../protocols/consensus/mu/muLayout.js';
import { runScenario, type RunOptions, type RunReport } from '../../scenarios/index.js';
import type { TraceEvent } from '../../trace/format.js';
import { Progress } from '../progress.js';
import { replayCommand } from '../runArgs.js';
import { alignedColumns, cell } from './cell.js';
import type { Table } from './table.js';

/**
 * The lecture's consensus table, measured: per algorithm and f, the crashes
 * it tolerates (verified by a run that crashes that many processes and
 * memories and still decides), the processes and memories it needs, and the
 * common-case decision latency in one-way delays (`unit` model, median over
 * seeds), with the verbs, messages and bytes of the deciding attempt.
 *
 * Then the replicated logs (Mu, PMP-log, Multi-Paxos), per commit with a
 * stable leader, measured on the same kind of runs: delays per commit, the
 * verbs, messages and bytes one commit costs, and the follower CPU steps —
 * the messages a follower must handle per commit (Mu's followers handle
 * none: the leader writes their logs, and they read their own memory).
 */
type Algorithm = 'paxos' | 'sm-paxos' | 'disk-paxos' | 'disk-paxos-pipelined' | 'pmp';

interface RowPlan {
  readonly algorithm: Algorithm;
  readonly case: 'stable-leader' | 'new-leader';
  readonly f: number;
}

const seeds = [1, 2, 3, 4, 5];

function plans(): RowPlan[] {
  const rows: RowPlan[] = [];
  for (const f of [1, 2]) {
    for (const algorithm of ['paxos', 'sm-paxos', 'disk-paxos', 'disk-paxos-pipelined', 'pmp'] as const) rows.push({ algorithm, case: 'stable-leader', f });
    rows.push({ algorithm: 'pmp', case: 'new-leader', f });
  }
  return rows;
}

function optionsFor(plan: RowPlan, seed: number): RunOptions {
  return {
    protocol: plan.algorithm,
    seed,
    f: plan.f,
    latency: 'unit',
    faults: 'none',
    workload: 'stable',
    // A new leader: p0 is gone from the start; p1 takes over once Ω suspects p0.
    ...(plan.case === 'new-leader' ? { crash: 'p0@0' } : {}),
  };
}

/** The crashes the algorithm claims to tolerate for f, injected at once: every other process must still decide. */
function toleranceRun(plan: RowPlan, report: RunReport): RunOptions {
  const { n, memories } = report.params;
  const processCrashes = plan.algorithm === 'paxos' ? plan.f : n - 1;
  const memoryCrashes = plan.algorithm === 'paxos' || plan.algorithm === 'sm-paxos' ? 0 : Math.floor((memories - 1) / 2);
  // Crash the highest-numbered processes (p0 stays, so the stable leader is still the one measured)
  // and the lowest-numbered memories.
  const crashes = [
    ...Array.from({ length: processCrashes }, (_, index) => `p${n - 1 - index}@0`),
    ...Array.from({ length: memoryCrashes }, (_, index) => `m${index}@0`),
  ];
  return { ...optionsFor(plan, 1), ...(crashes.length > 0 ? { crash: crashes.join(',') } : {}) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

interface Decision {
  process: number;
  delays: number;
  latency: number;
}

interface Cost {
  verbs: number;
  messages: number;
  bytes: number;
  permissionRequests: number;
}

/** The run's first decision, read from the trace's notes through the event catalogue. */
function firstDecision(trace: string): EventOf<'decide'> | undefined {
  const notes: NoteRecord[] = [];
  for (const line of trace.split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line) as TraceEvent;
    if ('t' in event && event.type === 'note') notes.push({ time: event.t, process: event.p, kind: event.kind, ...(event.detail !== undefined ? { detail: event.detail as Record<string, unknown> } : {}) });
  }
  return eventsOf(notes, 'decide')[0];
}

const notTheAlgorithms = new Set<string>(['heartbeat', 'decided', 'fetch', 'forward']);

/**
 * The work of every process during the deciding attempt, read from the
 * trace: verbs, permission requests and protocol messages issued from the
 * attempt's start to the decision, and their bytes. Excluded: heartbeats,
 * decision announcements and catch-up (`fetch`/`decided`), and the appends
 * the others forward to the leader — each algorithm runs as the one-entry
 * case of its log (scenarios/consensus.ts), where a process that does not
 * lead hands its input to the leader; in the lecture's single-decree
 * setting every process holds its input, so that hand-off is not the
 * algorithm's cost.
 */
function decisionCost(trace: string, decision: Decision, decidedAt: number): Cost {
  const started = decidedAt - decision.latency;
  const cost: Cost = { verbs: 0, messages: 0, bytes: 0, permissionRequests: 0 };
  for (const line of trace.split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line) as TraceEvent;
    if (!('t' in event) || event.t < started || event.t > decidedAt) continue;
    if (event.type === 'verb.issue') {
      cost.verbs++;
      cost.bytes += event.len;
      if (event.verb === 'permission') cost.permissionRequests++;
    } else if (event.type === 'msg.send') {
      const message = logMessages.decode(Buffer.from(event.data, 'hex'));
      if (message && !notTheAlgorithms.has(message.kind)) {
        cost.messages++;
        cost.bytes += event.len;
      }
    }
  }
  return cost;
}

export type LogAlgorithm = 'mu' | 'pmp-log' | 'multi-paxos';

const logAlgorithms: readonly LogAlgorithm[] = ['mu', 'pmp-log', 'multi-paxos'];

function logOptionsFor(algorithm: LogAlgorithm, f: number, seed: number): RunOptions {
  return { protocol: algorithm, seed, f, latency: 'unit', faults: 'none', workload: 'stable' };
}

/** The crashes each log claims to tolerate for f, injected at once (the highest-numbered, so that p0 still leads). */
function logToleranceRun(algorithm: LogAlgorithm, f: number, report: RunReport): { options: RunOptions; processes: number; memories: number } {
  const { n, memories } = report.params;
  const hosts = (count: number, prefix: string) => Array.from({ length: count }, (_, index) => `${prefix}${n - 1 - index}@0`);
  // Mu: f hosts (a replica's process and the memory holding its log); PMP-log: all processes but one and f memories; Multi-Paxos: f processes.
  const crashes = algorithm === 'mu' ? hosts(f, 'h') : algorithm === 'pmp-log' ? [...hosts(n - 1, 'p'), ...Array.from({ length: Math.floor((memories - 1) / 2) }, (_, index) => `m${memories - 1 - index}@0`)] : hosts(f, 'p');
  const processes = crashes.filter((crash) => crash.startsWith('p') || crash.startsWith('h')).length;
  const memoryCrashes = crashes.filter((crash) => crash.startsWith('m') || crash.startsWith('h')).length;
  return { options: { ...logOptionsFor(algorithm, f, 1), crash: crashes.join(',') }, processes, memories: memoryCrashes };
}

/** Mu's only message: an append forwarded to the leader (the client's request, not the commit's). */
const muMessages = indexedMessages(['forward'] as const);

/** Mu's FUO push: the leader's tick writes its commit point into each log's header (per tick, not per commit). */
function isFuoPush(event: Extract<TraceEvent, { type: 'verb.issue' }>): boolean {
  return event.region === muLogRegion && event.verb === 'write' && event.offset + event.len <= muLogHeader;
}

/** Message kinds that are not a commit's (failure detection, forwarded appends, catch-up requests), and Mu's heartbeat regions (`mu-heartbeat-i`). */
const background = new Set<string>(['heartbeat', 'forward', 'fetch']);
const heartbeatRegions = muHeartbeatRegion(0).replace(/0$/, '');

export interface CommitCost {
  /** Steady-state commits measured (every leader decision but the first of the run). */
  commits: number;
  delays: number;
  verbs: number;
  messages: number;
  bytes: number;
  permissionRequests: number;
  followerSteps: number;
}

/**
 * The cost of one commit in a stable-leader run, from its trace. For every
 * decision of the leader after its first (`decide` {index, started}): the
 * verbs the leader issued when that entry's replication started (its writes
 * to the logs; the heartbeat plane and Mu's FUO push on the leader's tick
 * excluded), divided among the entries started at that instant; the
 * messages carrying that instance (accept,
 * accepted, decided), and those of them delivered to a process other than
 * the leader — what a follower's CPU must handle for the commit (per
 * follower).
 */
export function commitCost(algorithm: LogAlgorithm, trace: string, processes: number): CommitCost | null {
  const events: TraceEvent[] = [];
  for (const line of trace.split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line) as TraceEvent;
    if ('t' in event) events.push(event);
  }
  const decisions = events.filter((event) => event.type === 'note' && event.kind === 'decide') as Extract<TraceEvent, { type: 'note' }>[];
  if (decisions.length < 2) return null;
  const leader = decisions[0].p;
  const steady = decisions.slice(1).filter((event) => event.p === leader).map((event) => event.detail as { index: number; started: number });
  // An entry's verbs are the leader's at the instant its replication started, shared among the entries started then.
  const startedAll = new Map<number, number>();
  for (const event of decisions) {
    if (event.p !== leader) continue;
    const started = (event.detail as { started: number }).started;
    startedAll.set(started, (startedAll.get(started) ?? 0) + 1);
  }
  const startedAt = new Map<number, number>();
  for (const decision of steady) startedAt.set(decision.started, (startedAt.get(decision.started) ?? 0) + 1);
  const decode = (hex: string) => {
    const bytes = Buffer.from(hex, 'hex');
    return algorithm === 'mu' ? muMessages.decode(bytes) : logMessages.decode(bytes);
  };
  const indices = new Set(steady.map((decision) => decision.index));
  const cost: CommitCost = { commits: steady.length, delays: 0, verbs: 0, messages: 0, bytes: 0, permissionRequests: 0, followerSteps: 0 };
  const toFollowers = new Set<number>();
  for (const event of events) {
    if (event.type === 'verb.issue' && event.p === leader && startedAt.has(event.t) && !event.region.startsWith(heartbeatRegions) && !isFuoPush(event)) {
      const share = (startedAt.get(event.t) as number) / (startedAll.get(event.t) as number);
      cost.verbs += share;
      cost.bytes += event.len * share;
      if (event.verb === 'permission') cost.permissionRequests += share;
    } else if (event.type === 'msg.send') {
      const message = decode(event.data);
      if (!message || background.has(message.kind) || !indices.has(message.index)) continue;
      cost.messages++;
      cost.bytes += event.len;
      if (event.to !== leader) toFollowers.add(event.id);
    } else if (event.type === 'msg.deliver' && toFollowers.has(event.id)) {
      cost.followerSteps++;
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
  const delays = steady.map((decision) => decisions.find((event) => (event.detail as { index: number }).index === decision.index && event.p === leader) as Extract<TraceEvent, { type: 'note' }>).map((event) => event.t - (event.detail as { started: number }).started);
  cost.delays = median(delays);
  const per = (value: number) => Math.round((value / steady.length) * 100) / 100;
  // Per follower: the messages delivered to the processes other than the leader, divided among them.
  return { ...cost, verbs: per(cost.verbs), messages: per(cost.messages), bytes: per(cost.bytes), permissionRequests: per(cost.permissionRequests), followerSteps: per(cost.followerSteps / Math.max(1, processes - 1)) };
}

/** One row per log and f: the median-delay run of seeds 1-5 and its per-commit costs. */
export async function measureLogs(): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const f of [1, 2]) {
    for (const algorithm of logAlgorithms) {
      const measured: { report: RunReport; cost: CommitCost | null }[] = [];
      for (const seed of seeds) {
        const report = await runScenario(logOptionsFor(algorithm, f, seed), 'full');
        measured.push({ report, cost: report.ok ? commitCost(algorithm, report.trace ?? '', report.params.n) : null });
      }
      const complete = measured.every((run) => run.cost !== null);
      const delays = complete ? median(measured.map((run) => (run.cost as CommitCost).delays)) : null;
      const representative = measured.find((run) => run.cost?.delays === delays) ?? measured[0];
      const cost = representative.cost;
      const tolerance = logToleranceRun(algorithm, f, representative.report);
      const toleranceReport = await runScenario(tolerance.options, 'off');
      rows.push({
        algorithm,
        case: 'stable-leader',
        f,
        processes: representative.report.params.n,
        memories: representative.report.params.memories,
        toleratesProcessCrashes: tolerance.processes,
        toleratesMemoryCrashes: tolerance.memories,
        toleranceVerified: toleranceReport.ok && !toleranceReport.blocked,
        commits: cost?.commits ?? null,
        delays,
        verbs: cost?.verbs ?? null,
        messages: cost?.messages ?? null,
        bytes: cost?.bytes ?? null,
        permissionRequests: cost?.permissionRequests ?? null,
        followerSteps: cost?.followerSteps ?? null,
        seed: representative.report.seed,
        traceHash: representative.report.traceHash,
        replay: `${replayCommand(representative.report.params)} --json`,
      });
    }
  }
  return rows;
}

export const consensusTable: Table = {
  name: 'consensus',
  summary: 'Paxos, shared-memory Paxos, Disk Paxos (classic and pipelined), Protected Memory Paxos: tolerance, sizes, delays, verbs, bytes; the logs Mu, PMP-log, Multi-Paxos per commit',
  async measure(options, io) {
    const rows: Record<string, unknown>[] = [];
    const planned = plans();
    const progress = new Progress(io, 'table consensus', planned.length, options.quiet);
    for (const plan of planned) {
      const reports: RunReport[] = [];
      for (const seed of seeds) reports.push(await runScenario(optionsFor(plan, seed), 'full'));
      const decisions = reports.map((report) => report.details.decision as Decision | null);
      const complete = reports.every((report) => report.ok) && decisions.every((decision) => decision !== null);
      const delays = complete ? median(decisions.map((decision) => (decision as Decision).delays)) : null;
      // The representative run: the first seed whose delays equal the median.
      const index = Math.max(0, decisions.findIndex((decision) => decision?.delays === delays));
      const representative = reports[index];
      const decision = decisions[index];
      const decidedAt = firstDecision(representative.trace ?? '')?.time;
      const cost = decision && decidedAt !== undefined ? decisionCost(representative.trace ?? '', decision, decidedAt) : null;
      const tolerance = await runScenario(toleranceRun(plan, representative), 'off');
      const crashesOf = (kind: 'p' | 'm') => (tolerance.params.crash ?? '').split(',').filter((crash) => crash.startsWith(kind)).length;
      rows.push({
        algorithm: plan.algorithm,
        case: plan.case,
        f: plan.f,
        processes: representative.params.n,
        memories: representative.params.memories,
        toleratesProcessCrashes: crashesOf('p'),
        toleratesMemoryCrashes: crashesOf('m'),
        toleranceVerified: tolerance.ok && !tolerance.blocked,
        delays,
        verbs: cost?.verbs ?? null,
        messages: cost?.messages ?? null,
        bytes: cost?.bytes ?? null,
        permissionRequests: cost?.permissionRequests ?? null,
        seed: representative.seed,
        traceHash: representative.traceHash,
        replay: `${replayCommand(representative.params)} --json`,
      });
      progress.update(rows.length);
    }
    const logs = await measureLogs();
    progress.done();
    return { rows, logs, latency: 'unit', seeds };
  },
  render(table) {
    const header = ['algorithm', 'case', 'f', 'procs', 'mems', 'tolerates (p/m crashed)', 'delays', 'verbs', 'msgs', 'bytes', 'perm', 'seed', 'traceHash'];
    const lines = table.rows.map((row) => [
      String(row.algorithm),
      String(row.case),
      cell(row.f),
      cell(row.processes),
      cell(row.memories),
      `${row.toleratesProcessCrashes}/${row.toleratesMemoryCrashes} ${row.toleranceVerified ? 'verified' : 'NOT verified'}`,
      cell(row.delays),
      cell(row.verbs),
      cell(row.messages),
      cell(row.bytes),
      cell(row.permissionRequests),
      cell(row.seed),
      String(row.traceHash).slice(0, 19),
    ]);
    const stable = (algorithm: string) => table.rows.find((row) => row.algorithm === algorithm && row.case === 'stable-leader' && row.f === 1)?.delays;
    return [
      'Consensus with crash faults, measured on the simulator (latency model unit: one delay = 1; median of seeds 1-5)',
      ...alignedColumns(header, lines),
      '',
      `Lecture's table: Paxos ${stable('paxos')} delays (f < n/2), Disk Paxos ${stable('disk-paxos')} (f < n), Protected Memory Paxos ${stable('pmp')} (f < n) — expected 2 / 4 / 2.`,
      'Reproduce a row: mnm run <algorithm> --seed S --f F --workload stable --json (its traceHash matches); `replay` in --json gives the full command.',
      '',
      ...renderLogs((table.logs ?? []) as Record<string, unknown>[]),
    ].join('\n');
  },
};

/** The logs' block of the text table (`logs` in --json). */
function renderLogs(rows: readonly Record<string, unknown>[]): string[] {
  if (rows.length === 0) return [];
  const header = ['log', 'f', 'procs', 'mems', 'tolerates (p/m crashed)', 'delays', 'verbs', 'msgs', 'bytes', 'follower msgs', 'seed', 'traceHash'];
  const lines = rows.map((row) => [
    String(row.algorithm),
    cell(row.f),
    cell(row.processes),
    cell(row.memories),
    `${row.toleratesProcessCrashes}/${row.toleratesMemoryCrashes} ${row.toleranceVerified ? 'verified' : 'NOT verified'}`,
    cell(row.delays),
    cell(row.verbs),
    cell(row.messages),
    cell(row.bytes),
    cell(row.followerSteps),
    cell(row.seed),
    String(row.traceHash).slice(0, 19),
  ]);
  const mu = rows.find((row) => row.algorithm === 'mu' && row.f === 1);
  return [
    'Replicated logs, per commit with a stable leader (median over its commits after the first, seeds 1-5; follower msgs = messages a follower must handle per commit)',
    ...alignedColumns(header, lines),
    '',
    `Mu commits in ${cell(mu?.delays)} delays with ${cell(mu?.verbs)} writes (one per replica log) and ${cell(mu?.followerSteps)} follower messages: its followers spend no CPU on a commit.`,
    '',
  ];
}
