import { scenarios } from '../../scenarios/index.js';
import { provenance } from '../../trace/provenance.js';
import { parseCommandArgs, type Command } from '../command.js';
import { exitCodes } from '../usage.js';

export const mutantsCommand: Command = {
  name: 'mutants',
  summary: 'list every deliberately broken variant, by protocol',
  help: `usage: mnm mutants [--json]

Lists every mutant (a deliberately broken variant that the sweeps must catch)
by protocol, with one line on what it breaks. Run one with
'mnm run <protocol> --mutant NAME' or sweep it with 'mnm sweep <protocol> --mutant NAME'.

--json prints {"mutants": [{"protocol", "mutant", "description"}], "mnmVersion", "traceVersion"}.

example:
  mnm mutants
`,
  async run(args, io) {
    const { values } = parseCommandArgs('mutants', args, { json: { type: 'boolean' } }, false);
    const rows = scenarios.flatMap((scenario) => Object.entries(scenario.mutants).map(([mutant, description]) => ({ protocol: scenario.name, mutant, description })));
    if (values.json) io.stdout(JSON.stringify({ mutants: rows, ...provenance() }) + '\n');
    else {
      const width = Math.max(...rows.map((row) => `${row.protocol} --mutant ${row.mutant}`.length));
      for (const row of rows) io.stdout(`${`${row.protocol} --mutant ${row.mutant}`.padEnd(width)}  ${row.description}\n`);
    }
    return exitCodes.ok;
  },
};
