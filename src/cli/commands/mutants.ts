import { findBftSchedule, scenarios } from '../../scenarios/index.js';
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
A bft mutant whose interleaving the spec gives (§6) also has a scripted
schedule: 'mnm sweep bft --schedule NAME --mutant NAME' runs that
interleaving over seeds ("schedule" in the list).

--json prints {"mutants": [{"protocol", "mutant", "description", "schedule"}], "mnmVersion", "traceVersion"}
(schedule: the --schedule name that scripts the mutant's interleaving, or null).

example:
  mnm mutants
`,
  async run(args, io) {
    const { values } = parseCommandArgs('mutants', args, { json: { type: 'boolean' } }, false);
    const scheduleOf = (protocol: string, mutant: string) => (protocol === 'bft' ? (findBftSchedule(mutant)?.mutant ?? null) : null);
    const rows = scenarios.flatMap((scenario) => Object.entries(scenario.mutants).map(([mutant, description]) => ({ protocol: scenario.name, mutant, description, schedule: scheduleOf(scenario.name, mutant) })));
    if (values.json) io.stdout(JSON.stringify({ mutants: rows, ...provenance() }) + '\n');
    else {
      const width = Math.max(...rows.map((row) => `${row.protocol} --mutant ${row.mutant}`.length));
      for (const row of rows) io.stdout(`${`${row.protocol} --mutant ${row.mutant}`.padEnd(width)}  ${row.description}${row.schedule ? ` (schedule: --schedule ${row.schedule})` : ''}\n`);
    }
    return exitCodes.ok;
  },
};
