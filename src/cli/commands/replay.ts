import { readFileSync } from 'node:fs';
import { resolveOptions, runScenario, type RunOptions } from '../../scenarios/index.js';
import { loadUserScenario } from '../../scenarios/userScenario.js';
import { parseCommandArgs, type Command } from '../command.js';
import { UsageError, exitCodes } from '../usage.js';

export const replayCommand: Command = {
  name: 'replay',
  summary: "re-run a trace's scenario and say whether the new trace is identical",
  help: `usage: mnm replay FILE [--json]

Reads the header of a trace written by 'mnm run --trace FILE', runs the same
scenario with the same seed and parameters, and compares the new trace with
the file line by line.

exit codes: 0 identical, 1 different (prints the first differing line), 2 bad file

example:
  mnm run register --seed 1 --trace a.jsonl && mnm replay a.jsonl
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('replay', args, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError(`expected one trace file, got ${positionals.length}`);
    const file = positionals[0];
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let header: { type?: unknown; backend?: unknown; params?: unknown };
    try {
      header = JSON.parse(lines[0] ?? '');
    } catch {
      throw new UsageError(`'${file}' line 1 is not JSON: a trace starts with its header line (docs/trace.md)`);
    }
    if (header?.type !== 'header' || typeof header.params !== 'object' || header.params === null) {
      throw new UsageError(`'${file}' line 1 is not a trace header (expected {"type":"header", ..., "params":{...}})`);
    }
    if (header.backend !== 'sim') throw new UsageError(`'${file}' was recorded on backend '${String(header.backend)}'; only simulator traces replay`);
    const params = header.params as RunOptions;
    try {
      // A user scenario's trace names its module: load it again before resolving the run.
      if (typeof params.scenarioModule === 'string') await loadUserScenario(params.scenarioModule);
      resolveOptions(params);
    } catch (error) {
      throw new UsageError(`'${file}' header: ${error instanceof Error ? error.message : String(error)}`);
    }
    const report = await runScenario(params, 'full');
    const fresh = (report.trace ?? '').split('\n');
    if (fresh[fresh.length - 1] === '') fresh.pop();
    let differing = -1;
    for (let index = 0; index < Math.max(lines.length, fresh.length); index++) {
      if (lines[index] !== fresh[index]) {
        differing = index;
        break;
      }
    }
    const identical = differing < 0;
    if (values.json) {
      io.stdout(
        JSON.stringify({
          file,
          identical,
          lines: lines.length,
          traceHash: report.traceHash,
          ...(identical ? {} : { firstDifference: { line: differing + 1, recorded: lines[differing] ?? null, replayed: fresh[differing] ?? null } }),
        }) + '\n',
      );
    } else if (identical) {
      io.stdout(`identical: ${lines.length} lines, ${report.traceHash}\n`);
    } else {
      io.stdout(`DIFFERENT at line ${differing + 1} of ${file}:\n  recorded: ${lines[differing] ?? '(end of file)'}\n  replayed: ${fresh[differing] ?? '(end of trace)'}\n`);
    }
    return identical ? exitCodes.ok : exitCodes.violated;
  },
};
