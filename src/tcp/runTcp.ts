import type { RealRunConfig, RealRunResult } from '../realtime/realRun.js';
export type { CrashFault, RealRunResult } from '../realtime/realRun.js';
import { fork, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { validateRegionSpec, type MemoryId, type ProcessId } from '../fabric/index.js';
import { crashedBy, describeFault, realBackendFaults, type CrashFault } from '../fabric/faults.js';
import type { ServerLimits } from './authenticatedServer.js';
import { generateKeyPair } from './identity.js';
import { isLoopback } from './tlsCredentials.js';
import type { MemoryNodeCommand } from './memoryNodeMain.js';
import { mergeJournals, type JournalRecord } from '../realtime/operationJournal.js';
import type { ProcessCommand, ProcessReport } from './processMain.js';

/** A run over TCP: the real-run config plus where the nodes listen and the servers' limits. */
export interface TcpRunConfig extends RealRunConfig {
  /** Interface every node listens on (default 127.0.0.1). */
  readonly host?: string;
  readonly limits?: ServerLimits;
  /** Mutual TLS on every connection (docs/wire.md); default: on unless `host` is loopback. */
  readonly tls?: boolean;
  /**
   * Co-located hosts: memory mI is served inside process pI's OS process (by
   * its event loop), for every I below both counts; other memories keep
   * their own nodes. Mu's replica keeps its log in its own host's memory: an
   * RDMA NIC serves that memory without the host's CPU, and over TCP the
   * honest equivalent is the replica's own event loop — so a busy or paused
   * replica serves its memory late, and a crash takes both (docs/backends.md).
   */
  readonly colocatedMemories?: boolean;
}

/**
 * With co-located memories, pI and mI share one OS process: a fault that
 * crashes only one of them cannot be injected. Returns what is wrong with
 * `fault`, naming the host crash to use instead, or undefined.
 */
export function colocatedFaultProblem(fault: CrashFault, processCount: number, memoryCount: number): string | undefined {
  const shared = (index: number) => index < processCount && index < memoryCount;
  const index = fault.kind === 'crash-process' ? fault.process : fault.kind === 'crash-memory' ? fault.memory : undefined;
  if (index === undefined || !shared(index)) return undefined;
  return `fault '${describeFault(fault)}' cannot be injected with co-located memories: p${index} and m${index} share one OS process (crash them together as host h${index}, e.g. --crash h${index}@${fault.at})`;
}

/**
 * Collects a child's journal lines from its pipe: the bytes as they come,
 * parsed once the pipe closes. A child writes a line per event as it
 * happens, and this process shares the cores with the run: parsing each
 * chunk on arrival (measured: a log writes several notes per decision) took
 * CPU from the processes being timed.
 */
function collectLines(stream: Readable, into: JournalRecord[]): Promise<void> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const lines = Buffer.concat(chunks).toString('utf8').split('\n');
      // The last piece follows the last newline: empty, or the torn line of a child killed mid-write.
      lines.pop();
      for (const line of lines) if (line.length > 0) into.push(JSON.parse(line) as JournalRecord);
      resolve();
    };
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
  });
}

/**
 * Runs one world on the tcp backend on this host: one OS process per memory
 * node and per protocol process, each with a fresh Ed25519 identity, all on
 * loopback (or `host`). Phases: memory nodes listen; processes listen; they
 * connect and authenticate to every memory node and to each other; then all
 * start at once. A crash is a SIGKILL. With `colocatedMemories`, memory mI
 * is served inside pI's OS process, so killing it crashes the whole host. Every child is killed before this
 * resolves, also on failure.
 */
