import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Fabric, ProcessId, RegionSpec } from '../../fabric/index.js';
import type { RealRunConfig } from '../../realtime/realRun.js';
import { findScenario, resolveOptions } from '../../scenarios/index.js';
import { realDelayMicroseconds } from '../../scenarios/realRunner.js';
import { runShm } from '../../shm/runShm.js';
import { runTcp } from '../../tcp/runTcp.js';
import { instanceRegion, type InstanceArgs, type InstanceResult } from './instanceDecisions.js';
import { atLeast, atMost, latencyFigures, round, timesFloor, type LatencyFigures, type TargetVerdict } from './latencyFigures.js';
import { loadLogTarget, logBenchRegions, type LogArgs, type LogResult, type LogTargetReference } from './logDecisions.js';
import { floorRegions, type FloorArgs, type FloorFigures } from './majorityWriteFloor.js';
import type { BenchSuite } from './suite.js';
import { backendsCharts } from './charts/backendsCharts.js';

/**
 * The real backends' costs, from the verb up to a decision, in one run.
 *
 * - Verbs, per backend (shm, tcp, and tcp over mutual TLS): latency of a 64-byte read, write and cas
 *   (p50/p99, each awaited before the next) and sequential verbs/s; on tcp
 *   also pipelined (16 in flight) verbs/s. Baseline: a bare Node TCP
 *   ping-pong of 64-byte messages with a child echo server (Nagle off); the
 *   tcp verb's p50 is reported as a ratio to it (target: within 1.5×), and
 *   the TLS verb's p50 as a ratio to the plain tcp verb's, from the same run.
 * - The floor, per backend: one 64-byte slot write to 3 memories in
 *   parallel, complete when a majority (2) acknowledged — sequential p50/p99
 *   and the rate with 16 such writes in flight (majorityWriteFloor.ts).
 * - The message floor, per backend: a 64-byte message from p0 to the 2
 *   other processes, done at the first echo — a stable Multi-Paxos leader's
 *   round trip, to set next to the write floor (majorityEchoFloor.ts).
 * - Decisions, per backend, for PMP, Disk Paxos and Paxos (stable leader p0,
 *   n = 3, 3 memories): latency p50/p99 and rate one at a time, and the rate
 *   with 16 in flight, each as a multiple of the floor (× floor), and the
 *   PMP/Paxos ratio. A protocol with a replicated log in `logTargets` is
 *   measured by timing `append()` (logDecisions.ts); until then by
 *   single-decree instances in a row (instanceDecisions.ts). The reference
 *   `leader-write` log (the floor plus a log's plumbing, no protocol) shows
 *   what is left for the protocol.
 * - The issue's targets, printed met / NOT met with the numbers.
 */
const verbBytes = 64;
const window = 16;

type VerbFigures = LatencyFigures;

/** The body that measures verbs, run by p0 inside a worker or OS process of a real backend. */
export function verbBenchBody(args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  if (process !== 0) return undefined;
  const { count, pipelined } = args as { count: number; pipelined: boolean };
  return async (fabric) => {
    const address = { memory: 0, region: 'bench', offset: 0 };
    const data = new Uint8Array(verbBytes).fill(7);
    const verbs: Record<string, () => Promise<unknown>> = {
      read: () => fabric.read(address, verbBytes),
      write: () => fabric.write(address, data),
      cas: () => fabric.cas(address, 0n, 0n),
    };
    const clock = () => Number(globalThis.process.hrtime.bigint()) / 1000;
    const results: Record<string, VerbFigures> = {};
    for (const [name, verb] of Object.entries(verbs)) {
      for (let index = 0; index < Math.min(2000, count); index++) await verb();
      const samples: number[] = [];
      const started = clock();
      for (let index = 0; index < count; index++) {
        const before = clock();
        await verb();
        samples.push(clock() - before);
      }
      results[name] = latencyFigures(samples, (clock() - started) / 1e6);
    }
    let pipelinedPerSecond: number | null = null;
    if (pipelined) {
      const started = clock();
      let issued = 0;
      await Promise.all(
        Array.from({ length: window }, async () => {
          while (issued < count * 4) {
            issued++;
            await fabric.write(address, data);
          }
        }),
      );
      pipelinedPerSecond = Math.round((count * 4) / ((clock() - started) / 1e6));
    }
    return { ...results, pipelinedPerSecond };
  };
}

