import { suites } from '../bench/index.js';
import { provenance } from '../../trace/provenance.js';
import { parseCommandArgs, type Command } from '../command.js';
import { UsageError, exitCodes } from '../usage.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run benchmark suites (ratios against a baseline measured in the same run)',
  help: `usage: mnm bench <suite|all> [--quick] [--json]

Runs a benchmark suite and reports its figures as ratios against a baseline
measured in the same run. 'npm run bench' runs them all.

suites:
${suites.map((suite) => `  ${suite.name.padEnd(8)} ${suite.summary}`).join('\n')}

options:
  --quick   a short run (seconds), for smoke tests
  --json    print one JSON object ({"suite": ..., ...} or {"suites": [...]} for all)

example:
  mnm bench sim --quick
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('bench', args, { quick: { type: 'boolean' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError(`expected one suite (accepted: all, ${suites.map((suite) => suite.name).join(', ')})`);
    const name = positionals[0];
    const chosen = name === 'all' ? suites : suites.filter((suite) => suite.name === name);
    if (chosen.length === 0) throw new UsageError(`unknown suite '${name}' (accepted: all, ${suites.map((suite) => suite.name).join(', ')})`);
    const options = { quick: Boolean(values.quick), quiet: Boolean(values.json) };
    const results: Record<string, unknown>[] = [];
    for (const suite of chosen) {
      if (!values.json) io.stderr(`bench ${suite.name}: running${options.quick ? ' (quick)' : ''}...\n`);
      const result = await suite.run(options, io);
      results.push({ suite: suite.name, ...result });
      if (!values.json) io.stdout(`== ${suite.name} ==\n${suite.summarize(result)}\n\n`);
    }
    if (values.json) io.stdout(JSON.stringify({ ...(name === 'all' ? { suites: results } : results[0]), ...provenance() }) + '\n');
    return exitCodes.ok;
  },
};
