import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Fabric, Message, OperationValue, ProcessId, RegionSpec } from '../../fabric/index.js';
import { findScenario, resolveOptions, type ResolvedOptions } from '../../scenarios/index.js';
import { runShm } from '../../shm/runShm.js';
import { runTcp } from '../../tcp/runTcp.js';
import type { BenchSuite } from './suite.js';

/**
 * The real backends' verb costs, and the consensus decision latency on them.
 *
 * - Per backend (shm, tcp): latency of a 64-byte read, write and cas
 *   (p50/p99, each awaited before the next) and sequential verbs/s; on tcp
 *   also pipelined (16 in flight) verbs/s. Measured inside the process's own
 *   worker / OS process after a warm-up.
 * - Baseline measured in the same run: a bare Node TCP ping-pong of 64-byte
 *   messages between this process and a child echo server (Nagle off), so the
 *   tcp verb's p50 is reported as a ratio to it (target: within 1.5×).
 * - PMP vs message-passing Paxos: decision latency (stable leader p0,
 *   n = 3, 3 memories for PMP) from the attempt's start to its decision,
 *   over many single-decree instances decided in a row by one cluster (the
 *   first quarter, cold code, is dropped), as a ratio per backend.
 */
const verbBytes = 64;
const window = 16;

interface VerbFigures {
  readonly p50: number;
  readonly p99: number;
  readonly perSecond: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

function figures(samples: number[], seconds: number): VerbFigures {
  samples.sort((a, b) => a - b);
  return { p50: round(percentile(samples, 0.5)), p99: round(percentile(samples, 0.99)), perSecond: Math.round(samples.length / seconds) };
}

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
      results[name] = figures(samples, (clock() - started) / 1e6);
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

async function measureBackend(backend: 'shm' | 'tcp', count: number): Promise<Record<string, VerbFigures> & { pipelinedPerSecond: number | null }> {
  const config = {
    processCount: 1,
    memoryCount: 1,
    regions: [{ name: 'bench', size: 64, policy: 'open' as const }],
    body: { module: import.meta.url, export: 'verbBenchBody', args: { count, pipelined: backend === 'tcp' } },
    seed: 1,
    deadlineMilliseconds: 600_000,
  };
  const outcome = backend === 'shm' ? await runShm(config) : await runTcp(config);
  if (outcome.errors.length > 0 || outcome.end !== 'done') throw new Error(`bench ${backend}: ${outcome.errors[0]?.message ?? outcome.end}`);
  return outcome.results[0] as Record<string, VerbFigures> & { pipelinedPerSecond: number | null };
}

const echoServer = `
const net = require('node:net');
const server = net.createServer((socket) => { socket.setNoDelay(true); socket.on('data', (chunk) => socket.write(chunk)); });
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

/** A bare Node TCP ping-pong of 64-byte messages with a child echo server: sequential p50/p99 and pipelined messages/s. */
async function pingPong(count: number): Promise<{ p50: number; p99: number; perSecond: number; pipelinedPerSecond: number }> {
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
    const sequential = figures(samples, (clock() - started) / 1e6);
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

/**
 * One consensus instance's view of a process's fabric: regions `r` become
 * `r:i`, messages carry the instance number, and once the instance is
 * retired its timers and sends stop (its heartbeats would only add load).
 * This lets one cluster decide many single-decree instances in a row, so the
 * measured decisions run warm code, as a long-lived service would.
 */
function instanceFabric(fabric: Fabric, instance: number, inboxes: Map<number, Message[]>, handlers: Map<number, (message: Message) => void>, decided: number[]): Fabric & { retire(): void } {
  let retired = false;
  // Each instance sees its own clock from 0, as in a fresh run (Ω trusts p0 from the start of its instance).
  const start = fabric.now();
  const region = <T extends { region: string }>(address: T): T => ({ ...address, region: `${address.region}:${instance}` });
  const waiting: ((message: Message) => void)[] = [];
  const view: Fabric & { retire(): void } = {
    self: fabric.self,
    processCount: fabric.processCount,
    memoryCount: fabric.memoryCount,
    regions: fabric.regions.filter((spec) => spec.name.endsWith(`:${instance}`)).map((spec) => ({ ...spec, name: spec.name.slice(0, spec.name.lastIndexOf(':')) })),
    read: (address, length, options) => fabric.read(region(address), length, options),
    write: (address, data, options) => fabric.write(region(address), data, options),
    cas: (address, expected, desired, options) => fabric.cas(region(address), expected, desired, options),
    faa: (address, delta, options) => fabric.faa(region(address), delta, options),
    requestPermission: (target, access, options) => fabric.requestPermission(region(target), access, options),
    send(to, data) {
      if (retired) return;
      const tagged = new Uint8Array(data.length + 4);
      new DataView(tagged.buffer).setUint32(0, instance, true);
      tagged.set(data, 4);
      fabric.send(to, tagged);
    },
    onMessage(handler) {
      handlers.set(instance, handler);
      for (const message of inboxes.get(instance)?.splice(0) ?? []) handler(message);
    },
    receive() {
      const queued = inboxes.get(instance)?.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve) => waiting.push(resolve));
    },
    now: () => fabric.now() - start,
    clock: () => fabric.clock() - start,
    sleep: (duration) => fabric.sleep(duration),
    setTimer: (duration, callback) => fabric.setTimer(duration, () => (retired ? undefined : callback())),
    random: () => fabric.random(),
    history: fabric.history,
    note(kind: string, detail?: Readonly<Record<string, OperationValue>>) {
      if (kind === 'decide' && detail) decided.push(fabric.now() - start - Number(detail.started));
    },
    compute: (duration) => fabric.compute(duration),
    retire() {
      retired = true;
    },
  };
  // Messages for this instance that no handler takes wait for receive().
  handlers.set(instance, (message) => {
    const receiver = waiting.shift();
    if (receiver) receiver(message);
    else (inboxes.get(instance) ?? inboxes.set(instance, []).get(instance))?.push(message);
  });
  return view;
}

/** Runs `instances` single-decree decisions in a row in one cluster (p0 leads); p0 returns the decision latencies. */
export function consensusBenchBody(args: unknown, process: ProcessId): ((fabric: Fabric) => Promise<unknown>) | undefined {
  const { options, instances } = args as { options: ResolvedOptions; instances: number };
  const scenario = findScenario(options.protocol);
  if (!scenario) throw new Error(`unknown protocol '${options.protocol}'`);
  return async (fabric) => {
    const inboxes = new Map<number, Message[]>();
    const handlers = new Map<number, (message: Message) => void>();
    fabric.onMessage((message) => {
      const instance = new DataView(message.data.buffer, message.data.byteOffset, 4).getUint32(0, true);
      const inner = { from: message.from, data: message.data.subarray(4) };
      const handler = handlers.get(instance);
      if (handler) handler(inner);
      else (inboxes.get(instance) ?? inboxes.set(instance, []).get(instance))?.push(inner);
    });
    const decided: number[] = [];
    for (let instance = 0; instance < instances; instance++) {
      const view = instanceFabric(fabric, instance, inboxes, handlers, decided);
      const body = scenario.body(options, process);
      if (body) await body(view);
      view.retire();
      // Let every process reach the next instance before p0 proposes again (not measured).
      await fabric.sleep(20);
    }
    return process === 0 ? decided : null;
  };
}

/** Median decision latency (µs) of `protocol` on `backend`, over warm instances in one cluster. */
async function decisionLatency(protocol: 'paxos' | 'pmp', backend: 'shm' | 'tcp', instances: number): Promise<{ median: number; p90: number; decisions: number }> {
  const options = resolveOptions({ protocol, seed: 1, latency: 'unit', faults: 'none', workload: 'stable', backend });
  const scenario = findScenario(protocol);
  if (!scenario) throw new Error(`unknown protocol '${protocol}'`);
  const regions: RegionSpec[] = Array.from({ length: instances }, (_, instance) => scenario.regions(options).map((spec) => ({ ...spec, name: `${spec.name}:${instance}` }))).flat();
  const unit = backend === 'shm' ? 250 : 500;
  const config = {
    processCount: options.n,
    memoryCount: options.memories,
    regions,
    body: { module: import.meta.url, export: 'consensusBenchBody', args: { options, instances } },
    seed: 1,
    unitMicroseconds: unit,
    deadlineMilliseconds: 600_000,
  };
  const outcome = backend === 'shm' ? await runShm(config) : await runTcp(config);
  if (outcome.errors.length > 0 || outcome.end !== 'done') throw new Error(`bench: ${protocol} on ${backend}: ${outcome.errors[0]?.message ?? outcome.end}`);
  // The first decisions run cold code; measure the warm ones.
  const warm = (outcome.results[0] as number[]).slice(Math.floor(instances / 4)).map((latency) => latency * unit);
  warm.sort((a, b) => a - b);
  return { median: round(percentile(warm, 0.5)), p90: round(percentile(warm, 0.9)), decisions: warm.length };
}

export const backendsBench: BenchSuite = {
  name: 'backends',
  summary: 'shm and tcp: 64-byte read/write/cas p50/p99 and verbs/s (tcp pipelined), vs a bare TCP ping-pong; PMP vs Paxos decision latency',
  async run(options, io) {
    const count = options.quick ? 2000 : 20_000;
    const instances = options.quick ? 20 : 100;
    const progress = (text: string) => (options.quiet ? undefined : io.stderr(`  ${text}\n`));
    progress('tcp ping-pong baseline');
    const baseline = await pingPong(count);
    progress('shm verbs');
    const shm = await measureBackend('shm', count);
    progress('tcp verbs');
    const tcp = await measureBackend('tcp', count);
    const consensus: Record<string, Record<string, unknown>> = {};
    for (const backend of ['shm', 'tcp'] as const) {
      progress(`consensus on ${backend}`);
      const paxos = await decisionLatency('paxos', backend, instances);
      const pmp = await decisionLatency('pmp', backend, instances);
      consensus[backend] = { paxos, pmp, pmpVsPaxosMedian: round(pmp.median / paxos.median) };
    }
    const tcpVsPingPong = round(tcp.read.p50 / baseline.p50);
    return {
      verbBytes,
      samplesPerVerb: count,
      baseline: { tcpPingPong: baseline },
      shm,
      tcp,
      ratios: {
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
      consensus: { instancesPerCluster: instances, ...consensus },
    };
  },
  summarize(result) {
    const line = (name: string, figures: VerbFigures) => `    ${name.padEnd(6)} p50 ${fmt(figures.p50)} µs   p99 ${fmt(figures.p99)} µs   ${figures.perSecond.toLocaleString('en-US').padStart(10)} verbs/s`;
    const shm = result.shm as Record<string, VerbFigures>;
    const tcp = result.tcp as Record<string, VerbFigures> & { pipelinedPerSecond: number };
    const baseline = (result.baseline as { tcpPingPong: VerbFigures & { pipelinedPerSecond: number } }).tcpPingPong;
    const ratios = result.ratios as Record<string, number>;
    const targets = result.targets as Record<string, boolean>;
    const consensus = result.consensus as Record<string, { paxos: { median: number; p90: number; decisions: number }; pmp: { median: number; p90: number }; pmpVsPaxosMedian: number }> & { instancesPerCluster: number };
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
      `    pipelined writes (${window} in flight): ${tcp.pipelinedPerSecond.toLocaleString('en-US')} verbs/s`,
      `  baseline: bare Node TCP ping-pong, 64 bytes: p50 ${baseline.p50} µs, p99 ${baseline.p99} µs, ${baseline.perSecond.toLocaleString('en-US')} msg/s; pipelined ${baseline.pipelinedPerSecond.toLocaleString('en-US')} msg/s`,
      `  tcp verb p50 / ping-pong p50: read ${ratios.tcpReadP50VsPingPong}x, write ${ratios.tcpWriteP50VsPingPong}x, cas ${ratios.tcpCasP50VsPingPong}x  ${targets.tcpVerbP50Within1_5xOfPingPong ? '(target 1.5x met)' : '(target 1.5x NOT met)'}`,
      `  tcp pipelined / ping-pong pipelined: ${ratios.tcpPipelinedVsPingPongPipelined}x`,
      `decision latency, stable leader p0, n = 3 (PMP: 3 memories), ${consensus.instancesPerCluster} decisions in a row per cluster, the last ${consensus.shm.paxos.decisions} measured (warm):`,
      ...(['shm', 'tcp'] as const).map((backend) => `  ${backend}: Paxos p50 ${consensus[backend].paxos.median} µs (p90 ${consensus[backend].paxos.p90}), PMP p50 ${consensus[backend].pmp.median} µs (p90 ${consensus[backend].pmp.p90}); PMP/Paxos ${consensus[backend].pmpVsPaxosMedian}x`),
    ].join('\n');
  },
};

function fmt(value: number): string {
  return String(value).padStart(8);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