export async function runTcp(config: TcpRunConfig): Promise<RealRunResult> {
  const { processCount, memoryCount } = config;
  for (const spec of config.regions) validateRegionSpec(spec, processCount, memoryCount);
  const faults = realBackendFaults(config.faults ?? [], 'tcp');
  // Memories served inside their process's OS process (co-located hosts).
  const hosted = (memory: MemoryId) => config.colocatedMemories === true && memory < processCount;
  if (config.colocatedMemories) {
    for (const fault of faults) {
      const problem = colocatedFaultProblem(fault, processCount, memoryCount);
      if (problem !== undefined) throw new Error(problem);
    }
  }
  const host = config.host ?? '127.0.0.1';
  const unitMicroseconds = config.unitMicroseconds ?? 1;
  const startup = config.startupMilliseconds ?? 60_000;
  const identities = Array.from({ length: processCount }, generateKeyPair);
  const publicKeys = identities.map((pair) => pair.publicKey);
  // Memory nodes have identities too: each proves it holds its key to every process that connects.
  const memoryIdentities = Array.from({ length: memoryCount }, generateKeyPair);
  const memoryKeys = memoryIdentities.map((pair) => pair.publicKey);
  const tls = config.tls ?? !isLoopback(host);
  const children: ChildProcess[] = [];
  const journals: JournalRecord[] = [];
  const journalsClosed: Promise<void>[] = [];
  const timers: ReturnType<typeof setTimeout>[] = [];
  const crashedProcesses = new Set<ProcessId>();
  const crashedMemories = new Set<MemoryId>();
  const results: Record<ProcessId, unknown> = {};
  const errors: { process: ProcessId; message: string }[] = [];
  const finished = new Set<ProcessId>();
  const idle = new Set<ProcessId>();
  let wake: () => void = () => {};
  let started = false;
  let ended = false;

  const kill = (child: ChildProcess) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const reply = <T>(child: ChildProcess, who: string, what: string, accept: (message: T) => boolean): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tcp: ${who} sent no '${what}' within ${startup} ms`)), startup);
      const onMessage = (message: T) => {
        if (!accept(message)) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`tcp: ${who}'s OS process exited (${signal ?? code}) before '${what}'`));
      });
    });

  try {
    // Memory nodes (of their own; a hosted memory is set up with its process below).
    const memorySetup = (memory: MemoryId): MemoryNodeCommand => ({
      type: 'setup',
      memory,
      memoryCount,
      processCount,
      regions: config.regions,
      publicKeys,
      host,
      security: { identity: memoryIdentities[memory], tls },
      ...(config.limits ? { limits: config.limits } : {}),
    });
    const memoryNodes = Array.from({ length: memoryCount }, (_, memory) => {
      if (hosted(memory)) return undefined;
      const child = fork(new URL('./memoryNodeMain.js', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      return child;
    });
    const memoryEndpoints: ({ host: string; port: number } | null)[] = await Promise.all(
      memoryNodes.map(async (child, memory) => {
        if (!child) return null;
        const listening = reply<{ type: string; port?: number; message?: string }>(child, `m${memory}`, 'listening', (message) => message.type === 'listening' || message.type === 'error');
        child.send(memorySetup(memory));
        const answer = await listening;
        if (answer.type === 'error') throw new Error(`tcp: memory node m${memory}: ${answer.message}`);
        return { host, port: answer.port as number };
      }),
    );
    for (const memory of config.crashedMemories ?? []) {
      crashedMemories.add(memory);
      // A hosted memory crashed before the start is simply never set up: its process lives on without it.
      const node = memoryNodes[memory];
      if (node) kill(node);
    }
    // Processes.
    const processes = identities.map((identity, self) => {
      const child = fork(new URL('./processMain.js', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'] });
      children.push(child);
      journalsClosed.push(collectLines(child.stdio[4] as Readable, journals));
      child.on('message', (message: ProcessReport) => {
        if (message.type === 'done') {
          results[self] = message.result;
          finished.add(self);
        } else if (message.type === 'error') {
          errors.push({ process: self, message: message.message });
          finished.add(self);
        } else return;
        wake();
      });
      child.on('exit', () => {
        if (started && !ended && !crashedProcesses.has(self) && !finished.has(self)) {
          errors.push({ process: self, message: `p${self}'s OS process exited unexpectedly` });
          finished.add(self);
          wake();
        }
      });
      void identity;
      return child;
    });
    const processEndpoints = await Promise.all(
      processes.map(async (child, self) => {
        const listening = reply<ProcessReport>(child, `p${self}`, 'listening', (message) => message.type === 'listening' || message.type === 'error');
        const command: ProcessCommand = {
          type: 'setup',
          setup: { self, processCount, memoryCount, regions: config.regions, publicKeys, identity: identities[self], seed: config.seed, unitMicroseconds, listen: { host, port: 0 }, memoryKeys, tls, ...(config.limits ? { limits: config.limits } : {}) },
          body: config.body,
          ...(hosted(self) && !crashedMemories.has(self) ? { memory: memorySetup(self) } : {}),
        };
        child.send(command);
        const answer = await listening;
        if (answer.type === 'error') throw new Error(`tcp: p${self}: ${answer.message}`);
        const listens = answer as Extract<ProcessReport, { type: 'listening' }>;
        if (listens.memoryPort !== undefined) memoryEndpoints[self] = { host, port: listens.memoryPort };
        return { host, port: listens.port };
      }),
    );
    await Promise.all(
      processes.map(async (child, self) => {
        const ready = reply<ProcessReport>(child, `p${self}`, 'ready', (message) => message.type === 'ready' || message.type === 'error');
        const command: ProcessCommand = { type: 'connect', memories: memoryEndpoints.map((endpoint, memory) => (crashedMemories.has(memory) ? null : endpoint)), peers: processEndpoints };
        child.send(command);
        const answer = await ready;
        if (answer.type === 'error') throw new Error(`tcp: p${self}: ${answer.message}`);
        if (answer.type === 'ready' && answer.idle) idle.add(self);
      }),
    );
    const epoch = process.hrtime.bigint();
    started = true;
    for (const child of processes) child.send({ type: 'start', epoch: epoch.toString() } satisfies ProcessCommand);
    for (const fault of faults) {
      timers.push(
        setTimeout(() => {
          // A host crash kills its memory node and its process in one callback, memory first.
          const crashed = crashedBy(fault);
          for (const memory of crashed.memories) {
            crashedMemories.add(memory);
            // A hosted memory dies with its process's OS process, killed just below.
            const node = memoryNodes[memory];
            if (node) kill(node);
          }
          for (const victim of crashed.processes) {
            crashedProcesses.add(victim);
            kill(processes[victim]);
          }
          wake();
        }, (fault.at * unitMicroseconds) / 1000),
      );
    }
    const live = () => Array.from({ length: processCount }, (_, process) => process).filter((process) => !idle.has(process) && !crashedProcesses.has(process));
    const allDone = () => live().every((process) => finished.has(process));
    await new Promise<void>((resolve) => {
      if (allDone()) return resolve();
      const timer = setTimeout(resolve, config.deadlineMilliseconds);
      wake = () => {
        if (allDone()) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    wake = () => {};
    ended = true;
    const time = Number(process.hrtime.bigint() - epoch) / 1000 / unitMicroseconds;
    const end = allDone() ? 'done' : 'deadline';
    const unfinished = live().filter((process) => !finished.has(process));
    for (const child of children) kill(child);
    await Promise.all(journalsClosed);
    const { history, notes } = mergeJournals(journals);
    return {
      end,
      time,
      results,
      errors,
      history,
      notes,
      crashedProcesses: [...crashedProcesses].sort((a, b) => a - b),
      crashedMemories: [...crashedMemories].sort((a, b) => a - b),
      unfinished,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    for (const child of children) kill(child);
  }
}
