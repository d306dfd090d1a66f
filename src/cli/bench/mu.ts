import type { NoteEvent } from '../../fabric/fabric.js';
import type { RealRunConfig, RealRunResult } from '../../realtime/realRun.js';
import { detectionThreshold, muLoadTolerantDetectors, type MuRealTimeDetector } from '../../protocols/consensus/mu/muTiming.js';
import { realDelayMicroseconds } from '../../scenarios/realRunner.js';
import { runShm } from '../../shm/runShm.js';
import { verbFloorRun } from './verbFloorRun.js';
import { runTcp } from '../../tcp/runTcp.js';
import { logDecisions, measureFloor, pingPong } from './backends.js';
import { atLeast, atMost, latencyFigures, percentile, round, type LatencyFigures, type TargetVerdict } from './latencyFigures.js';
import { muBenchRegions, muTimingOf, type MuBenchArgs, type MuCommitResult } from './muBodies.js';
import type { BenchSuite } from './suite.js';
import { muCharts } from './charts/muCharts.js';

/**
 * `mnm bench mu`: Mu (specs/mu.md) on the real backends, in one run, as
 * ratios to baselines measured in the same run (docs/mu.md, "Performance").
 *
 * - shm: the leader-side commit p50 (p0's `append()`) vs the p50 of one
 *   64-byte write verb (target ≤ 2×); Multi-Paxos's p50 (a thread wake-up
 *   per message) over Mu's (target ≥ 5×); the rate with 16 appends in
 *   flight as a fraction of pipelined write verbs.
 * - tcp, each replica's memory served by its own OS process
 *   (`colocatedMemories`): the commit p50 vs a bare TCP ping-pong p50
 *   (target ≤ 1.5×), and a client's put (p1 → leader p0 → followers → p1)
 *   vs the ping-pong (target ≤ 3×).
 * - fail-over per backend: p0 pauses (its thread blocks); from the pause to
 *   the first commit by the new leader, median over the trials, as a
 *   multiple of the configured detection threshold (target: ≤ 2× plus the
 *   catch-up), split into detection, permission switch and catch-up from
 *   the replicas' notes, next to Mu's published 873 µs.
 */
type Backend = 'shm' | 'tcp';
const window = 16;
const replicas = 3;
/** Mu's published fail-over median (OSDI 2020, pausing the leader, InfiniBand). */
const publishedFailoverMicroseconds = 873;

const bodyModule = new URL('./muBodies.js', import.meta.url).href;

function baseArgs(backend: Backend): Pick<MuBenchArgs, 'backend' | 'unitMicroseconds' | 'window'> {
  return { backend, unitMicroseconds: realDelayMicroseconds[backend], window };
}

async function run(backend: Backend, config: RealRunConfig, what: string): Promise<RealRunResult> {
  const outcome = backend === 'shm' ? await runShm(config) : await runTcp({ ...config, colocatedMemories: true });
  if (outcome.errors.length > 0 || outcome.end !== 'done') throw new Error(`bench mu: ${what} on ${backend}: ${outcome.errors[0]?.message ?? outcome.end}`);
  return outcome;
}

function config(backend: Backend, args: MuBenchArgs, deadlineMilliseconds: number): RealRunConfig {
  return { processCount: replicas, memoryCount: replicas, regions: muBenchRegions(args.slots, replicas), body: { module: bodyModule, export: 'muBenchBody', args }, seed: 1, unitMicroseconds: args.unitMicroseconds, deadlineMilliseconds };
}

interface CommitFigures {
  readonly sequential: LatencyFigures;
  readonly windowed: LatencyFigures;
  readonly puts: LatencyFigures;
  /** Elections during the run (`attempt` notes): 0 unless a replica was falsely suspected. */
  readonly elections: number;
}

/**
 * The detector of the commit runs: a 50 ms beat (150 ms threshold). A stable leader's commit does not
 * involve the detector, but on this 2-core machine, shared with other jobs (load average 5–10), threads
 * are descheduled for 10–130 ms (measured), so a sub-millisecond threshold suspects the leader falsely
 * several times a second, and each false suspicion is a leader change (and a whole-log read) in the
 * middle of the measurement. The fail-over trials use the backend's chosen detector.
 */