async function measureBackend(backend: 'shm' | 'tcp', count: number, tls = false): Promise<Record<string, VerbFigures> & { pipelinedPerSecond: number | null }> {
  const config = {
    processCount: 1,
    memoryCount: 1,
    regions: [{ name: 'bench', size: 64, policy: 'open' as const }],
    body: { module: import.meta.url, export: 'verbBenchBody', args: { count, pipelined: backend === 'tcp' } },
    seed: 1,
    deadlineMilliseconds: 600_000,
  };
  const outcome = backend === 'shm' ? await runShm(config) : await runTcp({ ...config, tls });
  if (outcome.errors.length > 0 || outcome.end !== 'done') throw new Error(`bench ${backend}${tls ? ' over tls' : ''}: ${outcome.errors[0]?.message ?? outcome.end}`);
  return outcome.results[0] as Record<string, VerbFigures> & { pipelinedPerSecond: number | null };
}

const echoServer = `
const net = require('node:net');
const server = net.createServer((socket) => { socket.setNoDelay(true); socket.on('data', (chunk) => socket.write(chunk)); });
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

/** A bare Node TCP ping-pong of 64-byte messages with a child echo server: sequential p50/p99 and pipelined messages/s. */
export async function pingPong(count: number): Promise<{ p50: number; p99: number; perSecond: number; pipelinedPerSecond: number }> {
  const child = spawn(process.execPath, ['-e', echoServer], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      child.once('exit', () => reject(new Error('bench: the echo server exited')));
    });
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let received = 0;
    let waiting: (() => void) | undefined;
    let target = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (waiting && received >= target) {
        const done = waiting;
        waiting = undefined;
        done();
      }
    });
    const until = (bytes: number) => new Promise<void>((resolve) => (received >= bytes ? resolve() : ((target = bytes), (waiting = resolve))));
    const message = Buffer.alloc(verbBytes, 7);
    const clock = () => Number(process.hrtime.bigint()) / 1000;
    let sent = 0;
    for (let index = 0; index < Math.min(2000, count); index++) {
      socket.write(message);
      sent += verbBytes;
      await until(sent);
    }
    const samples: number[] = [];
    const started = clock();
    for (let index = 0; index < count; index++) {
      const before = clock();
      socket.write(message);
      sent += verbBytes;
      await until(sent);
      samples.push(clock() - before);
    }
    const sequential = latencyFigures(samples, (clock() - started) / 1e6);
    // Pipelined: keep `window` messages in flight, each batch in one write.
    const pipelinedStart = clock();
    const total = count * 4;
    const batch = Buffer.concat(Array.from({ length: window }, () => message));
    for (let done = 0; done < total; done += window) {
      socket.write(batch);
      sent += batch.length;
      await until(sent);
    }
    const pipelinedPerSecond = Math.round(total / ((clock() - pipelinedStart) / 1e6));
    socket.destroy();
    return { ...sequential, pipelinedPerSecond };
  } finally {
    child.kill('SIGKILL');
  }
}

/** A body's run on one backend, failing loudly: a bench that measured a broken run would print noise as numbers. */
async function runOn(backend: Backend, config: RealRunConfig, what: string): Promise<unknown> {
  const outcome = backend === 'shm' ? await runShm(config) : await runTcp(config);
  if (outcome.errors.length > 0 || outcome.end !== 'done') throw new Error(`bench: ${what} on ${backend}: ${outcome.errors[0]?.message ?? outcome.end}`);
  return outcome.results[0];
}

/** The floor on `backend`: majority writes to `floorMemories` memories, sequential and `window` in flight. */
export async function measureFloor(backend: Backend, count: number): Promise<FloorFigures> {
  const args: FloorArgs = { count, window };
  const config: RealRunConfig = { processCount: 1, memoryCount: floorMemories, regions: floorRegions(window), body: { module: new URL('./majorityWriteFloor.js', import.meta.url).href, export: 'floorBenchBody', args }, seed: 1, deadlineMilliseconds: 600_000 };
  return (await runOn(backend, config, 'the majority-write floor')) as FloorFigures;
}

/** Message-passing Paxos's floor on `backend`: a message to the 2 other processes, done at the first echo (majorityEchoFloor.ts). */
export async function measureEchoFloor(backend: Backend, count: number): Promise<FloorFigures> {
  const args: FloorArgs = { count, window };
  const config: RealRunConfig = { processCount: 3, memoryCount: 0, regions: [], body: { module: new URL('./majorityEchoFloor.js', import.meta.url).href, export: 'echoFloorBody', args }, seed: 1, deadlineMilliseconds: 600_000 };
  return (await runOn(backend, config, 'the message round-trip floor')) as FloorFigures;
}

/** How many decisions each protocol makes per phase. */
export interface DecisionCounts {
  /** Decisions before the measured ones, not measured: on tcp, code stays cold (JIT, CPU per decision 4× the warm figure) for hundreds of decisions. */
  readonly warmup: number;
  readonly sequential: number;
  readonly windowed: number;
}

/** A protocol's decisions on one backend, as latencies and rates, and as multiples of the floor. */
export interface DecisionFigures {
  /** `log`: `append()` on a replicated log; `instances`: single-decree instances in a row (until the logs exist). */
  readonly measured: 'log' | 'instances';
  readonly sequential: LatencyFigures;
  readonly windowed: LatencyFigures;
  readonly window: number;
  readonly p50TimesFloor: number;
  readonly p99TimesFloor: number;
  /** Windowed decisions/s as a percentage of the floor's pipelined majority writes/s. */
  readonly windowedPercentOfFloorPipelined: number;
}

function decisionFigures(measured: DecisionFigures['measured'], result: LogResult | InstanceResult, floor: FloorFigures): DecisionFigures {
  const sequential = latencyFigures(result.sequential, result.sequentialSeconds);
  const windowed = latencyFigures(result.windowed, result.windowedSeconds);
  return {
    measured,
    sequential,
    windowed,
    window,
    p50TimesFloor: timesFloor(sequential.p50, floor.sequential.p50),
    p99TimesFloor: timesFloor(sequential.p99, floor.sequential.p99),
    windowedPercentOfFloorPipelined: round((100 * windowed.perSecond) / floor.pipelinedPerSecond),
  };
}

/** Decisions of a replicated log named by `target` (p0 appends; see logDecisions.ts). */
export async function logDecisions(backend: Backend, reference: LogTargetReference, counts: DecisionCounts, floor: FloorFigures): Promise<DecisionFigures> {
  const target = await loadLogTarget(reference);
  const processCount = 3;
  const unitMicroseconds = realDelayMicroseconds[backend];
  const args: LogArgs = { target: reference, warmup: counts.warmup, sequential: counts.sequential, windowed: counts.windowed, window, valueBytes: 8, donePollEvery: Math.ceil(donePollMicroseconds / unitMicroseconds) };
  const config: RealRunConfig = {
    processCount,
    memoryCount: floorMemories,
    regions: logBenchRegions(target, processCount, floorMemories),
    body: { module: new URL('./logDecisions.js', import.meta.url).href, export: 'logDecisionsBody', args },
    seed: 1,
    unitMicroseconds,
    deadlineMilliseconds: 600_000,
  };
  return decisionFigures('log', (await runOn(backend, config, `the log '${target.name}'`)) as LogResult, floor);
}

/** Decisions of single-decree `protocol` instances in a row (stable leader p0, n = 3; 3 memories where it uses memories). */
export async function instanceDecisions(backend: Backend, protocol: ProtocolName, counts: DecisionCounts, floor: FloorFigures): Promise<DecisionFigures> {
  const options = resolveOptions({ protocol, seed: 1, latency: 'unit', faults: 'none', workload: 'stable', backend });
  const scenario = findScenario(protocol);
  if (!scenario) throw new Error(`unknown protocol '${protocol}'`);
  const instances = counts.warmup + counts.sequential + counts.windowed;
  const regions: RegionSpec[] = Array.from({ length: instances }, (_, instance) => scenario.regions(options).map((spec) => ({ ...spec, name: instanceRegion(spec.name, instance) }))).flat();
  const unitMicroseconds = realDelayMicroseconds[backend];
  const args: InstanceArgs = { options, warmup: counts.warmup, sequential: counts.sequential, windowed: counts.windowed, window, unitMicroseconds };
  const config: RealRunConfig = {
    processCount: options.n,
    memoryCount: options.memories,
    regions,
    body: { module: new URL('./instanceDecisions.js', import.meta.url).href, export: 'instanceDecisionsBody', args },
    seed: 1,
    unitMicroseconds,
    deadlineMilliseconds: 600_000,
  };
  return decisionFigures('instances', (await runOn(backend, config, `${protocol} instances`)) as InstanceResult, floor);
}

type Backend = 'shm' | 'tcp';
type ProtocolName = 'pmp' | 'disk-paxos' | 'paxos';
const protocols: readonly ProtocolName[] = ['pmp', 'disk-paxos', 'paxos'];
/** How often a log's followers look for p0's done flag (logDecisions.ts). */
const donePollMicroseconds = 20_000;
/** Memories of the floor and of every memory-based protocol measured against it. */
const floorMemories = 3;

/**
 * Where each protocol's replicated log is: once a log exists, name its
 * `LogBenchTarget` here and the bench times `append()` instead of
 * single-decree instances (e.g. `pmp: { module: new URL('../../protocols/…/benchTargets.js',
 * import.meta.url).href, export: 'protectedPaxosLogTarget' }`).
 */
const logTargets: Partial<Record<ProtocolName, LogTargetReference>> = {
  pmp: { module: new URL('./logTargets.js', import.meta.url).href, export: 'protectedPaxosLogTarget' },
  'disk-paxos': { module: new URL('./logTargets.js', import.meta.url).href, export: 'diskPaxosLogTarget' },
  paxos: { module: new URL('./logTargets.js', import.meta.url).href, export: 'multiPaxosLogTarget' },
};

/** The reference log: the floor plus a log's plumbing, no protocol (logDecisions.ts). */
export const leaderWriteReference: LogTargetReference = { module: new URL('./logDecisions.js', import.meta.url).href, export: 'leaderWriteLogTarget' };

/** The performance targets, judged on one run's numbers. */
export function decisionTargets(decisions: Record<Backend, Record<string, DecisionFigures>>): TargetVerdict[] {
  const shmPmp = decisions.shm.pmp;
  const tcpPmp = decisions.tcp.pmp;
  const what = (figures: DecisionFigures) => (figures.measured === 'log' ? 'PMP-log' : 'PMP (single-decree instances)');
  return [
    atMost(`shm: ${what(shmPmp)} decision p50`, shmPmp.p50TimesFloor, 3),
    atMost(`tcp: ${what(tcpPmp)} decision p50`, tcpPmp.p50TimesFloor, 2),
    atMost(`tcp: ${what(tcpPmp)} p50 / Paxos p50`, round(tcpPmp.sequential.p50 / decisions.tcp.paxos.sequential.p50), 1, 'x'),
    atLeast(`shm: ${what(shmPmp)} rate with ${window} appends in flight, of the pipelined floor`, shmPmp.windowedPercentOfFloorPipelined, 30),
  ];
}

export const backendsBench: BenchSuite = {
  name: 'backends',
  summary: 'shm and tcp: verbs vs a bare TCP ping-pong; the majority-write floor; PMP, Disk Paxos and Paxos decisions as multiples of the floor, and the targets',
  async run(options, io) {
    const count = options.quick ? 2000 : 20_000;
    // Quick still warms up 1500 decisions: after 400 (measured) a log's leader on tcp still ran cold code —
    // PMP-log p50 2-3x its figure after 1600 — so the quick run timed the JIT more than the protocol.
    const counts: DecisionCounts = options.quick ? { warmup: 1500, sequential: 200, windowed: 400 } : { warmup: 2000, sequential: 2000, windowed: 4000 };
    const progress = (text: string) => (options.quiet ? undefined : io.stderr(`  ${text}\n`));
    progress('tcp ping-pong baseline');
    const baseline = await pingPong(count);
    progress('shm verbs');
    const shm = await measureBackend('shm', count);
    progress('tcp verbs');
    const tcp = await measureBackend('tcp', count);
    progress('tcp verbs over mutual TLS');
    const tcpTls = await measureBackend('tcp', count, true);
    const floors = {} as Record<Backend, FloorFigures>;
    const echoFloors = {} as Record<Backend, FloorFigures>;
    const decisions = {} as Record<Backend, Record<string, DecisionFigures>>;
    const pmpVsPaxosP50 = {} as Record<Backend, number>;
    for (const backend of ['shm', 'tcp'] as const) {
      progress(`floor on ${backend}`);
      const floor = await measureFloor(backend, count);
      floors[backend] = floor;
      progress(`message round-trip floor on ${backend}`);
      echoFloors[backend] = await measureEchoFloor(backend, count);
      decisions[backend] = {};
      for (const protocol of protocols) {
        progress(`${protocol} decisions on ${backend}`);
        const reference = logTargets[protocol];
        decisions[backend][protocol] = reference ? await logDecisions(backend, reference, counts, floor) : await instanceDecisions(backend, protocol, counts, floor);
      }
      progress(`leader-write reference log on ${backend}`);
      decisions[backend]['leader-write'] = await logDecisions(backend, leaderWriteReference, counts, floor);
      pmpVsPaxosP50[backend] = round(decisions[backend].pmp.sequential.p50 / decisions[backend].paxos.sequential.p50);
    }
    const tcpVsPingPong = round(tcp.read.p50 / baseline.p50);
    const targets = decisionTargets(decisions);
    return {
      verbBytes,
      samplesPerVerb: count,
      baseline: { tcpPingPong: baseline },
      shm,
      tcp,
      tcpTls,
      ratios: {
        tcpTlsReadP50VsTcp: round(tcpTls.read.p50 / tcp.read.p50),
        tcpTlsWriteP50VsTcp: round(tcpTls.write.p50 / tcp.write.p50),
        tcpTlsCasP50VsTcp: round(tcpTls.cas.p50 / tcp.cas.p50),
        tcpTlsPipelinedVsTcp: tcp.pipelinedPerSecond && tcpTls.pipelinedPerSecond ? round(tcpTls.pipelinedPerSecond / tcp.pipelinedPerSecond) : null,
        tcpReadP50VsPingPong: tcpVsPingPong,
        tcpWriteP50VsPingPong: round(tcp.write.p50 / baseline.p50),
        tcpCasP50VsPingPong: round(tcp.cas.p50 / baseline.p50),
        tcpPipelinedVsPingPongPipelined: tcp.pipelinedPerSecond ? round(tcp.pipelinedPerSecond / baseline.pipelinedPerSecond) : null,
        shmReadP50VsTcpReadP50: round(shm.read.p50 / tcp.read.p50),
      },
      targets: {
        shmReadWriteP50UnderOneMicrosecond: shm.read.p50 < 1 && shm.write.p50 < 1,
        tcpVerbP50Within1_5xOfPingPong: tcpVsPingPong <= 1.5,
      },
      floor: floors,
      messageFloor: echoFloors,
      decisions: { ...counts, window, byBackend: decisions, pmpVsPaxosP50 },
      decisionTargets: targets,
    };
  },
  charts: backendsCharts,
  summarize(result) {
    const line = (name: string, figures: VerbFigures) => `    ${name.padEnd(6)} p50 ${fmt(figures.p50)} µs   p99 ${fmt(figures.p99)} µs   ${figures.perSecond.toLocaleString('en-US').padStart(10)} verbs/s`;
    const shm = result.shm as Record<string, VerbFigures>;
    const tcp = result.tcp as Record<string, VerbFigures> & { pipelinedPerSecond: number };
    const tcpTls = result.tcpTls as Record<string, VerbFigures> & { pipelinedPerSecond: number };
    const baseline = (result.baseline as { tcpPingPong: VerbFigures & { pipelinedPerSecond: number } }).tcpPingPong;
    const ratios = result.ratios as Record<string, number>;
    const targets = result.targets as Record<string, boolean>;
    const floors = result.floor as Record<Backend, FloorFigures>;
    const echoFloors = result.messageFloor as Record<Backend, FloorFigures>;
    const decisions = result.decisions as { warmup: number; sequential: number; windowed: number; window: number; byBackend: Record<Backend, Record<string, DecisionFigures>>; pmpVsPaxosP50: Record<Backend, number> };
    const verdicts = result.decisionTargets as TargetVerdict[];
    const rate = (value: number) => value.toLocaleString('en-US');
    const decisionLine = (name: string, figures: DecisionFigures) =>
      `    ${name.padEnd(13)} p50 ${fmt(figures.sequential.p50)} µs (${figures.p50TimesFloor}x)  p99 ${fmt(figures.sequential.p99)} µs (${figures.p99TimesFloor}x)  ${rate(figures.sequential.perSecond).padStart(8)}/s;  ${figures.window} in flight: ${rate(figures.windowed.perSecond).padStart(8)}/s (${figures.windowedPercentOfFloorPipelined}% of floor), p50 ${figures.windowed.p50} µs  [${figures.measured}]`;
    return [
      `64-byte verbs, each awaited (${result.samplesPerVerb} per verb after a warm-up):`,
      `  shm (worker threads + SharedArrayBuffer)  ${targets.shmReadWriteP50UnderOneMicrosecond ? '(target p50 < 1 µs met)' : '(target p50 < 1 µs NOT met)'}`,
      line('read', shm.read),
      line('write', shm.write),
      line('cas', shm.cas),
      `  tcp (memory node in its own OS process, loopback)`,
      line('read', tcp.read),
      line('write', tcp.write),
      line('cas', tcp.cas),
      `    pipelined writes (${window} in flight): ${rate(tcp.pipelinedPerSecond)} verbs/s`,
      `  tcp over mutual TLS 1.3 (the default between hosts; same run)`,
      line('read', tcpTls.read),
      line('write', tcpTls.write),
      line('cas', tcpTls.cas),
      `    pipelined writes (${window} in flight): ${rate(tcpTls.pipelinedPerSecond)} verbs/s`,
      `  tcp verb p50 with TLS / without: read ${ratios.tcpTlsReadP50VsTcp}x, write ${ratios.tcpTlsWriteP50VsTcp}x, cas ${ratios.tcpTlsCasP50VsTcp}x; pipelined ${ratios.tcpTlsPipelinedVsTcp}x the rate`,
      `  baseline: bare Node TCP ping-pong, 64 bytes: p50 ${baseline.p50} µs, p99 ${baseline.p99} µs, ${rate(baseline.perSecond)} msg/s; pipelined ${rate(baseline.pipelinedPerSecond)} msg/s`,
      `  tcp verb p50 / ping-pong p50: read ${ratios.tcpReadP50VsPingPong}x, write ${ratios.tcpWriteP50VsPingPong}x, cas ${ratios.tcpCasP50VsPingPong}x  ${targets.tcpVerbP50Within1_5xOfPingPong ? '(target 1.5x met)' : '(target 1.5x NOT met)'}`,
      `  tcp pipelined / ping-pong pipelined: ${ratios.tcpPipelinedVsPingPongPipelined}x`,
      `floor: a ${verbBytes}-byte slot write to ${floorMemories} memories in parallel, done at a majority (2):`,
      ...(['shm', 'tcp'] as const).map((backend) => `  ${backend}: p50 ${floors[backend].sequential.p50} µs, p99 ${floors[backend].sequential.p99} µs, ${rate(floors[backend].sequential.perSecond)}/s; ${floors[backend].window} in flight: ${rate(floors[backend].pipelinedPerSecond)}/s`),
      `message floor (Paxos's): a ${verbBytes}-byte message to the 2 other processes, done at the first echo (with the sender, a majority of 3):`,
      ...(['shm', 'tcp'] as const).map((backend) => `  ${backend}: p50 ${echoFloors[backend].sequential.p50} µs (${timesFloor(echoFloors[backend].sequential.p50, floors[backend].sequential.p50)}x the write floor), p99 ${echoFloors[backend].sequential.p99} µs, ${rate(echoFloors[backend].sequential.perSecond)}/s; ${echoFloors[backend].window} in flight: ${rate(echoFloors[backend].pipelinedPerSecond)}/s`),
      `decisions, stable leader p0, n = 3 (3 memories), ${decisions.sequential} one at a time then ${decisions.windowed} with ${decisions.window} in flight, after ${decisions.warmup} not measured; (Nx) = N x floor:`,
      ...(['shm', 'tcp'] as const).flatMap((backend) => [
        `  ${backend}:`,
        ...Object.entries(decisions.byBackend[backend]).map(([name, figures]) => decisionLine(name, figures)),
        `    PMP p50 / Paxos p50: ${decisions.pmpVsPaxosP50[backend]}x`,
      ]),
      'targets:',
      ...verdicts.map((verdict) => `  ${verdict.line}`),
    ].join('\n');
  },
};

function fmt(value: number): string {
  return String(value).padStart(8);
}
