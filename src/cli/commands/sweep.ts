import { availableParallelism } from 'node:os';
import { findBftSchedule, findScenario, resolveOptions, type RunOptions } from '../../scenarios/index.js';
import type { FixedOptions } from '../../scenarios/mix.js';
import { parseCommandArgs, type Command, type CommandIO } from '../command.js';
import { Progress } from '../progress.js';
import { protocolFrom, runOptionSpecs, runOptionsFrom } from '../runArgs.js';
import { interruptedExitCode, watchInterrupts } from '../sweep/interrupt.js';
import { runSweep, type SeedRange } from '../sweep/runSweep.js';
import { seedOptions, SeedConfigurationError, sweepPlanOf } from '../sweep/seedRun.js';
import { parseShard, shardSlice } from '../sweep/seedSlice.js';
import { mergeSweeps } from '../sweep/sweepMerge.js';
import { sweepJson, sweepText, textFailuresShown, type SweepSummary } from '../sweep/sweepReport.js';
import { UsageError, exitCodes, integerOption } from '../usage.js';

/** Seeds a sweep runs when --seeds is not given. */
export const defaultSeedCount = 100;
/** Failing seeds the JSON lists when --max-failures is not given. */
export const defaultMaxFailures = 100;

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'run a protocol over many seeds with faults and count property violations',
  help: `usage: mnm sweep <protocol> [--seeds N] [--mix] [run options] [--first-seed S] [--workers W] [--shard I/N] [--stop] [--json]
       mnm sweep --scenario FILE [--seeds N] ...
       mnm sweep merge FILE... [--json]

Runs seeds S..S+N-1 (S = 1, N = ${defaultSeedCount} by default) of one scenario on the
simulator, each with faults drawn from the profile within the protocol's
tolerance, and counts the runs that violate a property. It prints the lowest
failing seed with the exact 'mnm run …' command that replays it, and the
failing seeds after it (up to ${textFailuresShown}; --json lists up to --max-failures).

The seeds run on W worker threads (default: this machine's cores, here
${availableParallelism()}). A seed's run depends on its seed alone, and seeds are tallied in
seed order, so the summary is the same for any W.

With --mix each seed draws its whole configuration: latency model (unit, rdma,
lan, uniform spreads up to 40x), workload, log (kv-log), n and memories within tolerance,
the simulator's tear window, the fault profile (crashes mid-write, pauses
longer than every timeout), clock skew and drift (3 seeds in 10) and, for
Byzantine protocols, the adversaries.
Options given explicitly stay fixed. This is the sweep the test suite runs.

With --backend shm|tcp each seed runs for real (threads on shared memory, or
processes over TCP), one at a time unless --workers says otherwise, with
the faults those backends inject (none, crash — host crashes included —
and clocks); with --mix the rest of the configuration is drawn as above and
the latency is the backend's own. A failing seed's command re-runs it on
that backend (the same configuration and fault schedule; real timing does
not replay exactly) and names the same options on the simulator.

Across machines: '--shard I/N' runs the I-th (from 0) of N contiguous, disjoint
slices of the seeds; 'mnm sweep merge' combines the shards' --json outputs
into the summary the whole sweep prints (docs/sweeps.md: a Kubernetes
Indexed Job).

Ctrl-C (SIGINT) or SIGTERM stops the sweep: the workers are terminated and
the partial summary is printed (with --json: one object with
"interrupted": true); exit 130.

options:
  --seeds N          how many seeds (default ${defaultSeedCount})
  --first-seed S     the first seed (default 1)
  --mix              draw the configuration per seed (see above)
  --faults P         fault profile: none | crash | pause | net | all | clocks (default crash; drawn with --mix)
  --skew T           largest clock offset of a process, in time units (drawn with --mix)
  --drift PPM        largest clock drift, parts per million (drawn with --mix)
  --workers W        worker threads (default: the machine's cores; 1 runs in this thread)
  --shard I/N        run only slice I of N (0 <= I < N) of the seeds
  --stop             stop at the lowest violating seed: the summary covers seeds S up to
                     it, as with one worker (seeds above it that finished are dropped)
  --schedule NAME    bft: sweep one scripted §6 interleaving (the mutant it breaks, e.g. seal-late) over
                     the seeds (each seed changes keys and the simulator's ties; no faults drawn unless
                     --faults says so); correct code unless --mutant; not with --mix
  --max-failures M   failing seeds listed in --json (default ${defaultMaxFailures}, the lowest ones)
  --progress         progress on stderr even when it is not a terminal or with --json
  --json             one JSON object: protocol, runs, violations, blocked, undecided, sized, byProperty,
                     firstViolation {seed, replay, violations}, failures [{seed, replay, violations}],
                     mixed, range, shard, interrupted, stoppedAt, plan (docs/cli.md)
  and every option of 'mnm run' (--n, --memories, --latency, --mutant, --ops, --horizon, --crash, --pause, --f, --adversary, --workload, --log, --slots, --tear,
                     mu: --clients, --window, --crash-leader-at T, --pause-leader-at T --for D,
                     --scenario FILE: sweep your own scenario module, docs/cli.md)

exit codes: 0 no violation, 1 some run violated a property, 2 bad arguments, 130 interrupted

examples:
  mnm sweep pmp --seeds 2000 --mix
  mnm sweep pmp --seeds 2000 --mix --mutant phase2-any-memory --stop
  mnm sweep register --seeds 1000 --faults all --latency lan --workers 2
  mnm sweep cb --adversary all
  mnm sweep mu --backend shm --seeds 20 --mix
  mnm sweep mu --seeds 200 --faults crash --crash-leader-at 30   (KV history, log prefixes, durability)
  mnm sweep bft --mix --f 2 --seeds 100   (bft draws its own mix: every crash explicit, so liveness is judged; docs/sweeps.md)
  mnm sweep bft --schedule seal-late --mutant seal-late --seeds 20   (§6's interleaving: every seed catches it)
  mnm sweep --scenario examples/scenario-counter.js --seeds 200 --mix
  mnm sweep pmp --seeds 1000000 --mix --shard 3/8 --json > shard-3.json
  mnm sweep merge shard-*.json
`,
  async run(args, io) {
    if (args[0] === 'merge') return merge(args.slice(1), io);
    const { values, positionals } = parseCommandArgs('sweep', args, {
      ...runOptionSpecs,
      seeds: { type: 'string' },
      'first-seed': { type: 'string' },
      stop: { type: 'boolean' },
      mix: { type: 'boolean' },
      json: { type: 'boolean' },
      workers: { type: 'string' },
      shard: { type: 'string' },
      'max-failures': { type: 'string' },
      progress: { type: 'boolean' },
    });
    const protocol = await protocolFrom('sweep', positionals, values.scenario);
    if (values.seed !== undefined) throw new UsageError('--seed: a sweep runs many seeds; use --first-seed S and --seeds N');
    const range: SeedRange = { first: integerOption('first-seed', values['first-seed'], 1, 0), count: integerOption('seeds', values.seeds, defaultSeedCount, 1, 100_000_000) };
    const shard = values.shard === undefined ? null : parseShard(values.shard);
    const slice = shard ? shardSlice(range, shard) : range;
    // A run on a real backend has threads or processes of its own, and its timing is real: one at a time unless asked.
    const real = values.backend !== undefined && values.backend !== 'sim';
    const workers = Math.min(integerOption('workers', values.workers, real ? 1 : availableParallelism(), 1, 256), Math.max(1, slice.count));
    const maxFailures = integerOption('max-failures', values['max-failures'], defaultMaxFailures, 1, 100_000);
    if (values.schedule !== undefined && values.mix) throw new UsageError('--schedule fixes the run it scripts: sweep it over seeds without --mix');
    // A schedule's seeds change keys and ties, not faults: it draws none unless --faults says so.
    const base = runOptionsFrom(protocol, { ...values, faults: values.faults ?? (values.schedule !== undefined ? 'none' : 'crash') });
    const mixed = Boolean(values.mix) && findScenario(base.protocol) !== undefined;
    // With --mix, only what was given explicitly stays fixed; the rest is drawn per seed.
    const plan = sweepPlanOf(base, mixed ? explicitOptions(runOptionsFrom(protocol, values), values) : undefined);
    try {
      resolveOptions(seedOptions(plan, slice.count > 0 ? slice.first : range.first));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }

    const progress = new Progress(io, `sweep ${base.protocol}`, slice.count, Boolean(values.json), Boolean(values.progress));
    const interrupts = watchInterrupts();
    const started = process.hrtime.bigint();
    let result;
    try {
      result = await runSweep(plan, slice, {
        workers,
        stop: Boolean(values.stop),
        maxFailures,
        signal: interrupts.signal,
        onProgress: (tally) => progress.update(tally.runs, tally.violations > 0 ? `${tally.violations} violating` : ''),
      });
    } catch (error) {
      if (error instanceof SeedConfigurationError) throw new UsageError(error.message);
      throw error;
    } finally {
      interrupts.dispose();
      progress.done();
    }
    const summary: SweepSummary = {
      request: { plan, range, shard, slice },
      tally: result.tally,
      interrupted: result.interrupted,
      stoppedAt: result.stoppedAt ?? null,
      elapsedMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
      workers,
    };
    io.stdout(values.json ? JSON.stringify(sweepJson(summary)) + '\n' : sweepText(summary, interrupts.received()));
    // A §6 mutant that needs its interleaving rarely shows in drawn seeds: say where its schedule is.
    const schedule = base.protocol === 'bft' && base.mutant !== undefined ? findBftSchedule(base.mutant) : undefined;
    if (schedule && result.tally.violations === 0 && !result.interrupted) {
      io.stderr(`sweep bft: no violation of ${schedule.mutant} in these seeds; its §6 interleaving is a schedule: mnm sweep bft --schedule ${schedule.mutant} --mutant ${schedule.mutant}\n`);
    }
    if (result.interrupted) return interruptedExitCode;
    return result.tally.violations === 0 ? exitCodes.ok : exitCodes.violated;
  },
};

/** `mnm sweep merge FILE…`: the shards' JSON combined into the whole sweep's summary. */
async function merge(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('sweep merge', args, { json: { type: 'boolean' } });
  const summary = mergeSweeps(positionals);
  io.stdout(values.json ? JSON.stringify(sweepJson(summary)) + '\n' : sweepText(summary));
  return summary.tally.violations === 0 ? exitCodes.ok : exitCodes.violated;
}

/**
 * The run options the user gave on the command line (the rest a mixed sweep
 * draws): keep the parsed ones whose flag was given. A run option's flag is
 * its name, or that name in kebab case (`valueBytes`: `--value-bytes`,
 * `crashLeaderAt`: `--crash-leader-at`), `pauseFor`'s is `--for`, and the
 * workload may come from `--contention`.
 */
function explicitOptions(parsed: RunOptions, values: Record<string, unknown>): FixedOptions {
  const flags: Record<string, readonly string[]> = { pauseFor: ['for'], workload: ['workload', 'contention'] };
  const given = (name: string) => (flags[name] ?? [name, name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)]).some((flag) => values[flag] !== undefined);
  return Object.fromEntries(Object.entries(parsed).filter(([name]) => name !== 'protocol' && name !== 'seed' && given(name))) as FixedOptions;
}