export const steadyDetector = { heartbeatMicroseconds: 50_000, readTimeoutMicroseconds: 100_000, reforwardMicroseconds: 100_000 } as const;

async function commits(backend: Backend, counts: { warmup: number; sequential: number; windowed: number; puts: number }): Promise<CommitFigures> {
  const args: MuBenchArgs = { ...baseArgs(backend), mode: 'commit', slots: counts.warmup + counts.sequential + counts.windowed + counts.puts + 64, ...counts, pauseAt: 0, pauseMilliseconds: 0, trail: 0, pace: 0, detector: steadyDetector };
  const outcome = await run(backend, config(backend, args, 600_000), 'Mu commits');
  const leader = outcome.results[0] as MuCommitResult;
  const client = outcome.results[1] as { puts: number[]; putsSeconds: number };
  return {
    sequential: latencyFigures(leader.sequential, leader.sequentialSeconds),
    windowed: latencyFigures(leader.windowed, leader.windowedSeconds),
    puts: latencyFigures(client.puts, client.putsSeconds),
    elections: outcome.notes.filter((note) => note.kind === 'attempt').length,
  };
}

/** One fail-over, from the notes: pause → the winner's attempt → its `leading` → its first `decide` (µs). */
export interface FailoverSplit {
  readonly total: number;
  readonly detection: number;
  readonly permissionSwitch: number;
  readonly catchUp: number;
}

/** The split of one trial's notes (pure), or undefined when no new leader committed. */
export function failoverSplit(notes: readonly NoteEvent[], unitMicroseconds: number): FailoverSplit | 'disturbed' | undefined {
  const pause = notes.find((note) => note.kind === 'pause');
  if (!pause) return undefined;
  // The paused process must be the leader at the pause: its last term started before it, and nobody tried to take over since
  // (a false suspicion before the pause may have left another replica leading, or an election under way).
  const before = notes.filter((note) => note.time < pause.time);
  const lastLeading = before.filter((note) => note.kind === 'leading').pop();
  if (!lastLeading || lastLeading.process !== pause.process) return 'disturbed';
  if (before.some((note) => note.time > lastLeading.time && (note.kind === 'attempt' || note.kind === 'deposed'))) return 'disturbed';
  const after = notes.filter((note) => note.time >= pause.time && note.process !== pause.process);
  const decide = after.find((note) => note.kind === 'decide');
  if (!decide) return undefined;
  const ballot = decide.detail?.ballot;
  const leading = after.find((note) => note.kind === 'leading' && note.process === decide.process && note.detail?.ballot === ballot);
  const attempt = after.find((note) => note.kind === 'attempt' && note.process === decide.process && note.detail?.ballot === ballot);
  if (!leading || !attempt) return undefined;
  const us = (from: number, to: number) => round((to - from) * unitMicroseconds);
  return { total: us(pause.time, decide.time), detection: us(pause.time, attempt.time), permissionSwitch: us(attempt.time, leading.time), catchUp: us(leading.time, decide.time) };
}

interface FailoverFigures {
  /** `chosen`: the backend's detector (muRealTimeDetectors); `load-tolerant`: muLoadTolerantDetectors. */
  readonly detector: 'chosen' | 'load-tolerant';
  readonly trials: number;
  /** Trials where no new leader committed before the run ended. */
  readonly failed: number;
  /** Trials discarded: a replica was falsely suspected before the pause (an election before it). */
  readonly disturbed: number;
  /** The configured detection threshold: 3 beats without a move (µs). */
  readonly thresholdMicroseconds: number;
  readonly heartbeatMicroseconds: number;
  readonly slots: number;
  /** Medians over the undisturbed trials (µs); null when every trial was disturbed or failed. */
  readonly median: FailoverSplit | null;
  readonly p90Total: number | null;
  readonly medianTimesThreshold: number | null;
  /** (median total − median catch-up) / threshold: the target's measure (≤ 2). */
  readonly withoutCatchUpTimesThreshold: number | null;
  readonly publishedMicroseconds: number;
}

