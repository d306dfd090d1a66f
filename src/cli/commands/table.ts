import { provenance } from '../../trace/provenance.js';
import { parseCommandArgs, type Command } from '../command.js';
import { tables } from '../tables/index.js';
import { UsageError, exitCodes } from '../usage.js';

export const tableCommand: Command = {
  name: 'table',
  summary: "reproduce a lecture's table from measured simulator runs",
  help: `usage: mnm table <name> [--json]

Measures and prints one of the lecture's tables from simulator runs (not
constants). Every row names the seed and traceHash of a run that
'mnm run … --json' reproduces.

tables:
${tables.map((table) => `  ${table.name.padEnd(10)} ${table.summary}`).join('\n') || '  (none yet)'}

--json prints {"rows": [...]}.

swarm: round trips per operation of raw, abd, dm-abd, dm-abd-out-of-place,
safe-guess and swarm-kv (those registered; the others are named on stderr),
cases uncontended / contention / skew, unit latency, 4 clients x 50
operations, seeds 1-3; each row {"algorithm", "op", "case", "cache",
"rttP50", "rttP99", "fastPathShare", "expected" (spec §7), ...}.

bft: per decision of bft (n = 2f+1 on consistent broadcast) on the fast path
(no fault), the slow path (a silent follower) and a view change (the leader
crashed: Treq expiry to NEW_VIEW accepted), next to pbft (n = 3f+1) and Mu,
f = 1 and 2, unit latency; each row {"algorithm", "path", "f", "processes",
"delays", "delaysEndToEnd", "timeout", "messages", "broadcasts", "verbs",
"signaturesMade", "signaturesVerified", "signaturesMadeAmortized",
"clientSignaturesVerified", "bytes", ...} (specs/bft-consensus.md §5).

examples:
  mnm table consensus
  mnm table bft --json
  mnm table swarm --json
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('table', args, { json: { type: 'boolean' } });
    const names = tables.map((table) => table.name).join(', ') || 'none yet';
    if (positionals.length !== 1) throw new UsageError(`expected one table name (accepted: ${names})`);
    const table = tables.find((candidate) => candidate.name === positionals[0]);
    if (!table) throw new UsageError(`unknown table '${positionals[0]}' (accepted: ${names})`);
    const measured = await table.measure({ quiet: Boolean(values.json) }, io);
    io.stdout(values.json ? JSON.stringify({ ...measured, ...provenance() }) + '\n' : table.render(measured));
    return exitCodes.ok;
  },
};
