import type { HistoryEvent } from '../../fabric/index.js';
import { findScenario, resolveOptions, runScenario, type RunOptions, type RunReport } from '../../scenarios/index.js';
import type { TraceEvent } from '../../trace/format.js';
import { latenciesByFunction, operationCosts, percent, roundTripFigures, spreadOf, type OperationCost } from '../bench/swarmFigures.js';
import type { CommandIO } from '../command.js';
import { Progress } from '../progress.js';
import { replayCommand } from '../runArgs.js';
import { alignedColumns, cell } from './cell.js';
import type { Table } from './table.js';

/**
 * SWARM's round trips per operation (spec swarm.md §7), measured on the
 * simulator next to the spec's table. For each algorithm that is registered
 * as a scenario, and each case —
 *
 * - `uncontended`: clocks in sync, workload `solo` where the scenario has
 *   it (client p's k-th operation in its own turn: no two overlap), else
 *   `uniform` (random think times; operations of different clients may
 *   still overlap — each row names its workload);
 * - `contention`: workload `contention` (every client at once, no think time);
 * - `skew`: the uncontended workload with each clock offset within ±`skew`
 *   time units (several round trips) and drifting by up to `drift` ppm —
 *
 * runs `clients` clients × `ops` operations on 2f+1 = 3 memories (the
 * unreplicated `raw` on its one memory) under the `unit` latency model, for
 * each seed, and reads every operation's round trips from its `op-cost`
 * note (the protocols count them: steps on the critical path). A row is one
 * (algorithm, op, case[, cache]): p50, p99 and max round trips, the share on
 * the fast path (≤ 1 round trip), the latency in one-way delays from the
 * history, and the spec's expected value for that row. Rows of an algorithm
 * not registered yet are absent (one line on stderr says so): never made up.
 */
export type SwarmAlgorithm = 'abd' | 'dm-abd' | 'dm-abd-out-of-place' | 'safe-guess' | 'swarm-kv' | 'raw';
export type SwarmCase = 'uncontended' | 'contention' | 'skew';

/** The algorithms in the table's order; each is the scenario of that name. */
export const swarmAlgorithms: readonly SwarmAlgorithm[] = ['raw', 'abd', 'dm-abd', 'dm-abd-out-of-place', 'safe-guess', 'swarm-kv'];
const cases: readonly SwarmCase[] = ['uncontended', 'contention', 'skew'];

/** How the table measures: the default is `mnm table swarm`'s; tests take smaller ones. */
export interface SwarmTableConfig {
  readonly seeds: readonly number[];
  readonly clients: number;
  readonly ops: number;
  /** The `skew` case's clock bounds: offset within ±skew time units (a round trip is 2 under `unit`), drift in ppm. */
  readonly skew: number;
  readonly drift: number;
  /** Only these algorithms (default: all registered). */
  readonly algorithms?: readonly SwarmAlgorithm[];
}

export const defaultSwarmTableConfig: SwarmTableConfig = { seeds: [1, 2, 3], clients: 4, ops: 50, skew: 10, drift: 10_000 };

/** One cell of the spec's §7 table: the expected round trips of a row, and which column and line it comes from. */
export interface Expectation {
  readonly expected: string;
  /** `no contention, clocks in sync` for the uncontended case, `otherwise` for the others (the cost off the fast path). */
  readonly column: 'no contention, clocks in sync' | 'otherwise';
  /** The §7 line (or, for ABD, which §7 does not list, where the figure comes from). */
  readonly source: string;
}

type Line = { readonly source: string; readonly synced: string; readonly otherwise: string };
const line = (source: string, synced: string, otherwise: string): Line => ({ source, synced, otherwise });