function median(values: number[]): number {
  return round(percentile([...values].sort((a, b) => a - b), 0.5));
}

async function failovers(backend: Backend, trials: number, detector: FailoverFigures['detector']): Promise<FailoverFigures> {
  const unit = realDelayMicroseconds[backend];
  const override: Partial<MuRealTimeDetector> | undefined = detector === 'chosen' ? undefined : muLoadTolerantDetectors[backend];
  const timing = muTimingOf({ backend, unitMicroseconds: unit, detector: override });
  const thresholdMicroseconds = detectionThreshold(timing) * unit;
  const ms = (milliseconds: number) => (milliseconds * 1000) / unit;
  // Small: a new leader's prepare reads every slot of every log it is granted (muLog.ts), O(slots), though it
  // decodes only those it uses (it used to decode all: 2,048 slots then cost 50–150 ms of the switch here).
  const slots = 256;
  const args: MuBenchArgs = {
    ...baseArgs(backend),
    mode: 'failover',
    slots,
    warmup: 0,
    sequential: 0,
    windowed: 0,
    puts: 0,
    // Long enough for the replicas to warm up and settle; the pause outlasts the fail-over and the trail.
    pauseAt: ms(backend === 'shm' ? 150 : 500),
    pauseMilliseconds: backend === 'shm' ? 150 : 500,
    trail: ms(backend === 'shm' ? 100 : 300),
    // One append per replica every 5 ms: the 256 slots must not fill before the trail ends (no recycling yet).
    pace: ms(5),
    ...(override ? { detector: override } : {}),
  };
  const splits: FailoverSplit[] = [];
  let failed = 0;
  let disturbed = 0;
  for (let trial = 0; trial < trials; trial++) {
    const outcome = await run(backend, { ...config(backend, args, 120_000), seed: trial + 1 }, 'a Mu fail-over');
    const split = failoverSplit(outcome.notes, unit);
    if (split === 'disturbed') disturbed++;
    else if (split) splits.push(split);
    else failed++;
  }
  const medianSplit: FailoverSplit | null =
    splits.length === 0
      ? null
      : {
          total: median(splits.map((one) => one.total)),
          detection: median(splits.map((one) => one.detection)),
          permissionSwitch: median(splits.map((one) => one.permissionSwitch)),
          catchUp: median(splits.map((one) => one.catchUp)),
        };
  return {
    detector,
    trials,
    failed,
    disturbed,
    thresholdMicroseconds,
    heartbeatMicroseconds: timing.heartbeat * unit,
    slots,
    median: medianSplit,
    p90Total: splits.length === 0 ? null : round(percentile(splits.map((one) => one.total).sort((a, b) => a - b), 0.9)),
    medianTimesThreshold: medianSplit ? round(medianSplit.total / thresholdMicroseconds) : null,
    withoutCatchUpTimesThreshold: medianSplit ? round((medianSplit.total - medianSplit.catchUp) / thresholdMicroseconds) : null,
    publishedMicroseconds: publishedFailoverMicroseconds,
  };
}

/** p50 and pipelined rate of 64-byte write verbs on shm (verbBenchBody of the backends bench). */
async function shmWriteVerb(count: number): Promise<{ p50: number; p99: number; pipelinedPerSecond: number; percentiles?: readonly number[] }> {
  const figures = await verbFloorRun('shm', count, 'mu', true);
  return { p50: figures.write.p50, p99: figures.write.p99, pipelinedPerSecond: figures.pipelinedPerSecond ?? 0, percentiles: figures.write.percentiles };
}

type FailoverPair = Record<'chosen' | 'loadTolerant', FailoverFigures>;

/** A target that could not be measured (every trial disturbed): NOT met, with the reason. */
function unmeasured(name: string, why: string): TargetVerdict {
  return { name, met: false, line: `${name}: not measured (${why}) NOT met` };
}

