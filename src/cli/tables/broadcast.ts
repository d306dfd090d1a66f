import { runScenario, type RunOptions } from '../../scenarios/index.js';
import type { BroadcastDetails } from '../../scenarios/byzantine/details.js';
import { Progress } from '../progress.js';
import { replayCommand } from '../runArgs.js';
import { cell } from './cell.js';
import type { Table } from './table.js';

/**
 * The lecture's Byzantine broadcast table, measured: per algorithm, path and
 * f, the processes needed, the delays from broadcast to delivery (`unit`
 * model, median over correct receivers), the verbs and messages of the run
 * (one broadcast), and the signatures made and verified, summed over correct
 * processes. The fast path has every process correct; the slow path has one
 * silent Byzantine replicator (the sender stays correct, so every correct
 * process must deliver). Expected (lecture): CB fast 0 / slow 1 signature
 * created, RB fast 0 / slow O(n), Bracha none but 3f+1 processes.
 */
type Algorithm = 'cb' | 'rb' | 'bracha';
type Path = 'fast' | 'slow';

const slowAdversary = 'silent-replicator';

function optionsFor(algorithm: Algorithm, path: Path, f: number): RunOptions {
  return { protocol: algorithm, seed: 1, f, ops: 1, latency: 'unit', faults: 'none', ...(path === 'slow' ? { adversary: slowAdversary } : {}) };
}

export const broadcastTable: Table = {
  name: 'broadcast',
  summary: 'consistent and reliable broadcast with n = 2f+1 (fast and slow paths) next to Bracha with 3f+1: processes, delays, verbs, messages, signatures',
  async measure(options, io) {
    const plans: { algorithm: Algorithm; path: Path; f: number }[] = [];
    for (const f of [1, 2, 3]) for (const algorithm of ['cb', 'rb', 'bracha'] as const) for (const path of ['fast', 'slow'] as const) plans.push({ algorithm, path, f });
    const progress = new Progress(io, 'table broadcast', plans.length, options.quiet);
    const rows: Record<string, unknown>[] = [];
    for (const plan of plans) {
      const report = await runScenario(optionsFor(plan.algorithm, plan.path, plan.f), 'hash');
      const details = report.details as unknown as BroadcastDetails;
      rows.push({
        algorithm: plan.algorithm,
        path: plan.path,
        f: plan.f,
        processes: report.params.n,
        memories: report.params.memories,
        adversary: plan.path === 'slow' ? slowAdversary : null,
        ok: report.ok,
        delivered: details.deliveries.total,
        delays: details.delays.median,
        delaysMax: details.delays.max,
        timeout: plan.algorithm === 'bracha' || plan.path === 'fast' ? null : (report.details.timeouts as { sign: number; ready: number | null }).sign + ((report.details.timeouts as { ready: number | null }).ready ?? 0),
        verbs: report.metrics?.verbs ?? null,
        messages: report.metrics?.messages ?? null,
        signaturesMade: details.correctSignatures.made,
        signaturesVerified: details.correctSignatures.verified,
        seed: report.seed,
        traceHash: report.traceHash,
        replay: replayCommand(report.params),
      });
      progress.update(rows.length);
    }
    progress.done();
    return { rows };
  },
  render(table) {
    const header = ['algorithm', 'path', 'f', 'processes', 'delays', 'timeouts', 'verbs', 'messages', 'sigs made', 'sigs verified'];
    const lines = table.rows.map((row) => [
      String(row.algorithm),
      String(row.path),
      cell(row.f),
      cell(row.processes),
      cell(row.delays),
      cell(row.timeout),
      cell(row.verbs),
      cell(row.messages),
      cell(row.signaturesMade),
      cell(row.signaturesVerified),
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
    const format = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column])).join('  ');
    const out = [
      'Byzantine broadcast, one broadcast, unit latency (delays = one-way delays from broadcast to delivery, median over correct receivers;',
      'slow path = one silent Byzantine replicator, its delays include the timeouts shown; signatures summed over correct processes)',
      '',
      format(header),
      ...lines.map(format),
      '',
      'expected (lecture): CB fast 0 / slow 1 signature created; RB fast 0 / slow O(n); Bracha none, but 3f+1 processes.',
      `every row is one run: ${String(table.rows[0]?.replay ?? '')} ...`,
    ];
    const failed = table.rows.filter((row) => row.ok !== true);
    if (failed.length > 0) out.push(`WARNING: ${failed.length} row(s) violated a property: ${failed.map((row) => row.replay).join('; ')}`);
    return out.join('\n') + '\n';
  },
};
