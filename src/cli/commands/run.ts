import { resolveOptions, runScenario, scenarios } from '../../scenarios/index.js';
import { faultProfiles } from '../../sim/index.js';
import { parseCommandArgs, type Command } from '../command.js';
import { explanationText } from '../explain/explainRun.js';
import { checkOutputPath, standardStream, writeOutput } from '../fileArguments.js';
import { outputStream } from '../fileOutput.js';
import { historyLine } from '../history.js';
import { journalTraceText } from '../journalTrace.js';
import { RunProgress } from '../runProgress.js';
import { runJson, runSummary, sizingOf } from '../report.js';
import { isReplayable, protocolFrom, runOptionSpecs, runOptionsFrom } from '../runArgs.js';
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
  --memories K        number of memories (protocol default; mu: one per replica, = n)
  --latency MODEL     unit | rdma | lan | uniform:MIN:MAX | tail:BASE:SLOW:P  (default unit: every one-way delay = 1)
  --faults PROFILE    ${faultProfiles.join(' | ')}: faults drawn by seed within the protocol's tolerance (default none)
  --crash LIST        explicit crashes, e.g. m1@5,p2,p0@3!,h1@7 (memory m1 at time 5, process p2 at 0,
                      p0 at 3 mid-write: some of its verbs in flight never arrive; host h1 = p1 and m1
                      together at 7); repeatable
  --pause LIST        explicit pauses, e.g. p0@10+50 (p0 pauses at 10 for 50); repeatable; or at a
                      note: p0@note:bft-decide#2+600 (p0 pauses for 600 at its 2nd decision)
  --horizon T         virtual-time limit of the run (protocol default)
  --ops N             operations per client process (protocol default)
  --mutant NAME       run a deliberately broken variant (mnm mutants lists them)
  --workload NAME     a protocol's workload (consensus: stable | contention | storm | mixed)
  --log NAME          the replicated log under a store (kv-log: multi-paxos | pmp-log | disk-paxos-log | mu)
  --slots N           slots of a bounded log (mu, kv-log --log mu): a small log wraps around often,
                      recycling slots and catching lagging replicas up with snapshots (default: no wrap)
  --tear FRACTION     the simulator's tear window: a multi-word write's words land within this
                      fraction (0..1] of its completion delay (default: 0.9 of the shortest delay)
  --skew T            clock skew: each process's clock() is offset by a draw within ±T time units
                      (--faults clocks: 10 mean delays unless given)
  --drift PPM         clock drift: each process's clock runs at a rate within 1 ± PPM/10^6
                      (--faults clocks: 100 unless given); honoured on shm and tcp too
  --hold SCRIPT       a scripted schedule: hold an event until another happened, e.g.
                      'p0 permission m2 until p2 note decide' (docs/schedules.md); repeatable
  --schedule NAME     bft: run one of the spec's scripted §6 interleavings (named by the mutant it
                      breaks; mnm mutants lists them) on correct code, or with --mutant on a mutant
                      (simulator only; its pauses and holds are added unless given)
  --clients C         mu (KV workloads): clients on the replicas, 1..n (client c on replica c, the others
                      only serve; default n). SWARM scenarios (abd, max-register, dm-abd, raw, ...): the
                      clients, one per process (= --n C; with --f F the memories are 2F+1)
  --contention LEVEL  SWARM scenarios: low (workload uniform: think times between operations) | high
                      (workload contention: every client at once, no think time)
  --value-bytes B     SWARM scenarios with byte values (abd, dm-abd, raw, ...): the value size, a multiple of
                      8 from 16 (default 16)
  --window W          mu: the leader's window, log entries in flight (default: 4 for KV workloads, the
                      clients' appends in flight for log workloads)
  --crash-leader-at T mu: crash the host of whoever leads at time T (resolved at T from the run's own
                      notes on the simulator; on shm/tcp aimed at the predicted leader: the lowest-id
                      replica not crashed before T)
  --pause-leader-at T --for D
                      mu: pause whoever leads at T for D time units (simulator only)
  --f F               faults tolerated, for protocols sized by f
  --adversary LIST    Byzantine strategies (broadcast protocols)
  --backend B         sim (default) | shm (worker threads, shared memory) | tcp (OS processes, memory nodes)
  --scenario FILE     run your own scenario: an ES module whose default export (or export 'scenario')
                      is a Scenario (docs/cli.md, examples/scenario-counter.js)
  --trace FILE        write the trace (JSON lines, docs/trace.md); - for stdout (the summary then goes to
                      stderr). On shm and tcp: the operation journal, wall-clock times, not replayable
  --history FILE      write the application operations in the checker's history format; - for stdout
  --explain           for a violation, the trace events leading to it, in words (simulator runs)
  --json              print one JSON object: protocol, seed, ok, violations, blocked, metrics, traceHash,
                      replay, mnmVersion, traceVersion, ... (mu: metrics.commit {p50, p99}, metrics.throughput,
                      metrics.failover {p50, max, trials, detection, permissionSwitch, catchUp} or null,
                      linearizable true | false | null; SWARM scenarios: linearizable (not max-register: its
                      three properties are its violations), details.roundTrips {read, write | get, put:
                      {count, p50, p99, max, oneRoundTrip}} — round trips per operation and the share on the
                      fast path)

