import { findScenario, resolveOptions, runScenario, type RunOptions, type RunReport } from '../../scenarios/index.js';
import { mixedRunOptions, type FixedOptions } from '../../scenarios/mix.js';
import { provenance } from '../../trace/provenance.js';
import { parseCommandArgs, type Command } from '../command.js';
import { Progress } from '../progress.js';
import { protocolFrom, replayCommand, runOptionSpecs, runOptionsFrom } from '../runArgs.js';
import { UsageError, exitCodes, integerOption } from '../usage.js';

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'run a protocol over many seeds with faults and count property violations',
  help: `usage: mnm sweep <protocol> --seeds N [--mix] [run options] [--first-seed S] [--stop] [--json]
       mnm sweep --scenario FILE --seeds N ...

Runs seeds S..S+N-1 (S = 1 by default) of one scenario on the simulator, each
with faults drawn from the profile within the protocol's tolerance, and counts
the runs that violate a property. For the first violation it prints the seed
and the exact 'mnm run …' command that replays it.

With --mix each seed draws its whole configuration: latency model (unit, rdma,
lan, uniform spreads up to 40x), workload, log (kv-log), n and memories within tolerance,
the simulator's tear window, the fault profile (crashes mid-write, pauses
longer than every timeout), clock skew and drift (3 seeds in 10) and, for
Byzantine protocols, the adversaries.
Options given explicitly stay fixed. This is the sweep the test suite runs.

options:
  --seeds N        how many seeds (required)
  --first-seed S   the first seed (default 1)
  --mix            draw the configuration per seed (see above)
  --faults P       fault profile: none | crash | pause | net | all | clocks (default crash; drawn with --mix)
  --skew T         largest clock offset of a process, in time units (drawn with --mix)
  --drift PPM      largest clock drift, parts per million (drawn with --mix)
  --stop           stop at the first violation
  --json           one JSON object: protocol, runs, violations, blocked, byProperty, firstViolation {seed, replay, violations}, mixed
  and every option of 'mnm run' (--n, --memories, --latency, --mutant, --ops, --horizon, --crash, --pause, --f, --adversary, --workload, --log, --tear,
                   --scenario FILE: sweep your own scenario module, docs/cli.md)

exit codes: 0 no violation, 1 some run violated a property, 2 bad arguments

examples:
  mnm sweep pmp --seeds 2000 --mix
  mnm sweep pmp --seeds 2000 --mix --mutant phase2-any-memory --stop
  mnm sweep register --seeds 1000 --faults all --latency lan
  mnm sweep --scenario examples/scenario-counter.js --seeds 200 --mix
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('sweep', args, {
      ...runOptionSpecs,
      seeds: { type: 'string' },
      'first-seed': { type: 'string' },
      stop: { type: 'boolean' },
      mix: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const protocol = await protocolFrom('sweep', positionals, values.scenario);
    if (values.seeds === undefined) throw new UsageError('--seeds N is required (how many seeds to run)');
    if (values.seed !== undefined) throw new UsageError('--seed: a sweep runs many seeds; use --first-seed S and --seeds N');
    const seeds = integerOption('seeds', values.seeds, 0, 1, 100_000_000);
    const first = integerOption('first-seed', values['first-seed'], 1, 0);
    if (values.backend !== undefined && values.backend !== 'sim') throw new UsageError(`--backend ${values.backend}: a sweep runs on the simulator (accepted: sim); run one seed on a real backend with 'mnm run --backend'`);
    const base = runOptionsFrom(protocol, { ...values, faults: values.faults ?? 'crash' });
    const scenario = findScenario(base.protocol);
    const mixed = Boolean(values.mix);
    // With --mix, only what was given explicitly stays fixed; the rest is drawn per seed.
    const fixed = mixed ? explicitOptions(runOptionsFrom(protocol, values), values) : {};
    const optionsOf = (seed: number) => (mixed && scenario ? mixedRunOptions(scenario, seed, fixed) : { ...base, seed });
    try {
      resolveOptions(optionsOf(first));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const progress = new Progress(io, `sweep ${base.protocol}`, seeds, Boolean(values.json));
    const started = process.hrtime.bigint();
    let runs = 0;
    let violations = 0;
    let blocked = 0;
    let firstViolation: RunReport | undefined;
    const byProperty: Record<string, number> = {};
    for (let seed = first; seed < first + seeds; seed++) {
      let report: RunReport;
      try {
        report = await runScenario(optionsOf(seed), 'off');
      } catch (error) {
        // A drawn configuration the scenario refuses is a bug of the mix, not of the user: say which seed.
        if (mixed) throw new UsageError(`--mix drew options for seed ${seed} that ${base.protocol} refuses: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }
      runs++;
      if (report.blocked) blocked++;
      if (!report.ok) {
        violations++;
        for (const property of new Set(report.violations.map((violation) => violation.property))) byProperty[property] = (byProperty[property] ?? 0) + 1;
        firstViolation ??= report;
      }
      progress.update(runs, violations > 0 ? `${violations} violating` : '');
      if (firstViolation && values.stop) break;
    }
    progress.done();
    const elapsedMs = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
    const first_ = firstViolation ? { seed: firstViolation.seed, replay: replayCommand(firstViolation.params), violations: firstViolation.violations } : null;
    if (values.json) {
      io.stdout(JSON.stringify({ protocol: base.protocol, runs, violations, blocked, byProperty, firstViolation: first_, elapsedMs, mutant: base.mutant ?? null, faults: mixed ? 'mixed' : base.faults, mixed, ...provenance() }) + '\n');
    } else {
      const lines = [`sweep ${base.protocol}: ${runs} runs (seeds ${first}..${first + runs - 1}), ${mixed ? 'mixed configurations' : `faults=${base.faults}`}${base.mutant ? `, mutant=${base.mutant}` : ''}, ${elapsedMs} ms`];
      lines.push(`violations: ${violations}${violations > 0 ? ` (${Object.entries(byProperty).map(([property, count]) => `${property}: ${count}`).join(', ')})` : ''}; blocked (faults beyond tolerance): ${blocked}`);
      if (first_) {
        lines.push(`first violation: seed ${first_.seed}: ${first_.violations[0].property}: ${first_.violations[0].detail}`);
        lines.push(`replay: ${first_.replay}`);
      }
      lines.push(violations === 0 ? 'PASSED' : 'FAILED');
      io.stdout(lines.join('\n') + '\n');
    }
    return violations === 0 ? exitCodes.ok : exitCodes.violated;
  },
};

/**
 * The run options the user gave on the command line (the rest a mixed sweep
 * draws): each run option has the name of its flag, so keep the parsed ones
 * whose flag was given.
 */
function explicitOptions(parsed: RunOptions, values: Record<string, unknown>): FixedOptions {
  return Object.fromEntries(Object.entries(parsed).filter(([name]) => name !== 'protocol' && name !== 'seed' && values[name] !== undefined)) as FixedOptions;
}
