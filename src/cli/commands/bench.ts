import { resolve } from 'node:path';
import { suites } from '../bench/index.js';
import { defaultBenchDirectory, unwritableDirectory, writeSuiteFiles } from '../bench/benchFiles.js';
import { isSystemError, systemErrorReason } from '../systemError.js';
import { provenance } from '../../trace/provenance.js';
import { parseCommandArgs, type Command, type CommandIO } from '../command.js';
import { interruptedExitCode, watchInterrupts } from '../sweep/interrupt.js';
import { UsageError, exitCodes } from '../usage.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run benchmark suites (ratios against a baseline measured in the same run)',
  help: `usage: mnm bench <suite|all> [--quick] [--json] [--plots DIR]

Runs a benchmark suite and reports its figures as ratios against a baseline
measured in the same run. 'npm run bench' runs them all.

suites:
${suites.map((suite) => `  ${suite.name.padEnd(8)} ${suite.summary}`).join('\n')}

options:
  --quick   a short run (seconds), for smoke tests
  --json    print one JSON object ({"suite": ..., ...} or {"suites": [...]} for all)
  --plots DIR
            where each finished suite's <suite>.json and its SVG charts
            (<suite>-<chart>.svg: latency CDFs, ratios to the in-run
            baseline, tables as bars; docs/plots.md) are written (default
            ${defaultBenchDirectory}/); the paths are printed on stderr

Ctrl-C (SIGINT) or SIGTERM stops at once: the suites finished so far are
reported (with --json: {"interrupted": true, "interruptedSuite", "suites"}),
the one running is dropped; exit 130.

swarm: SWARM's registers (raw, dm-abd, and dm-abd-out-of-place, safe-guess,
swarm-kv once registered) on sim (rdma model), shm and tcp, 4 clients, cases
uncontended / contention / skew / memory-crashed: latency p50/p99 as ratios to
the unreplicated store (raw) and to one verb round trip on the backend, round
trips and the share on the fast path, the issue's targets.

examples:
  mnm bench sim --quick
  mnm bench check --quick --plots /tmp/bench   # /tmp/bench/check.json, /tmp/bench/check-*.svg
  mnm bench swarm --quick --json
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('bench', args, { quick: { type: 'boolean' }, json: { type: 'boolean' }, plots: { type: 'string' } });
    const directory = values.plots ?? defaultBenchDirectory;
    if (directory === '') throw new UsageError('--plots: expected a directory');
    if (positionals.length !== 1) throw new UsageError(`expected one suite (accepted: all, ${suites.map((suite) => suite.name).join(', ')})`);
    const name = positionals[0];
    const chosen = name === 'all' ? suites : suites.filter((suite) => suite.name === name);
    if (chosen.length === 0) throw new UsageError(`unknown suite '${name}' (accepted: all, ${suites.map((suite) => suite.name).join(', ')})`);
    // Checked before any suite runs: a directory that cannot be written fails now, not after minutes of measuring.
    const unwritable = unwritableDirectory(directory);
    if (unwritable !== undefined) throw new UsageError(`--plots: cannot write into '${directory}': ${unwritable}`);
    const options = { quick: Boolean(values.quick), quiet: Boolean(values.json) };
    const results: Record<string, unknown>[] = [];
    const interrupts = watchInterrupts();
    const interrupted = new Promise<'interrupted'>((resolve) => interrupts.signal.addEventListener('abort', () => resolve('interrupted'), { once: true }));
    try {
      for (const suite of chosen) {
        if (!values.json) io.stderr(`bench ${suite.name}: running${options.quick ? ' (quick)' : ''}...\n`);
        const result = await Promise.race([suite.run(options, io), interrupted]);
        if (result === 'interrupted') return reportInterrupted(io, Boolean(values.json), suite.name, results, interrupts.received());
        results.push({ suite: suite.name, ...result });
        if (!values.json) io.stdout(`== ${suite.name} ==\n${suite.summarize(result)}\n\n`);
        const written = await namingPlots(directory, () => writeSuiteFiles(directory, suite, result, { suite: suite.name, ...result, ...provenance() }));
        io.stderr(written.paths.map((path) => `bench ${suite.name}: wrote ${path}\n`).join('') + (written.skipped ? `bench ${suite.name}: charts skipped: ${written.skipped}\n` : ''));
      }
    } finally {
      interrupts.dispose();
    }
    if (values.json) io.stdout(JSON.stringify({ ...(name === 'all' ? { suites: results } : results[0]), ...provenance() }) + '\n');
    return exitCodes.ok;
  },
};

/**
 * Writes into the --plots directory; an operating-system error on a path in
 * it (a directory that cannot be written) is one line naming --plots. Any
 * other error (a library's own missing file, say) is not the user's input.
 */
async function namingPlots<T>(directory: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isSystemError(error) && error.path !== undefined && resolve(error.path).startsWith(resolve(directory))) throw new UsageError(`--plots: cannot write into '${directory}': ${systemErrorReason(error)}`);
    throw error;
  }
}

/**
 * An interrupted bench reports the suites it finished and ends the process:
 * a suite's measuring loops do not poll for a stop, and half a measurement
 * is worth nothing, so the one running is dropped. The exit is forced on the
 * next turn of the event loop (after the report is written) because the
 * dropped suite would otherwise keep the process busy until it ends; this
 * runs only when a real signal arrived, i.e. in the `mnm` process itself.
 */
function reportInterrupted(io: CommandIO, json: boolean, running: string, finished: readonly Record<string, unknown>[], signal: string | undefined): number {
  if (json) io.stdout(JSON.stringify({ interrupted: true, interruptedSuite: running, suites: finished, ...provenance() }) + '\n');
  else io.stdout(`INTERRUPTED${signal ? ` (${signal})` : ''} during suite ${running}; finished: ${finished.length === 0 ? 'none' : finished.map((result) => String(result.suite)).join(', ')}\n`);
  setImmediate(() => process.exit(interruptedExitCode));
  return interruptedExitCode;
}
