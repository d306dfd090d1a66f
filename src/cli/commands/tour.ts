import { runScenario, type RunOptions, type RunReport } from '../../scenarios/index.js';
import { parseCommandArgs, type Command } from '../command.js';
import { replayCommand } from '../runArgs.js';
import { exitCodes } from '../usage.js';

/** One stop of the tour: a run and what it shows. */
interface Stop {
  readonly title: string;
  readonly options: RunOptions;
  readonly explain: (report: RunReport) => string;
}

const base = { protocol: 'register', seed: 1, latency: 'unit', faults: 'none' } as const;

function delays(report: RunReport, f: string): string {
  const metrics = report.metrics?.byFunction[f];
  return metrics ? `${metrics.delaysMedian} delays (median), ${metrics.verbsMean} verbs` : 'none completed';
}

const stops: readonly Stop[] = [
  {
    title: '1. The replicated register, all memories up',
    options: base,
    explain: (report) =>
      `Each write goes to all 3 memories and waits for 2; each read asks all 3 and keeps the highest timestamp of 2.\n` +
      `   write: ${delays(report, 'write')}; read: ${delays(report, 'read')} — one round trip each.\n` +
      `   ${report.metrics?.tornReads ?? 0} reads overlapped a write and came back torn; the slot's checksum caught them and they were re-read.`,
  },
  {
    title: '2. One memory crashes (a minority: tolerated)',
    options: { ...base, crash: 'm2@3' },
    explain: (report) =>
      `m2 crashes at time 3 and never answers again (nobody is told; its verbs simply never complete).\n` +
      `   Majorities of the other two still form: write ${delays(report, 'write')}; read ${delays(report, 'read')}. Regularity: ${report.ok ? 'holds' : 'VIOLATED'}.`,
  },
  {
    title: '3. Two of three memories crash (beyond tolerance)',
    options: { ...base, crash: 'm1@3,m2@3', horizon: 200 },
    explain: (report) =>
      `No majority can answer any more, so operations wait forever: the run is reported as ${report.blocked ? 'BLOCKED' : 'not blocked'} — not as a failure —\n` +
      `   and nothing wrong was returned (violations: ${report.violations.length}).`,
  },
  {
    title: '4. A broken variant: waiting for one memory instead of a majority',
    options: { ...base, latency: 'lan', mutant: 'minority-quorum' },
    explain: (report) =>
      report.ok
        ? 'this seed did not expose it (try other seeds)'
        : `With jittery delays a read can reach only memories the last write has not reached yet:\n   ${report.violations[0].detail}\n   The regularity checker flags it.`,
  },
];

export const tourCommand: Command = {
  name: 'tour',
  summary: 'a short guided tour on the simulator (what `npm start` runs)',
  help: `usage: mnm tour [--json]

Runs a few short scenarios on the deterministic simulator and explains what
each shows: the replicated register's cost in delays, a tolerated memory
crash, a crash beyond tolerance (blocked, not failed), and a broken variant
caught by the checker. Every run prints the command that replays it.

example:
  mnm tour
`,
  async run(args, io) {
    const { values } = parseCommandArgs('tour', args, { json: { type: 'boolean' } }, false);
    const results: Record<string, unknown>[] = [];
    if (!values.json) io.stdout('mnm tour — the lecture\'s replicated register on the simulator (latency model "unit": one delay = 1)\n\n');
    for (const stop of stops) {
      let report = await runScenario(stop.options, 'hash');
      // The broken variant needs a schedule that exposes it: search seeds, as a sweep would.
      for (let seed = 2; stop.options.mutant && report.ok && seed <= 200; seed++) report = await runScenario({ ...stop.options, seed }, 'hash');
      results.push({ title: stop.title, ok: report.ok, blocked: report.blocked, seed: report.seed, metrics: report.metrics, violations: report.violations, traceHash: report.traceHash });
      if (!values.json) io.stdout(`${stop.title}\n   ${stop.explain(report)}\n   (${replayCommand(report.params)})\n\n`);
    }
    if (values.json) io.stdout(JSON.stringify({ stops: results }) + '\n');
    else io.stdout('Next: mnm run register --help, mnm bench sim --quick, and docs/ for the trace format and metrics.\n');
    return exitCodes.ok;
  },
};