/** The spec's §7 table (and ABD's figures from docs/swarm.md), keyed by algorithm, op and cache outcome. */
const specTable: Readonly<Record<SwarmAlgorithm, Readonly<Record<string, Line>>>> = {
  raw: {
    read: line('§7 RAW: one memory, IP only (unchecked)', '1', '—'),
    write: line('§7 RAW: one memory, IP only (unchecked)', '1', '—'),
  },
  abd: {
    read: line('docs/swarm.md ABD, one writer (not in §7)', '1', '1-2'),
    write: line('docs/swarm.md ABD, one writer (not in §7)', '1', '1'),
  },
  'dm-abd': {
    read: line('§7 DM-ABD In-n-Out', '1', '2-3'),
    write: line('§7 DM-ABD In-n-Out', '2', '2'),
  },
  'dm-abd-out-of-place': {
    read: line("§7 DM-ABD out of place (paper's baseline)", '2', '2-3'),
    write: line("§7 DM-ABD out of place (paper's baseline)", '2', '2'),
  },
  'safe-guess': {
    // VERIFIED max 2-3 (fetch, write-back); GUESSED 3-4.
    read: line('§7 Safe-Guess read', '1', '2-4'),
    // W1, fetch unless IP, W2, W3 if not notified.
    write: line('§7 Safe-Guess write', '1', '2-4'),
  },
  'swarm-kv': {
    // Cache hit: as Safe-Guess; a miss adds the lookup (+1) to a get, the lookup and the KEY READ (+2) to a put.
    'get/hit': line('§7 SWARM-KV get, cache hit', '1', '2-4'),
    'put/hit': line('§7 SWARM-KV put, cache hit', '1', '2-4'),
    'get/miss': line('§7 SWARM-KV get, miss', '2', '3-5'),
    'put/miss': line('§7 SWARM-KV put, miss', '3', '4-6'),
  },
};

/** The spec's expectation for a row, or null when §7 has none (an operation the spec does not list). */
export function expectationFor(algorithm: SwarmAlgorithm, op: string, swarmCase: SwarmCase, cache: 'hit' | 'miss' | null): Expectation | null {
  const found = specTable[algorithm][cache === null ? op : `${op}/${cache}`];
  if (!found) return null;
  return swarmCase === 'uncontended' ? { expected: found.synced, column: 'no contention, clocks in sync', source: found.source } : { expected: found.otherwise, column: 'otherwise', source: found.source };
}

/**
 * A case's workload for a scenario, or undefined when it has none that
 * fits: `contention` for the contention case; for the others `solo` (no two
 * operations overlap: §7's "no contention") when the scenario has it, else
 * `uniform` (random think times, during which other clients' operations
 * may still overlap).
 */
export function workloadFor(swarmCase: SwarmCase, workloads: readonly string[] | undefined): string | undefined {
  const wanted = swarmCase === 'contention' ? ['contention'] : ['solo', 'uniform'];
  return wanted.find((workload) => workloads?.includes(workload));
}

/** The run options of one (algorithm, case, seed). */
export function swarmRunOptions(algorithm: SwarmAlgorithm, swarmCase: SwarmCase, seed: number, config: SwarmTableConfig, workload: string): RunOptions {
  return {
    protocol: algorithm,
    seed,
    n: config.clients,
    memories: algorithm === 'raw' ? 1 : 3,
    latency: 'unit',
    faults: 'none',
    ops: config.ops,
    workload,
    ...(swarmCase === 'skew' ? { skew: config.skew, drift: config.drift } : {}),
  };
}

