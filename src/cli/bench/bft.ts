import { pingPong } from './backends.js';
import { calls, ratio, shmWriteVerb, type BenchBackend, type BenchRunOptions, type CallRun } from './bftRuns.js';
import { bftCharts } from './charts/bftCharts.js';
import { round } from './latencyFigures.js';
import type { BenchSuite } from './suite.js';

/**
 * `mnm bench bft`: Byzantine consensus with n = 2f+1 on consistent
 * broadcast (specs/bft-consensus.md), f = 1, one client unless said, as
 * ratios to baselines measured in the same run:
 *
 * - sim (`rdma` latency, signature costs charged as virtual CPU time): a
 *   call's p50 (invoke → ok, one request per batch) on the fast path
 *   against Mu (crash only) and PBFT (n = 3f+1), and against the physical
 *   floor: one verb round trip (a `raw` read); the slow path (a silent
 *   follower) against the fast path, in total and from its trigger (less
 *   Tslow): the cost of signatures; throughput with C clients and a window
 *   W = 8 and 32 against one client's sequential rate.
 * - shm and tcp (latency `unit`: one unit is 250 µs on shm, 500 µs on tcp):
 *   the fast path's call p50 against the floor — a 64-byte write verb on
 *   shm (a SharedArrayBuffer write and wake-up), a bare TCP ping-pong on
 *   tcp — and against Mu and PBFT on the same backend. A real run that
 *   fails is reported (ok false, its error), not fatal: on a loaded 2-core
 *   machine a CB round costs milliseconds (src/scenarios/bftReal.ts).
 */
const f = 1;

interface SizedCounts {
  readonly ops: number;
  readonly slowOps: number;
  readonly realOps: number;
  readonly windowClients: number;
  readonly windowOps: number;
  readonly windows: readonly number[];
  readonly verbs: number;
}

function countsFor(quick: boolean): SizedCounts {
  return quick
    ? { ops: 2, slowOps: 1, realOps: 2, windowClients: 4, windowOps: 2, windows: [8, 32], verbs: 500 }
    : { ops: 6, slowOps: 3, realOps: 10, windowClients: 16, windowOps: 4, windows: [8, 32], verbs: 5000 };
}

function bftOptions(ops: number, extra: Partial<BenchRunOptions> = {}): BenchRunOptions {
  return { protocol: 'bft', seed: 1, f, clients: 1, ops, ...extra };
}

const p50 = (run: CallRun | null | undefined) => run?.latency?.p50 ?? null;

/** What to print of a run: its figures without the report. */
function figures(run: CallRun & { report?: unknown }): CallRun {
  const { report: _report, ...rest } = run;
  return rest;
}

async function simulated(counts: SizedCounts, progress: (text: string) => void): Promise<Record<string, unknown>> {
  progress('sim: the floor (a raw read: one verb round trip)');
  const floor = await calls('sim', { protocol: 'raw', seed: 1, clients: 1, ops: counts.ops });
  progress('sim: bft fast path, slow path (a silent follower)');
  const fast = await calls('sim', bftOptions(counts.ops));
  const slow = await calls('sim', bftOptions(counts.slowOps, { crash: `p${2 * f}@0` }));
  const slowDetails = slow.report?.details as { timers?: { slow: number }; decisions?: { fast: number; slow: number } } | undefined;
  const tslow = slowDetails?.timers?.slow ?? null;
  const slowFromTrigger = p50(slow) !== null && tslow !== null ? round((p50(slow) as number) - tslow) : null;
  progress('sim: pbft (n = 3f+1) and Mu');
  const pbft = await calls('sim', { protocol: 'pbft', seed: 1, f, clients: 1, ops: counts.ops });
  const mu = await calls('sim', { protocol: 'mu', seed: 1, f, ops: counts.ops, clients: 1 });
  const windows: Record<string, unknown>[] = [];
  for (const window of counts.windows) {
    progress(`sim: throughput, ${counts.windowClients} clients, W = ${window}`);
    const run = await calls('sim', bftOptions(counts.windowOps, { clients: counts.windowClients, window }));
    windows.push({ window, clients: counts.windowClients, ...figures(run), overSequential: ratio(run.callsPerSecond, fast.callsPerSecond) });
  }
  return {
    latency: 'rdma',
    floor: figures(floor),
    fast: figures(fast),
    slow: { ...figures(slow), tslowMicroseconds: tslow, fromTriggerP50: slowFromTrigger, decisions: slowDetails?.decisions ?? null },
    pbft: figures(pbft),
    mu: figures(mu),
    windows,
    fastOverFloor: ratio(p50(fast), p50(floor)),
    fastOverMu: ratio(p50(fast), p50(mu)),
    fastOverPbft: ratio(p50(fast), p50(pbft)),
    slowOverFast: ratio(p50(slow), p50(fast)),
    slowFromTriggerOverFast: ratio(slowFromTrigger, p50(fast)),
  };
}

