import { toChromeTrace } from '../../trace/exports/perfetto.js';
import { toShivizLog } from '../../trace/exports/shiviz.js';
import { TraceTextError, parseTraceText } from '../../trace/exports/traceText.js';
import { parseCommandArgs, type Command } from '../command.js';
import { checkOutputPath, inputName, readInput, standardStream, writeOutput } from '../fileArguments.js';
import { UsageError, exitCodes } from '../usage.js';

const exportFormats = ['perfetto', 'shiviz'] as const;

export const exportCommand: Command = {
  name: 'export',
  summary: 'convert a trace for Perfetto / chrome://tracing or ShiViz',
  help: `usage: mnm export --format perfetto|shiviz FILE|- [--out PATH]

Converts a trace written by 'mnm run --trace FILE' (- reads it from stdin)
for tools people have (docs/trace.md, "Exports"):

  perfetto  Chrome trace-event JSON: open it at https://ui.perfetto.dev or in
            chrome://tracing. A track per process (p0, ...) and memory (m0, ...),
            a slice per verb (issue to completion) and per application
            operation, instants for executions at memories, messages, faults
            and notes. 1 trace time unit = 1 microsecond.
  shiviz    a ShiViz log (https://bestchai.bitbucket.io/shiviz/): the parser
            regular expression first, then each event with its host and vector
            clock; verbs and messages are sends and receives.

Writes to stdout, or to PATH with --out.

exit codes: 0 written, 2 bad arguments, or a file that cannot be read or is not a trace

example:
  mnm run register --seed 7 --trace a.jsonl && mnm export --format perfetto a.jsonl --out a.json
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('export', args, { format: { type: 'string' }, out: { type: 'string' } });
    if (values.format === undefined) throw new UsageError(`--format is required (accepted: ${exportFormats.join(', ')})`);
    if (!(exportFormats as readonly string[]).includes(values.format)) throw new UsageError(`--format: unknown value '${values.format}' (accepted: ${exportFormats.join(', ')})`);
    if (positionals.length !== 1) throw new UsageError(`expected one trace file (or - for stdin), got ${positionals.length}`);
    const out = values.out ?? standardStream;
    checkOutputPath('out', out);
    const file = positionals[0];
    const text = readInput(file, io);
    let trace;
    try {
      trace = parseTraceText(text);
    } catch (error) {
      if (error instanceof TraceTextError) throw new UsageError(`'${inputName(file)}' is not a trace (docs/trace.md): ${error.message}`);
      throw error;
    }
    const output = values.format === 'perfetto' ? JSON.stringify(toChromeTrace(trace.header, trace.events)) + '\n' : toShivizLog(trace.header, trace.events);
    writeOutput('out', out, output, io);
    return exitCodes.ok;
  },
};