/** Why a scenario refuses these options (its own one-line message), or undefined when it takes them. */
export function refusal(options: RunOptions): string | undefined {
  try {
    resolveOptions(options);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The `op-cost` notes of a full trace. */
export function costsOfTrace(trace: string): OperationCost[] {
  const notes: { kind: string; detail?: Record<string, unknown> }[] = [];
  for (const text of trace.split('\n')) {
    if (!text.includes('"op-cost"')) continue;
    const event = JSON.parse(text) as TraceEvent;
    if ('t' in event && event.type === 'note') notes.push({ kind: event.kind, ...(event.detail !== undefined ? { detail: event.detail as Record<string, unknown> } : {}) });
  }
  return operationCosts(notes);
}

/** One measured run: its report's identity and the costs and latencies read from it. */
export interface MeasuredRun {
  readonly seed: number;
  readonly ok: boolean;
  readonly traceHash: string | null;
  readonly replay: string;
  readonly costs: readonly OperationCost[];
  readonly history: readonly HistoryEvent[];
  /** The scenario's numeric details beyond the round trips (counters, e.g. Safe-Guess's stale guesses). */
  readonly counters: Readonly<Record<string, number>>;
}

function measuredRun(report: RunReport): MeasuredRun {
  const counters: Record<string, number> = {};
  for (const [name, value] of Object.entries(report.details)) if (typeof value === 'number') counters[name] = value;
  return { seed: report.seed, ok: report.ok && !report.blocked, traceHash: report.traceHash, replay: `${replayCommand(report.params)} --json`, costs: costsOfTrace(report.trace ?? ''), history: report.history, counters };
}

/**
 * The rows of one (algorithm, case) from its runs (pure): one per (op,
 * cache outcome) the notes show, ops in name order, hits before misses.
 */
export function rowsOf(algorithm: SwarmAlgorithm, swarmCase: SwarmCase, workload: string, runs: readonly MeasuredRun[]): Record<string, unknown>[] {
  const groups = new Map<string, { op: string; cache: 'hit' | 'miss' | null; roundTrips: number[] }>();
  for (const run of runs) {
    for (const cost of run.costs) {
      const key = `${cost.f}/${cost.cache ?? ''}`;
      const group = groups.get(key) ?? { op: cost.f, cache: cost.cache, roundTrips: [] };
      group.roundTrips.push(cost.roundTrips);
      groups.set(key, group);
    }
  }
  const anyCache = [...groups.values()].some((group) => group.cache !== null);
  const delays = new Map<string, number[]>();
  for (const run of runs) for (const [f, list] of latenciesByFunction(run.history)) delays.set(f, [...(delays.get(f) ?? []), ...list]);
  const counters: Record<string, number> = {};
  for (const run of runs) for (const [name, value] of Object.entries(run.counters)) counters[name] = (counters[name] ?? 0) + value;
  const order = (cache: 'hit' | 'miss' | null) => (cache === 'hit' ? 0 : cache === 'miss' ? 1 : 2);
  return [...groups.values()]
    .sort((a, b) => a.op.localeCompare(b.op) || order(a.cache) - order(b.cache))
    .map((group) => {
      const figures = roundTripFigures(group.roundTrips);
      const expectation = expectationFor(algorithm, group.op, swarmCase, group.cache);
      // Under `unit` an operation's latency is its one-way delays; per function only (the history knows no cache outcome).
      const latency = !anyCache && delays.has(group.op) ? spreadOf(delays.get(group.op) as number[]) : null;
      return {
        algorithm,
        op: group.op,
        case: swarmCase,
        cache: group.cache,
        rttP50: figures.rttP50,
        rttP99: figures.rttP99,
        rttMax: figures.rttMax,
        fastPathShare: figures.fastPathShare,
        ops: figures.count,
        expected: expectation?.expected ?? null,
        expectedColumn: expectation?.column ?? null,
        spec: expectation?.source ?? null,
        delaysP50: latency?.p50 ?? null,
        delaysP99: latency?.p99 ?? null,
        workload,
        ok: runs.every((run) => run.ok),
        seeds: runs.map((run) => run.seed),
        traceHashes: runs.map((run) => run.traceHash),
        replay: runs[0].replay,
        ...(Object.keys(counters).length > 0 ? { counters } : {}),
      };
    });
}

/** What the table measured, and what it could not: algorithms or cases absent, each with why. */
export interface SwarmTable {
  rows: Record<string, unknown>[];
  absent: { algorithm: SwarmAlgorithm; case: SwarmCase | null; why: string }[];
  latency: 'unit';
  config: SwarmTableConfig;
  [key: string]: unknown;
}

/** Measures the table's rows (every registered algorithm, every case its workloads allow). */
export async function measureSwarmTable(config: SwarmTableConfig, io: CommandIO, quiet: boolean): Promise<SwarmTable> {
  const rows: Record<string, unknown>[] = [];
  const absent: SwarmTable['absent'] = [];
  const chosen = config.algorithms ?? swarmAlgorithms;
  const plans: { algorithm: SwarmAlgorithm; swarmCase: SwarmCase; workload: string }[] = [];
  for (const algorithm of chosen) {
    const scenario = findScenario(algorithm);
    if (!scenario) {
      absent.push({ algorithm, case: null, why: `no scenario '${algorithm}' is registered yet` });
      io.stderr(`table swarm: ${algorithm}: not registered yet, no rows\n`);
      continue;
    }
    // RAW has no "otherwise" column (§7: —): it uses no clocks and one verb whatever the contention.
    for (const swarmCase of algorithm === 'raw' ? (['uncontended'] as const) : cases) {
      const workload = workloadFor(swarmCase, scenario.workloads);
      if (workload === undefined) {
        absent.push({ algorithm, case: swarmCase, why: `the scenario has no ${swarmCase === 'contention' ? "'contention'" : "'solo' or 'uniform'"} workload` });
        io.stderr(`table swarm: ${algorithm} ${swarmCase}: the scenario has no matching workload, no rows\n`);
        continue;
      }
      const refused = refusal(swarmRunOptions(algorithm, swarmCase, config.seeds[0], config, workload));
      if (refused !== undefined) {
        absent.push({ algorithm, case: swarmCase, why: refused });
        io.stderr(`table swarm: ${algorithm} ${swarmCase}: the scenario refuses the table's options (${refused}), no rows\n`);
        continue;
      }
      plans.push({ algorithm, swarmCase, workload });
    }
  }
  const progress = new Progress(io, 'table swarm', plans.length, quiet);
  for (const [index, plan] of plans.entries()) {
    const runs: MeasuredRun[] = [];
    for (const seed of config.seeds) runs.push(measuredRun(await runScenario(swarmRunOptions(plan.algorithm, plan.swarmCase, seed, config, plan.workload), 'full')));
    rows.push(...rowsOf(plan.algorithm, plan.swarmCase, plan.workload, runs));
    progress.update(index + 1);
  }
  progress.done();
  return { rows, absent, latency: 'unit', config };
}

export const swarmTable: Table = {
  name: 'swarm',
  summary: "SWARM's round trips per operation (p50/p99, fast-path share) per algorithm and case, next to the spec's §7 table",
  measure: (options, io) => measureSwarmTable(defaultSwarmTableConfig, io, options.quiet),
  render(table) {
    const config = (table.config ?? defaultSwarmTableConfig) as SwarmTableConfig;
    const header = ['algorithm', 'op', 'case', 'workload', 'cache', 'rtt p50', 'rtt p99', 'max', 'fast path', 'spec §7', 'delays p50', 'ops', 'runs'];
    const lines = table.rows.map((row) => [
      String(row.algorithm),
      String(row.op),
      String(row.case),
      String(row.workload),
      row.cache === null ? '-' : String(row.cache),
      cell(row.rttP50),
      cell(row.rttP99),
      cell(row.rttMax),
      percent(Number(row.fastPathShare)),
      row.expected === null ? '-' : `${row.expected}${row.expectedColumn === 'otherwise' ? ' (otherwise)' : ''}`,
      cell(row.delaysP50),
      cell(row.ops),
      row.ok ? 'ok' : 'FAILED',
    ]);
    const absent = (table.absent ?? []) as SwarmTable['absent'];
    return [
      `SWARM round trips per operation, measured on the simulator (latency unit; ${config.clients} clients x ${config.ops} operations, f = 1, seeds ${config.seeds.join(', ')} pooled)`,
      `cases: uncontended = clocks in sync, workload solo (no two operations overlap) where the scenario has it, else uniform (think times; operations may overlap); contention = workload contention (no think time); skew = the uncontended workload, clocks within ±${config.skew} time units (a round trip is 2), drift ${config.drift} ppm`,
      ...alignedColumns(header, lines),
      '',
      "spec §7: the expected round trips; '(otherwise)' is the §7 column for operations off the fast path (contention, skew) — the p50 may stay on it.",
      'fast path = operations in one round trip (a fraction in --json: fastPathShare); delays = latency in one-way delays (2 per round trip).',
      ...(absent.length > 0 ? ['absent (never measured, so no rows): ' + absent.map((entry) => `${entry.algorithm}${entry.case ? ` ${entry.case}` : ''} (${entry.why})`).join('; ')] : []),
      'Reproduce a row: its `replay` in --json (mnm run … --json; its traceHash is in traceHashes).',
      '',
    ].join('\n');
  },
};
