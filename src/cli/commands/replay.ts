import { resolveOptions, runScenario, type RunOptions } from '../../scenarios/index.js';
import { loadUserScenario } from '../../scenarios/userScenario.js';
import { provenance } from '../../trace/provenance.js';
import { parseCommandArgs, type Command } from '../command.js';
import { inputName, readInput } from '../fileArguments.js';
import { UsageError, exitCodes } from '../usage.js';

export const replayCommand: Command = {
  name: 'replay',
  summary: "re-run a trace's scenario and say whether the new trace is identical",
  help: `usage: mnm replay FILE|- [--json]

Reads the header of a trace written by 'mnm run --trace FILE' (- reads it from
stdin), runs the same scenario with the same seed and parameters, and compares
the new trace with the file line by line. Only a trace of this mnm version and
trace format replays (another version may schedule differently): the header's
mnmVersion and version are checked first.

exit codes: 0 identical, 1 different (prints the first differing line),
            2 bad file, a real-backend journal, or another mnm or trace format version

example:
  mnm run register --seed 1 --trace a.jsonl && mnm replay a.jsonl
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('replay', args, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError(`expected one trace file, got ${positionals.length}`);
    const file = positionals[0];
    const name = inputName(file);
    const text = readInput(file, io);
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let header: { type?: unknown; version?: unknown; mnmVersion?: unknown; replayable?: unknown; backend?: unknown; params?: unknown };
    try {
      header = JSON.parse(lines[0] ?? '');
    } catch {
      throw new UsageError(`'${name}' line 1 is not JSON: a trace starts with its header line (docs/trace.md)`);
    }
    if (header?.type !== 'header' || typeof header.params !== 'object' || header.params === null) {
      throw new UsageError(`'${name}' line 1 is not a trace header (expected {"type":"header", ..., "params":{...}})`);
    }
    const mismatch = versionMismatch(header);
    if (mismatch) throw new UsageError(`'${name}' ${mismatch}`);
    if (header.replayable === false || header.backend !== 'sim') {
      throw new UsageError(`'${name}' was recorded on backend '${String(header.backend)}' (an operation journal at wall-clock times): only simulator traces replay`);
    }
    const params = header.params as RunOptions;
    try {
      // A user scenario's trace names its module: load it again before resolving the run.
      if (typeof params.scenarioModule === 'string') await loadUserScenario(params.scenarioModule);
      resolveOptions(params);
    } catch (error) {
      throw new UsageError(`'${name}' header: ${error instanceof Error ? error.message : String(error)}`);
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
          ...provenance(),
          ...(identical ? {} : { firstDifference: { line: differing + 1, recorded: lines[differing] ?? null, replayed: fresh[differing] ?? null } }),
        }) + '\n',
      );
    } else if (identical) {
      io.stdout(`identical: ${lines.length} lines, ${report.traceHash}\n`);
    } else {
      io.stdout(`DIFFERENT at line ${differing + 1} of ${name}:\n  recorded: ${lines[differing] ?? '(end of file)'}\n  replayed: ${fresh[differing] ?? '(end of trace)'}\n`);
    }
    return identical ? exitCodes.ok : exitCodes.violated;
  },
};

/**
 * Why a trace cannot be compared with this mnm's run of it, or undefined:
 * another trace format, or another mnm (whose simulator or protocols may
 * differ, so a difference would not mean nondeterminism). Traces from before
 * headers named their mnm have no `mnmVersion`.
 */
export function versionMismatch(header: { version?: unknown; mnmVersion?: unknown }): string | undefined {
  const current = provenance();
  if (header.version !== current.traceVersion) {
    return `is in trace format version ${JSON.stringify(header.version ?? null)}; this mnm ${current.mnmVersion} writes and replays format version ${current.traceVersion}`;
  }
  if (header.mnmVersion !== current.mnmVersion) {
    const recorded = typeof header.mnmVersion === 'string' ? `mnm ${header.mnmVersion}` : 'an mnm that does not name its version (written before trace headers named it)';
    return `was written by ${recorded}; this is mnm ${current.mnmVersion}, and a trace replays only on the version that wrote it (run it again with this version to get a trace to replay)`;
  }
  return undefined;
}
