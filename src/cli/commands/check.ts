import { explainResult, formatNamed, formatNames, HistoryError, HistoryFileError, modelNames, models, readHistories, witnessJson } from '../../check/index.js';
import { provenance } from '../../trace/provenance.js';
import { parseCommandArgs, type Command } from '../command.js';
import { readHistorySources } from '../historyFiles.js';
import { checkOffThread } from '../check/checkOffThread.js';
import { Progress } from '../progress.js';
import { interruptedExitCode, watchInterrupts } from '../sweep/interrupt.js';
import { UsageError, choiceOption, exitCodes, numberOption } from '../usage.js';

/** Progress appears only for checks that run longer than this. */
const progressAfterMs = 1000;

export const checkCommand: Command = {
  name: 'check',
  summary: 'check that a history (or a trace) is linearizable for a model',
  help: `usage: mnm check FILE... --model M [--format F] [--timeout SECONDS] [--json] [--quiet]

Decides whether the operations in FILE (- reads stdin) are linearizable with respect to a
sequential model. Operations with unknown outcomes (info, or no return) may
take effect at any point after their call or never; failed ones never did.
Keyed models (kv) are checked one key at a time. See docs/check.md.

Several files, or a directory (its *.history.jsonl files: 'mnm cluster up'
writes one per process), are merged into one history by time; each process
must be in one file only.

models (--model; implied by the porcupine formats):
${modelNames.map((name) => `  ${name.padEnd(14)} ${models[name].summary}`).join('\n')}

formats (--format; detected from the first lines if omitted):
${formatNames.map((name) => `  ${name.padEnd(14)} ${formatNamed(name)?.summary ?? ''}`).join('\n')}

options:
  --timeout S   give up after S seconds (exit 3); no limit by default
  --json        print one JSON object: {"file", "format", "model", "verdict",
                "operations", "elapsedMs", "operationIds", "witness",
                "mnmVersion", "traceVersion"}
  --quiet       no progress on stderr (also off with --json)

exit codes: 0 linearizable, 1 not linearizable, 2 bad input or arguments,
            3 undecided within --timeout, 130 interrupted (Ctrl-C or SIGTERM:
            no verdict; --json prints {"verdict": "interrupted", "interrupted": true,
            "placed": operations placed so far, ...})

examples:
  mnm check fixtures/porcupine/jepsen/etcd_002.log
  mnm run register --seed 1 --trace run.jsonl && mnm check run.jsonl --model register
  mnm check /tmp/mnm-cluster-cluster-local-*/ --model register
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('check', args, {
      model: { type: 'string' },
      format: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('expected a history file (or several, or a directory of them)');
    const file = positionals.join(' ');
    const formatName = values.format === undefined ? undefined : choiceOption('format', values.format, formatNames, 'mnm');
    const modelName = values.model === undefined ? undefined : choiceOption('model', values.model, modelNames, 'register');
    const timeoutSeconds = numberOption('timeout', values.timeout, Infinity, { minimum: 0, unit: 'seconds' });
    const sources = readHistorySources(positionals, io);

    const started = performance.now();
    const quiet = Boolean(values.quiet) || Boolean(values.json);
    let progress: Progress | undefined;
    const interrupts = watchInterrupts();
    let result;
    let format;
    let model;
    let operationIds;
    try {
      const history = readHistories(sources, formatName);
      operationIds = history.operationIds;
      format = history.format;
      const chosen = modelName ?? format.model;
      if (chosen === undefined) throw new UsageError(`--model is required for format ${format.name} (accepted: ${modelNames.join(', ')})`);
      model = models[chosen];
      const bar = new Progress(io, `check ${file}`, history.operations.length, quiet);
      progress = bar;
      // The search runs on a worker thread so that Ctrl-C can stop it (this thread must stay free to hear the signal).
      let placed = 0;
      const checked = await checkOffThread({ operations: history.operations, model: chosen, timeoutMs: timeoutSeconds * 1000 }, interrupts.signal, (done, total) => {
        placed = Math.min(done, total);
        if (performance.now() - started > progressAfterMs) bar.update(placed, 'operations placed');
      });
      if (checked === 'interrupted') {
        progress.done();
        const elapsedMs = Math.round((performance.now() - started) * 10) / 10;
        const operations = history.operations.length;
        if (values.json) io.stdout(JSON.stringify({ file, format: format.name, model: model.name, verdict: 'interrupted', interrupted: true, operations, placed, elapsedMs, ...provenance() }) + '\n');
        else io.stdout(`${file}: interrupted (${interrupts.received() ?? 'signal'}) after ${elapsedMs} ms, no verdict (${model.name}, ${format.name}, ${placed} of ${operations} operations placed)\n`);
        return interruptedExitCode;
      }
      result = checked;
    } catch (error) {
      if (error instanceof HistoryFileError) throw new UsageError(error.message);
      if (error instanceof HistoryError) throw new UsageError(`'${file}' ${error.message}`);
      throw error;
    } finally {
      interrupts.dispose();
      progress?.done();
    }
    const elapsedMs = Math.round((performance.now() - started) * 10) / 10;

    const exitCode = result.verdict === 'linearizable' ? exitCodes.ok : result.verdict === 'not-linearizable' ? exitCodes.violated : exitCodes.undecided;
    if (values.json) {
      const output = {
        file,
        format: format.name,
        model: model.name,
        verdict: result.verdict,
        operations: result.operations,
        elapsedMs,
        operationIds,
        witness: witnessJson(result),
        ...provenance(),
      };
      io.stdout(JSON.stringify(output) + '\n');
      return exitCode;
    }
    const verdict =
      result.verdict === 'linearizable' ? 'linearizable' : result.verdict === 'not-linearizable' ? 'NOT linearizable' : `undecided within the ${timeoutSeconds} s timeout`;
    io.stdout(`${file}: ${verdict} (${model.name}, ${format.name}, ${result.operations} operations, ${elapsedMs} ms)\n`);
    const explanation = explainResult(result);
    if (explanation !== '') io.stdout(explanation.replace(/^/gm, '  ') + '\n');
    return exitCode;
  },
};