async function real(backend: Exclude<BenchBackend, 'sim'>, counts: SizedCounts, quick: boolean, progress: (text: string) => void): Promise<Record<string, unknown>> {
  progress(`${backend}: the floor (${backend === 'shm' ? 'a 64-byte write verb' : 'a TCP ping-pong'})`);
  const floor = backend === 'shm' ? await shmWriteVerb(counts.verbs) : await pingPong(counts.verbs);
  progress(`${backend}: bft fast path (${counts.realOps} calls)`);
  const bft = await calls(backend, bftOptions(counts.realOps));
  const decisions = (bft.report?.details as { decisions?: { fast: number; slow: number } } | undefined)?.decisions ?? null;
  // The quick run keeps to the floor and bft: Mu and PBFT on a real backend cost a run each (seconds).
  const mu = quick ? null : await calls(backend, { protocol: 'mu', seed: 1, f, ops: counts.realOps, clients: 1 });
  const pbft = quick ? null : await calls(backend, { protocol: 'pbft', seed: 1, f, clients: 1, ops: counts.realOps });
  const floorP50 = floor.p50;
  return {
    floor: { what: backend === 'shm' ? 'write verb, 64 B' : 'TCP ping-pong, 64 B', p50: floor.p50, p99: floor.p99 },
    bft: { ...figures(bft), decisions, fastShare: decisions && decisions.fast + decisions.slow > 0 ? round(decisions.fast / (decisions.fast + decisions.slow)) : null },
    mu: mu ? figures(mu) : null,
    pbft: pbft ? figures(pbft) : null,
    bftOverFloor: ratio(p50(bft), floorP50),
    bftOverMu: ratio(p50(bft), p50(mu)),
    bftOverPbft: ratio(p50(bft), p50(pbft)),
  };
}

export const bftBench: BenchSuite = {
  name: 'bft',
  summary: 'bft (n = 2f+1 on CB): fast-path call vs Mu, PBFT and the floor on sim (rdma, signatures charged), shm and tcp; slow vs fast path; throughput with W = 8, 32',
  async run(options, io) {
    const progress = (text: string) => (options.quiet ? undefined : io.stderr(`  ${text}\n`));
    const counts = countsFor(options.quick);
    const sim = await simulated(counts, progress);
    const shm = await real('shm', counts, options.quick, progress);
    const tcp = await real('tcp', counts, options.quick, progress);
    return { f, counts, sim, shm, tcp };
  },
  charts: bftCharts,
  summarize(result) {
    const sim = result.sim as Record<string, unknown> & { floor: CallRun; fast: CallRun; slow: CallRun & { tslowMicroseconds: number | null; fromTriggerP50: number | null }; pbft: CallRun; mu: CallRun; windows: (CallRun & { window: number; clients: number; overSequential: number | null })[] };
    const lat = (run: CallRun | null) => `${run?.latency ? `p50 ${run.latency.p50} µs, p99 ${run.latency.p99} µs (${run.calls} calls)` : 'not measured'}${run?.error ? ` [run NOT ok: ${run.error}]` : ''}`;
    const x = (value: unknown) => (value === null || value === undefined ? '-' : `${String(value)}x`);
    const lines = [
      `bft, f = ${String(result.f)}, one client (one request per batch), call = invoke -> ok (f+1 matching REPLYs):`,
      '  sim (rdma latency, Ed25519 costs charged as virtual CPU time):',
      `    floor (raw read, one verb round trip):  ${lat(sim.floor)}`,
      `    bft fast path:                           ${lat(sim.fast)} = ${x(sim.fastOverFloor)} the floor, ${x(sim.fastOverMu)} Mu, ${x(sim.fastOverPbft)} PBFT`,
      `    Mu (crash only):                         ${lat(sim.mu)}`,
      `    PBFT (n = 3f+1):                         ${lat(sim.pbft)}`,
      `    bft slow path (silent follower):         ${lat(sim.slow)} = ${x(sim.slowOverFast)} the fast path; less Tslow (${String(sim.slow.tslowMicroseconds)} µs): ${String(sim.slow.fromTriggerP50)} µs = ${x(sim.slowFromTriggerOverFast)}`,
      ...sim.windows.map((entry) => `    ${entry.clients} clients, W = ${String(entry.window).padEnd(2)}:                  ${entry.callsPerSecond ?? '-'} calls/s (virtual) = ${x(entry.overSequential)} one client's sequential rate; ${lat(entry)}`),
    ];
    for (const backend of ['shm', 'tcp'] as const) {
      const entry = result[backend] as { floor: { what: string; p50: number }; bft: CallRun & { fastShare: number | null }; mu: CallRun | null; pbft: CallRun | null; bftOverFloor: number | null; bftOverMu: number | null; bftOverPbft: number | null };
      lines.push(
        `  ${backend} (latency unit):`,
        `    floor (${entry.floor.what}): p50 ${entry.floor.p50} µs`,
        `    bft:  ${lat(entry.bft)} = ${x(entry.bftOverFloor)} the floor; fast-path share ${entry.bft.fastShare ?? '-'}`,
        `    Mu:   ${entry.mu ? lat(entry.mu) : 'not run (--quick)'}${entry.mu ? ` (bft = ${x(entry.bftOverMu)})` : ''}`,
        `    PBFT: ${entry.pbft ? lat(entry.pbft) : 'not run (--quick)'}${entry.pbft ? ` (bft = ${x(entry.bftOverPbft)})` : ''}`,
      );
    }
    return lines.join('\n');
  },
};