export function muTargets(result: { shm: { commitP50VsWriteVerb: number; multiPaxosP50VsMu: number }; tcp: { commitP50VsPingPong: number; putP50VsPingPong: number }; failover: Record<Backend, FailoverPair> }): TargetVerdict[] {
  const failoverTarget = (backend: Backend, which: 'chosen' | 'loadTolerant') => {
    const figures = result.failover[backend][which];
    const name = `${backend}: fail-over median less catch-up / detection threshold (${figures.thresholdMicroseconds} µs, ${figures.detector})`;
    return figures.withoutCatchUpTimesThreshold === null ? unmeasured(name, `all ${figures.trials} trials disturbed or failed`) : atMost(name, figures.withoutCatchUpTimesThreshold, 2, 'x');
  };
  return [
    atMost('shm: Mu leader-side commit p50 / write verb p50', result.shm.commitP50VsWriteVerb, 2, 'x'),
    atLeast('shm: Multi-Paxos p50 / Mu commit p50', result.shm.multiPaxosP50VsMu, 5, 'x'),
    atMost('tcp: Mu leader-side commit p50 / TCP ping-pong p50', result.tcp.commitP50VsPingPong, 1.5, 'x'),
    atMost('tcp: client put p50 / TCP ping-pong p50', result.tcp.putP50VsPingPong, 3, 'x'),
    failoverTarget('shm', 'chosen'),
    failoverTarget('tcp', 'chosen'),
    failoverTarget('shm', 'loadTolerant'),
    failoverTarget('tcp', 'loadTolerant'),
  ];
}

