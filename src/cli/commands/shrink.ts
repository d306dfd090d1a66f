import { parseCommandArgs, type Command } from '../command.js';
import { Progress } from '../progress.js';
import { protocolFrom, runOptionSpecs, runOptionsFrom } from '../runArgs.js';
import { NothingToShrink, shrinkRun, type RunSize } from '../shrink/shrinkRun.js';
import { UsageError, exitCodes, integerOption } from '../usage.js';

const runsMaxDefault = 200;

function sizeText(size: RunSize): string {
  return `ops ${size.ops}, n ${size.n}, memories ${size.memories}${size.f > 0 ? `, f ${size.f}` : ''}, faults ${size.faults}${size.clocks > 0 ? `, clock bounds ${size.clocks}` : ''}`;
}

export const shrinkCommand: Command = {
  name: 'shrink',
  summary: 'reduce a failing run (fewer operations, faults, processes) while the same property still fails',
  help: `usage: mnm shrink <replay command> [--property NAME] [--max-runs N] [--json]
       mnm shrink <protocol> [run options] [--property NAME] [--max-runs N] [--json]

Takes a failing run — the replay command a run or sweep printed (with or
without its leading 'mnm run'), or the options of a run — and reduces it
greedily on the simulator: the drawn fault profile off (or turned into
explicit --crash/--pause entries), then explicit faults and clock bounds
dropped one by one, fewer operations (--ops), a smaller --f, --n or
--memories within the protocol's bounds. A smaller run is kept when it still
violates the same property; each kept run is no larger than the last on any
axis and smaller on one. Prints the smallest replay command found.

options:
  --property NAME     the property that must keep failing (default: the run's first violation)
  --max-runs N        most runs to make, the original's included (default ${runsMaxDefault})
  --json              one object: original, shrunk, property, detail, sizes, runs, steps
  (every option of mnm run, on the simulator)

Progress (each kept step) goes to stderr, never with --json.

exit codes: 1 the shrunk run still violates the property (the usual outcome),
            0 the run does not fail (nothing to shrink), 2 bad arguments

examples:
  mnm shrink mnm run paxos --seed 3 --n 3 --memories 0 --latency unit --faults crash --horizon 2000 --ops 1 --mutant accept-lower-ballot --workload contention
  mnm shrink register --seed 8 --latency lan --mutant minority-quorum --faults all --json
`,
  async run(args, io) {
    // A pasted replay command starts with 'mnm run'; drop those two words.
    const words = [...args];
    if (words[0] === 'mnm') words.shift();
    if (words[0] === 'run') words.shift();
    const { values, positionals } = parseCommandArgs('shrink', words, {
      ...runOptionSpecs,
      property: { type: 'string' },
      'max-runs': { type: 'string' },
      json: { type: 'boolean' },
    });
    const protocol = await protocolFrom('shrink', positionals, values.scenario);
    const options = runOptionsFrom(protocol, values);
    if (options.backend !== undefined && options.backend !== 'sim') throw new UsageError(`--backend ${options.backend}: shrink runs on the deterministic simulator only (a real backend's run does not replay)`);
    const runsMax = integerOption('max-runs', values['max-runs'], runsMaxDefault, 1, 100_000);
    const progress = new Progress(io, 'shrink', runsMax, values.json === true);
    let result;
    try {
      result = await shrinkRun(options, {
        runsMax,
        ...(values.property !== undefined ? { property: values.property } : {}),
        onStep: (step, runs) => {
          progress.update(runs, step.change);
          if (step.outcome === 'fails' && !values.json) {
            progress.done();
            io.stderr(`shrink: kept ${step.change} (run ${runs})\n`);
          }
        },
      });
    } catch (error) {
      progress.done();
      if (error instanceof NothingToShrink) {
        if (values.json) io.stdout(JSON.stringify({ shrunk: null, reason: error.message }) + '\n');
        else io.stdout(`shrink: ${error.message}\n`);
        return exitCodes.ok;
      }
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    progress.done();
    if (values.json) {
      io.stdout(JSON.stringify(result) + '\n');
    } else {
      const kept = result.steps.filter((step) => step.outcome === 'fails').length;
      io.stdout(
        [
          `property:  ${result.property} (${result.detail})`,
          `original:  ${result.original}`,
          `           ${sizeText(result.originalSize)}`,
          `shrunk:    ${result.shrunk}`,
          `           ${sizeText(result.shrunkSize)}`,
          `tried:     ${result.runs} runs, ${kept} reduction${kept === 1 ? '' : 's'} kept${result.runs >= runsMax ? ` (stopped at --max-runs ${runsMax})` : ''}`,
          '',
        ].join('\n'),
      );
    }
    return exitCodes.violated;
  },
};
