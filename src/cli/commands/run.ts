import { resolveOptions, runScenario, scenarios } from '../../scenarios/index.js';
import { faultProfiles } from '../../sim/index.js';
import { parseCommandArgs, type Command } from '../command.js';
import { FileOutput } from '../fileOutput.js';
import { historyLine } from '../history.js';
import { RunProgress } from '../runProgress.js';
import { runJson, runSummary } from '../report.js';
import { protocolFrom, runOptionSpecs, runOptionsFrom } from '../runArgs.js';
import { UsageError, exitCodes } from '../usage.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run one protocol scenario (simulator by default, or a real backend) and check its properties',
  help: `usage: mnm run <protocol> [options]
       mnm run --scenario FILE [options]

Runs one scenario, checks its properties and prints a summary (or one JSON
object with --json). On the deterministic simulator (the default), the same
options give the same trace; --backend shm|tcp runs the same protocol code on
worker threads or OS processes (docs/backends.md).

protocols: ${scenarios.map((scenario) => scenario.name).join(', ')}

options:
  --seed N            the run's seed (default 1)
  --n N               number of processes (protocol default)
  --memories K        number of memories (protocol default)
  --latency MODEL     unit | rdma | lan | uniform:MIN:MAX | tail:BASE:SLOW:P  (default unit: every one-way delay = 1)
  --faults PROFILE    ${faultProfiles.join(' | ')}: faults drawn by seed within the protocol's tolerance (default none)
  --crash LIST        explicit crashes, e.g. m1@5,p2,p0@3! (memory m1 at time 5, process p2 at 0,
                      p0 at 3 mid-write: some of its verbs in flight never arrive); repeatable
  --pause LIST        explicit pauses, e.g. p0@10+50 (p0 pauses at 10 for 50); repeatable
  --horizon T         virtual-time limit of the run (protocol default)
  --ops N             operations per client process (protocol default)
  --mutant NAME       run a deliberately broken variant (mnm mutants lists them)
  --workload NAME     a protocol's workload (consensus: stable | contention | storm | mixed)
  --tear FRACTION     the simulator's tear window: a multi-word write's words land within this
                      fraction (0..1] of its completion delay (default: 0.9 of the shortest delay)
  --skew T            clock skew: each process's clock() is offset by a draw within ±T time units
                      (--faults clocks: 10 mean delays unless given)
  --drift PPM         clock drift: each process's clock runs at a rate within 1 ± PPM/10^6
                      (--faults clocks: 100 unless given); honoured on shm and tcp too
  --hold SCRIPT       a scripted schedule: hold an event until another happened, e.g.
                      'p0 permission m2 until p2 note decide' (docs/schedules.md); repeatable
  --f F               faults tolerated, for protocols sized by f
  --adversary LIST    Byzantine strategies (broadcast protocols)
  --backend B         sim (default) | shm (worker threads, shared memory) | tcp (OS processes, memory nodes)
  --scenario FILE     run your own scenario: an ES module whose default export (or export 'scenario')
                      is a Scenario (docs/cli.md, examples/scenario-counter.js)
  --trace FILE        write the trace (JSON lines, docs/trace.md)
  --history FILE      write the application operations in the checker's history format
  --json              print one JSON object: protocol, seed, ok, violations, blocked, metrics, traceHash, ...

exit codes: 0 all properties hold (also when blocked by faults beyond tolerance), 1 a property was violated, 2 bad arguments

examples:
  mnm run register --seed 7 --crash m2@3 --trace a.jsonl
  mnm run pmp --n 3 --memories 3 --workload contention --hold 'p0 permission m2 until p2 note decide'
  mnm run --scenario examples/scenario-counter.js --faults crash --backend shm
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('run', args, {
      ...runOptionSpecs,
      trace: { type: 'string' },
      history: { type: 'string' },
      json: { type: 'boolean' },
    });
    const protocol = await protocolFrom('run', positionals, values.scenario);
    const options = runOptionsFrom(protocol, values);
    let resolved;
    try {
      resolved = resolveOptions(options);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    // Trace and history stream to their files as the run goes: a long run never holds their text.
    const traceFile = values.trace ? new FileOutput(values.trace) : undefined;
    const historyFile = values.history ? new FileOutput(values.history) : undefined;
    const progress = new RunProgress(io, resolved.n * resolved.ops, Boolean(values.json));
    const report = await runScenario(options, 'hash', {
      ...(traceFile ? { trace: (chunk: string) => traceFile.write(chunk) } : {}),
      onHistoryEvent: (event) => {
        historyFile?.write(historyLine(event));
        progress.heard(event);
      },
    });
    progress.done();
    traceFile?.close();
    historyFile?.close();
    if (values.json) io.stdout(JSON.stringify(runJson(report)) + '\n');
    else io.stdout(runSummary(report, values.trace));
    return report.ok ? exitCodes.ok : exitCodes.violated;
  },
};