export const muBench: BenchSuite = {
  name: 'mu',
  summary: 'Mu on shm and tcp: commit vs a write verb / TCP ping-pong, vs Multi-Paxos, a client put, fail-over vs the detection threshold',
  async run(options, io) {
    const progress = (text: string) => (options.quiet ? undefined : io.stderr(`  ${text}\n`));
    const verbCount = options.quick ? 2000 : 20_000;
    const counts = options.quick ? { warmup: 1500, sequential: 200, windowed: 400, puts: 200 } : { warmup: 2000, sequential: 2000, windowed: 4000, puts: 2000 };
    const trials = options.quick ? 5 : 20;
    progress('shm: write verbs');
    const verb = await shmWriteVerb(verbCount);
    progress('shm: Mu commits');
    const shmMu = await commits('shm', counts);
    progress('shm: Multi-Paxos (the floor for its ratios, then its log)');
    const floor = await measureFloor('shm', verbCount);
    const paxos = await logDecisions('shm', { module: new URL('./logTargets.js', import.meta.url).href, export: 'multiPaxosLogTarget' }, { warmup: counts.warmup, sequential: counts.sequential, windowed: counts.windowed }, floor);
    progress('tcp: ping-pong baseline');
    const ping = await pingPong(verbCount);
    progress('tcp: Mu commits and client puts (co-located memories)');
    const tcpMu = await commits('tcp', counts);
    const failover = {} as Record<Backend, FailoverPair>;
    for (const backend of ['shm', 'tcp'] as const) {
      progress(`${backend}: ${trials} fail-overs with the chosen detector, ${trials} with the load-tolerant one`);
      failover[backend] = { chosen: await failovers(backend, trials, 'chosen'), loadTolerant: await failovers(backend, trials, 'load-tolerant') };
    }
    const shm = {
      writeVerb: verb,
      mu: shmMu,
      multiPaxos: { sequential: paxos.sequential, windowed: paxos.windowed },
      commitP50VsWriteVerb: round(shmMu.sequential.p50 / verb.p50),
      /** The majority-write floor (majorityWriteFloor.ts): 3 writes, done at 2 — what one commit must at least cost. */
      majorityWrite: floor.sequential,
      commitP50VsMajorityWrite: round(shmMu.sequential.p50 / floor.sequential.p50),
      multiPaxosP50VsMu: round(paxos.sequential.p50 / shmMu.sequential.p50),
      windowedVsPipelinedWrites: round(shmMu.windowed.perSecond / verb.pipelinedPerSecond),
    };
    const tcp = {
      pingPong: ping,
      mu: tcpMu,
      commitP50VsPingPong: round(tcpMu.sequential.p50 / ping.p50),
      putP50VsPingPong: round(tcpMu.puts.p50 / ping.p50),
      memories: 'co-located: each replica\'s memory is served by its own OS process (runTcp colocatedMemories) — the honest stand-in, over TCP, for an RDMA NIC serving the memory without the host CPU',
    };
    const result = { replicas, window, counts, trials, shm, tcp, failover };
    return { ...result, targets: muTargets(result) };
  },
  charts: muCharts,
  summarize(result) {
    const shm = result.shm as { writeVerb: { p50: number; pipelinedPerSecond: number }; majorityWrite: LatencyFigures; commitP50VsMajorityWrite: number; mu: CommitFigures; multiPaxos: { sequential: LatencyFigures }; commitP50VsWriteVerb: number; multiPaxosP50VsMu: number; windowedVsPipelinedWrites: number };
    const tcp = result.tcp as { pingPong: { p50: number }; mu: CommitFigures; commitP50VsPingPong: number; putP50VsPingPong: number; memories: string };
    const failover = result.failover as Record<Backend, FailoverPair>;
    const targets = result.targets as TargetVerdict[];
    const rate = (value: number) => value.toLocaleString('en-US');
    const lat = (figures: LatencyFigures) => `p50 ${figures.p50} µs, p99 ${figures.p99} µs`;
    return [
      `Mu, ${replicas} replicas (replica i = process pi, its log in memory mi), 8-byte values, ${window} in flight for the rate:`,
      `  shm (worker threads + SharedArrayBuffer):`,
      `    write verb (64 B):        p50 ${shm.writeVerb.p50} µs; pipelined ${rate(shm.writeVerb.pipelinedPerSecond)}/s`,
      `    majority write (3, at 2): p50 ${shm.majorityWrite.p50} µs`,
      `    Mu leader-side commit:    ${lat(shm.mu.sequential)} = ${shm.commitP50VsWriteVerb}x the write verb, ${shm.commitP50VsMajorityWrite}x the majority write`,
      `    Multi-Paxos (messages):   ${lat(shm.multiPaxos.sequential)} = ${shm.multiPaxosP50VsMu}x Mu`,
      `    Mu, ${window} in flight:        ${rate(shm.mu.windowed.perSecond)}/s = ${shm.windowedVsPipelinedWrites} of the pipelined write verbs`,
      `    elections during the run: ${shm.mu.elections} (commit runs use a ${steadyDetector.heartbeatMicroseconds / 1000} ms beat: see steadyDetector)`,
      `  tcp (${tcp.memories}):`,
      `    TCP ping-pong (64 B):     p50 ${tcp.pingPong.p50} µs`,
      `    Mu leader-side commit:    ${lat(tcp.mu.sequential)} = ${tcp.commitP50VsPingPong}x the ping-pong`,
      `    client put (p1 -> p0):    ${lat(tcp.mu.puts)} = ${tcp.putP50VsPingPong}x the ping-pong`,
      `    Mu, ${window} in flight:        ${rate(tcp.mu.windowed.perSecond)}/s; elections during the run: ${tcp.mu.elections}`,
      `fail-over: the leader's thread pauses; pause -> first commit by the new leader, median of ${result.trials} trials (Mu published ${publishedFailoverMicroseconds} µs on InfiniBand):`,
      ...(['shm', 'tcp'] as const).flatMap((backend) =>
        (['chosen', 'loadTolerant'] as const).map((which) => {
          const f = failover[backend][which];
          const head = `  ${backend}, ${f.detector} detector (beat ${f.heartbeatMicroseconds} µs, threshold ${f.thresholdMicroseconds} µs):`;
          const tail = `of ${f.trials} trials, ${f.disturbed} discarded (a false suspicion before the pause), ${f.failed} without a new leader's commit`;
          if (!f.median) return `${head} no undisturbed trial; ${tail}`;
          return `${head} ${f.median.total} µs (p90 ${f.p90Total} µs) = ${f.medianTimesThreshold}x the threshold; detection ${f.median.detection} µs, permission switch ${f.median.permissionSwitch} µs (reads the ${f.slots}-slot log), catch-up ${f.median.catchUp} µs; ${tail}`;
        }),
      ),
      'targets:',
      ...targets.map((verdict) => `  ${verdict.line}`),
    ].join('\n');
  },
};

