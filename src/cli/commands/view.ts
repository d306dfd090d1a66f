import { basename } from 'node:path';
import { TraceTextError, parseTraceText } from '../../trace/exports/traceText.js';
import type { CheckResult } from '../../web/checkResult.js';
import type { RunReportInput } from '../../web/viewModel.js';
import { parseCommandArgs, type Command } from '../command.js';
import { checkOutputPath, readInput } from '../fileArguments.js';
import { UsageError, exitCodes } from '../usage.js';
import { serveViewerPage, viewerPageHtml, writeViewerPage, type ViewerTraceSource } from './viewPage.js';

/** 128 + SIGINT's number: what a shell reports for a command stopped by Ctrl-C. */
import { interruptedExitCode } from '../sweep/interrupt.js';

export const viewCommand: Command = {
  name: 'view',
  summary: 'draw traces in a self-contained web page (space-time diagram, operations, checker result)',
  help: `usage: mnm view TRACE... [--out PAGE.html] [--check CHECK.json] [--report RUN.json] [--serve|--open] [--json]

Writes one self-contained HTML page (no network needed) that draws traces
written by 'mnm run --trace FILE' (docs/viewer.md): a lane per process and
per memory, verbs as arrows coloured by kind (red: refused; a cross: lost),
messages, permission grants and revocations, crashes, pauses and
partitions, torn reads, and the application operations as bars per client.
Hover for details; zoom with the wheel, drag to pan, step/scrub through
time (arrow keys), filter by process, memory and verb. Two traces are shown
side by side with their first divergence marked; more are listed in a picker.

  --out PAGE      where to write the page (default: mnm-view.html here)
  --check FILE    'mnm check TRACE --json' output: the linearization found,
                  or the operations it could not place, highlighted with its
                  explanation (shown on the trace it names, else the first)
  --report FILE   'mnm run ... --json' output: its violations, linked to the
                  operations and events involved (on the first trace)
  --serve, --open also serve the page on 127.0.0.1 (a free port) and print its
                  URL until interrupted (Ctrl-C: exit 130)
  --json          print {"page", "traces", "url"?} as one JSON object

exit codes: 0 written, 2 bad arguments or a file that is not a trace, 130 interrupted while serving

example:
  mnm run register --seed 2 --latency lan --mutant minority-quorum --trace bad.jsonl --json > run.json
  mnm check bad.jsonl --model register --json > check.json
  mnm view bad.jsonl --check check.json --report run.json --out bad.html
  mnm run register --seed 2 --latency lan --trace good.jsonl && mnm view good.jsonl bad.jsonl --out pair.html   # side by side
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('view', args, {
      out: { type: 'string' },
      check: { type: 'string' },
      report: { type: 'string' },
      serve: { type: 'boolean' },
      open: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('expected at least one trace file (written by mnm run --trace FILE)');
    const out = values.out ?? 'mnm-view.html';
    if (out === '-') throw new UsageError('--out: the page is a file (accepted: a path ending in .html)');
    checkOutputPath('out', out);
    const texts = positionals.map((file) => {
      const text = readInput(file, io);
      try {
        parseTraceText(text);
      } catch (error) {
        if (error instanceof TraceTextError) throw new UsageError(`'${file}' is not a trace (docs/trace.md): ${error.message}`);
        throw error;
      }
      return text;
    });
    const check = values.check === undefined ? undefined : readJson<CheckResult>(values.check, 'check', io, (value) => typeof (value as CheckResult).verdict === 'string', 'the output of mnm check --json');
    const report = values.report === undefined ? undefined : readJson<RunReportInput>(values.report, 'report', io, (value) => Array.isArray((value as RunReportInput).violations), 'the output of mnm run --json');
    // The check goes on the trace it names (its "file"), else on the first.
    const checked = check ? Math.max(0, positionals.findIndex((file) => check.file !== undefined && (check.file === file || basename(check.file) === basename(file)))) : -1;
    const names = uniqueNames(positionals.map((file) => basename(file)));
    const traces: ViewerTraceSource[] = positionals.map((file, index) => ({
      name: names[index],
      text: texts[index],
      check: index === checked ? check : undefined,
      report: index === 0 ? report : undefined,
    }));
    const page = writeViewerPage({ traces, out });
    if (!(values.serve || values.open)) {
      io.stdout(values.json ? `${JSON.stringify({ page, traces: names })}\n` : `${page}\n`);
      return exitCodes.ok;
    }
    const { url, server } = await serveViewerPage(viewerPageHtml({ traces }));
    io.stdout(values.json ? `${JSON.stringify({ page, traces: names, url })}\n` : `${page}\n${url}\n`);
    io.stderr(`mnm view: serving ${url} until interrupted (Ctrl-C)\n`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    io.stderr(`mnm view: interrupted (${signal}): stopped serving\n`);
    return interruptedExitCode;
  },
};

function readJson<T>(path: string, option: string, io: Parameters<Command['run']>[1], valid: (value: unknown) => boolean, expected: string): T {
  const text = readInput(path, io);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`--${option}: '${path}' is not JSON (expected ${expected})`);
  }
  if (typeof value !== 'object' || value === null || !valid(value)) throw new UsageError(`--${option}: '${path}' is not ${expected}`);
  return value as T;
}

/** File names as picker entries: a repeated name gets " (2)", " (3)"... */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name} (${count})`;
  });
}