Output paths are checked before the run starts.

exit codes: 0 all properties hold (also when blocked by faults beyond tolerance), 1 a property was violated,
            2 bad arguments or a file that cannot be written, 3 the linearizability check was undecided
            or the run ended for sizing (bft: --json's sizing names stream-full or snapshot-full)
            (protocols that report \`linearizable\`: mu, abd, dm-abd, dm-abd-out-of-place,
            safe-guess, swarm-kv)

examples:
  mnm run register --seed 7 --crash m2@3 --trace a.jsonl
  mnm run pmp --n 3 --memories 3 --workload contention --hold 'p0 permission m2 until p2 note decide'
  mnm run bft --schedule fast-f+1 --mutant fast-f+1 --trace fast.jsonl   (§6's interleaving; mnm view fast.jsonl)
  mnm run --scenario examples/scenario-counter.js --faults crash --backend shm
  mnm run mu --n 5 --ops 20 --clients 3 --window 8 --crash-leader-at 40 --json
  mnm run mu --pause-leader-at 30 --for 200 --faults pause
  mnm run dm-abd --clients 4 --f 1 --contention high --value-bytes 64 --skew 10 --drift 1000 --json
  mnm run raw --clients 4 --backend tcp    (the unreplicated store: the latency floor of the SWARM family)
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('run', args, {
      ...runOptionSpecs,
      trace: { type: 'string' },
      history: { type: 'string' },
      explain: { type: 'boolean' },
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
    const outputs = checkedOutputs(values);
    // On the simulator the trace and history stream to their files as the run goes: a long run never
    // holds their text. --explain reads the whole trace, and a real backend's trace is its journal: both at the end.
    const streaming = resolved.backend === undefined && !values.explain;
    const traceStream = streaming && values.trace !== undefined ? outputStream('trace', values.trace, io) : undefined;
    const historyStream = values.history !== undefined ? outputStream('history', values.history, io) : undefined;
    const progress = new RunProgress(io, resolved.n * resolved.ops, Boolean(values.json));
    const report = await runScenario(options, !streaming && (values.trace !== undefined || values.explain) ? 'full' : 'hash', {
      ...(traceStream ? { trace: (chunk: string) => traceStream.write(chunk) } : {}),
      onHistoryEvent: (event) => {
        historyStream?.write(historyLine(event));
        progress.heard(event);
      },
    });
    progress.done();
    traceStream?.close();
    historyStream?.close();
    // A real backend has no simulator trace; its trace is the operation journal (journalTrace.ts).
    if (values.trace !== undefined && !traceStream) writeOutput('trace', values.trace, isReplayable(report.params) ? (report.trace ?? '') : journalTraceText(report), io);
    // With a trace or history on stdout, the summary must not mix into it.
    const summaryOut = outputs.stdoutTaken ? io.stderr : io.stdout;
    if (values.json) summaryOut(JSON.stringify(runJson(report)) + '\n');
    else {
      summaryOut(runSummary(report, values.trace === standardStream ? undefined : values.trace) + (values.explain ? explanationText(report) : ''));
      if (values.trace !== undefined && !isReplayable(report.params)) {
        summaryOut(`trace:     the operation journal (${report.history.length} events, wall-clock times; not replayable) written to ${values.trace === standardStream ? 'stdout' : values.trace}\n`);
      }
    }
    if (!report.ok) return exitCodes.violated;
    // A run ended for sizing (stream-full, snapshot-full) decided nothing about liveness: exit 3, like an undecided check.
    if (sizingOf(report)) return exitCodes.undecided;
    // A scenario that gives a linearizability verdict and could not decide it: neither pass nor fail.
    return report.linearizable === null ? exitCodes.undecided : exitCodes.ok;
  },
};

/**
 * Checks `--trace` and `--history` before the run: each a writable path or
 * `-` (stdout), and at most one of them on stdout. Whether stdout carries
 * one decides where the summary goes.
 */
function checkedOutputs(values: { trace?: string; history?: string }): { stdoutTaken: boolean } {
  if (values.trace !== undefined) checkOutputPath('trace', values.trace);
  if (values.history !== undefined) checkOutputPath('history', values.history);
  if (values.trace === standardStream && values.history === standardStream) {
    throw new UsageError('--trace - and --history - would both write to stdout (accepted: - for one of them and a file for the other)');
  }
  return { stdoutTaken: values.trace === standardStream || values.history === standardStream };
}
