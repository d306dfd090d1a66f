import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HistoryEvent, NoteEvent, RegionSpec } from '../../fabric/index.js';
import { findScenario, resolveOptions, type ResolvedOptions, type Scenario } from '../../scenarios/index.js';
import { readClusterFile, type ClusterConfig } from '../../tcp/clusterFile.js';
import { historyLines } from '../history.js';
import { parseCommandArgs, type Command, type CommandIO } from '../command.js';
import { awaitListening, exitReason, type ClusterAddresses } from './clusterStartup.js';
import { UsageError, exitCodes, integerOption } from '../usage.js';

/** A cluster file together with the run it describes: resolved options, the scenario and its regions. */
export interface ClusterPlan {
  readonly cluster: ClusterConfig;
  readonly options: ResolvedOptions | undefined;
  readonly scenario: Scenario | undefined;
  readonly regions: readonly RegionSpec[];
}

/** Loads a cluster file and resolves its `run` (as `mnm run … --backend tcp` would); one-line errors. */
export function loadClusterPlan(path: string | undefined): ClusterPlan {
  if (!path) throw new UsageError('--config FILE is required (the cluster file, docs/cluster.md)');
  let cluster: ClusterConfig;
  try {
    cluster = readClusterFile(path);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!cluster.run) return { cluster, options: undefined, scenario: undefined, regions: cluster.regions ?? [] };
  const run = cluster.run;
  let options: ResolvedOptions;
  try {
    options = resolveOptions({
      ...(run as unknown as Record<string, never>),
      protocol: run.protocol,
      seed: typeof run.seed === 'number' ? run.seed : 1,
      latency: typeof run.latency === 'string' ? run.latency : 'unit',
      faults: 'none',
      n: cluster.processes.length,
      memories: cluster.memories.length,
      backend: 'tcp',
    });
  } catch (error) {
    throw new UsageError(`${cluster.file}: run: ${(error as Error).message}`);
  }
  const scenario = findScenario(options.protocol) as Scenario;
  return { cluster, options, scenario, regions: cluster.regions ?? scenario.regions(options) };
}

/** Parses `pN` / `mK` against the cluster's size. */
export function parseNodeId(text: string | undefined, prefix: 'p' | 'm', count: number): number {
  const match = text === undefined ? null : new RegExp(`^${prefix}(\\d+)$`).exec(text);
  const index = match ? Number(match[1]) : NaN;
  if (!(index >= 0 && index < count)) throw new UsageError(`--id ${text ?? '(missing)'}: expected ${prefix}0..${prefix}${count - 1}`);
  return index;
}

const mainScript = fileURLToPath(new URL('../main.js', import.meta.url));

/** Default state directory: per cluster file, under the system's temporary directory (never beside the file, which may sit in a repository). */
function stateDirectory(configPath: string, state: string | undefined): string {
  return state ?? join(tmpdir(), `mnm-cluster-${basename(configPath, '.json')}-${createHash('sha256').update(configPath).digest('hex').slice(0, 8)}`);
}

interface ClusterState {
  readonly config: string;
  /** Every node started, with the address it bound once it reported it. */
  readonly nodes: { readonly id: string; readonly pid: number; address?: string }[];
}

/** 128 + SIGINT's number: what a shell reports for a command stopped by Ctrl-C. */
import { interruptedExitCode } from '../sweep/interrupt.js';

/**
 * SIGINT/SIGTERM while `cluster up` runs. The nodes run detached, in their
 * own process group, so a terminal's Ctrl-C reaches only `cluster up`: it
 * must stop them itself. Until `dispose`, a signal no longer ends this
 * process; it resolves `interrupted` instead.
 */
function watchInterrupts(): { readonly interrupted: Promise<NodeJS.Signals>; signal(): NodeJS.Signals | undefined; dispose(): void } {
  let received: NodeJS.Signals | undefined;
  let notify: (signal: NodeJS.Signals) => void = () => {};
  const interrupted = new Promise<NodeJS.Signals>((resolve) => (notify = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    received ??= signal;
    notify(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    interrupted,
    signal: () => received,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** How long a started node may take to report its bound address: a hang, not a slow start, fires it. */
const listeningTimeoutMilliseconds = 60_000;

/** Whether a process is running: it exists and, where /proc tells, is not a zombie (a killed orphan nobody reaped yet). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

const alive = isRunning;

/** Stops every node of a state file: SIGTERM, then SIGKILL for those still alive after a grace period. */
async function stopNodes(state: ClusterState): Promise<number> {
  let stopped = 0;
  for (const node of state.nodes) {
    if (!alive(node.pid)) continue;
    try {
      process.kill(node.pid, 'SIGTERM');
      stopped++;
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 3000;
  while (state.nodes.some((node) => alive(node.pid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const node of state.nodes) if (alive(node.pid)) process.kill(node.pid, 'SIGKILL');
  return stopped;
}

/** Reads the history files the nodes wrote: events, notes, and which processes finished. */
function readHistories(directory: string, processCount: number): { history: HistoryEvent[]; notes: NoteEvent[]; done: Set<number>; errors: string[] } {
  const history: HistoryEvent[] = [];
  const notes: NoteEvent[] = [];
  const done = new Set<number>();
  const errors: string[] = [];
  for (let process = 0; process < processCount; process++) {
    const file = join(directory, `p${process}.history.jsonl`);
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    // The last piece follows the last newline: empty, or the torn line of a node killed mid-write.
    lines.pop();
    for (const line of lines) {
      if (!line) continue;
      const record = JSON.parse(line) as { type: string; event?: HistoryEvent; note?: NoteEvent; message?: string };
      if (record.type === 'history' && record.event) history.push(record.event);
      else if (record.type === 'note' && record.note) notes.push(record.note);
      else if (record.type === 'done') done.add(process);
      else if (record.type === 'error') {
        done.add(process);
        errors.push(`p${process}: ${record.message}`);
      }
    }
  }
  history.sort((a, b) => a.time - b.time);
  return { history, notes, done, errors };
}

/** What `cluster up` was asked for on its command line. */
interface UpRequest {
  readonly config?: string;
  readonly state?: string;
  readonly wait?: boolean;
  readonly timeout?: string;
}

/**
 * `cluster up`: starts every node, waits until each one reports the address
 * it bound, tells the processes, and (with --wait) waits for the run, merges
 * and checks its history. Every exit path stops the nodes it started, except
 * a successful start without --wait, which leaves them running on purpose.
 */
async function up(plan: ClusterPlan, values: UpRequest, directory: string, stateFile: string, io: CommandIO): Promise<number> {
  const timeout = integerOption('timeout', values.timeout, 60_000, 1);
  if (existsSync(stateFile)) {
    const previous = JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
    if (previous.nodes.some((node) => alive(node.pid))) throw new UsageError(`a cluster from ${previous.config} is still running (mnm cluster down --config ${values.config})`);
  }
  if (!plan.cluster.run) throw new UsageError(`${plan.cluster.file}: 'cluster up' needs a run (the protocol its processes execute)`);
  const stopCommand = `mnm cluster down --config ${values.config}${values.state ? ` --state ${values.state}` : ''}`;
  mkdirSync(directory, { recursive: true });
  const processCount = plan.cluster.processes.length;
  for (let process = 0; process < processCount; process++) rmSync(join(directory, `p${process}.history.jsonl`), { force: true });
  const mergedFile = join(directory, 'history.jsonl');
  rmSync(mergedFile, { force: true });
  const nodes: ClusterState['nodes'] = [];
  const children = new Map<string, ChildProcess>();
  const exits = new Map<string, string>();
  const state = (): ClusterState => ({ config: plan.cluster.file, nodes });
  const logFile = (id: string) => join(directory, `${id}.log`);
  const start = (id: string, extra: string[]) => {
    const log = openSync(logFile(id), 'w');
    const child = spawn(process.execPath, [mainScript, ...extra, '--ipc'], { detached: true, stdio: ['ignore', log, log, 'ipc'] });
    closeSync(log);
    child.unref();
    child.once('exit', (code, signal) => exits.set(id, exitReason(id, code, signal, logFile(id))));
    children.set(id, child);
    nodes.push({ id, pid: child.pid as number });
    writeFileSync(stateFile, JSON.stringify(state(), null, 2));
  };
  const interrupts = watchInterrupts();
  const stopAll = async () => {
    const stopped = await stopNodes(state());
    rmSync(stateFile, { force: true });
    return stopped;
  };
  const interruptedExit = async (signal: NodeJS.Signals) => {
    const stopped = await stopAll();
    interrupts.dispose();
    io.stderr(`mnm cluster: interrupted (${signal}): stopped ${stopped} node(s) of ${plan.cluster.file}; logs and histories in ${directory}\n`);
    return interruptedExitCode;
  };
  try {
    plan.cluster.memories.forEach((_, memory) => start(`m${memory}`, ['memory-node', '--config', plan.cluster.file, '--id', `m${memory}`]));
    plan.cluster.processes.forEach((_, process) =>
      start(`p${process}`, ['node', '--config', plan.cluster.file, '--id', `p${process}`, '--history', join(directory, `p${process}.history.jsonl`), '--connect-timeout', '10000']),
    );
    // Every node binds and reports its address before any process connects: a node that cannot (port taken, bad key, …) stops the run here.
    const listening = Promise.all(nodes.map((node) => awaitListening(node.id, children.get(node.id) as ChildProcess, logFile(node.id), listeningTimeoutMilliseconds)));
    const outcome = await Promise.race([listening.then((addresses) => ({ addresses })), interrupts.interrupted.then((signal) => ({ signal }))]);
    if ('signal' in outcome) return await interruptedExit(outcome.signal);
    outcome.addresses.forEach((address, index) => (nodes[index].address = address));
    writeFileSync(stateFile, JSON.stringify(state(), null, 2));
    const memoryCount = plan.cluster.memories.length;
    const addresses: ClusterAddresses = {
      type: 'addresses',
      memories: outcome.addresses.slice(0, memoryCount),
      processes: outcome.addresses.slice(memoryCount),
      epochMilliseconds: performance.timeOrigin + performance.now(),
    };
    const ended = nodes.find((node) => exits.has(node.id));
    if (ended) throw new UsageError(`${ended.id} ended after it listened, before the run started: ${exits.get(ended.id)}; log: ${logFile(ended.id)}`);
    // The channels close once the addresses are out: the nodes outlive this command without --wait.
    const disconnect = (child: ChildProcess) => {
      if (child.connected) child.disconnect();
    };
    for (const node of nodes) {
      const child = children.get(node.id) as ChildProcess;
      if (node.id.startsWith('p') && child.connected) child.send(addresses, () => disconnect(child));
      else disconnect(child);
    }
  } catch (error) {
    const stopped = await stopAll();
    interrupts.dispose();
    if (error instanceof UsageError) throw new UsageError(`${error.message}; stopped ${stopped} node(s)`);
    throw error;
  }
  io.stdout(`started ${nodes.map((node) => `${node.id} (pid ${node.pid})`).join(', ')}; state in ${directory}\n`);
  io.stdout(`listening: ${nodes.map((node) => `${node.id} ${node.address}`).join(', ')}\n`);
  if (!values.wait) {
    interrupts.dispose();
    io.stdout(`stop them with: ${stopCommand}\n`);
    return exitCodes.ok;
  }
  const deadline = Date.now() + timeout;
  const processIds = Array.from({ length: processCount }, (_, process) => process);
  let read = readHistories(directory, processCount);
  // Wait for every process to finish its body; one whose OS process ended first (a crash) is not waited for.
  while (processIds.some((process) => !read.done.has(process) && !exits.has(`p${process}`)) && Date.now() < deadline) {
    const signal = await Promise.race([new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)), interrupts.interrupted]);
    if (signal) return await interruptedExit(signal);
    read = readHistories(directory, processCount);
  }
  const endedEarly = new Map(exits);
  await stopAll();
  interrupts.dispose();
  read = readHistories(directory, processCount);
  writeFileSync(mergedFile, historyLines(read.history));
  const options = plan.options as ResolvedOptions;
  const violations = [...read.errors.map((detail) => ({ property: 'process-error', detail })), ...(plan.scenario as Scenario).check(read.history, options, read.notes)];
  const unfinished = processIds.filter((process) => !read.done.has(process));
  const describeUnfinished = (process: number) => `p${process}${endedEarly.has(`p${process}`) ? ` (ended: ${endedEarly.get(`p${process}`)})` : ''}`;
  for (const violation of violations) io.stdout(`VIOLATED  ${violation.property}: ${violation.detail}\n`);
  io.stdout(`${read.history.length} history events from ${processCount} processes; ${unfinished.length > 0 ? `unfinished: ${unfinished.map(describeUnfinished).join(', ')}` : 'all finished'}\n`);
  io.stdout(`merged history: ${mergedFile}\n`);
  if (violations.length === 0) io.stdout('properties: all hold\n');
  if (violations.length > 0) return exitCodes.violated;
  return unfinished.length > 0 ? exitCodes.undecided : exitCodes.ok;
}

export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'start (up) or stop (down) a whole local tcp cluster: memory nodes and processes of a cluster file',
  help: `usage: mnm cluster up --config FILE [--state DIR] [--wait] [--timeout MS]
       mnm cluster down --config FILE [--state DIR]

up     starts every memory node and every process of the cluster file
       (docs/cluster.md) as background OS processes on this host, each running
       'mnm memory-node' or 'mnm node'. Each node binds its address (port 0:
       any free port) and reports the address it bound; only when all of them
       listen are the processes told where the others are, and the run starts.
       A node that cannot start (port in use, bad key, …) stops every node
       started, with one line naming it and its reason (exit 2). Logs,
       histories and pids go to the state directory (default:
       mnm-cluster-<name>-<hash> in the temporary directory).
       With --wait it waits until every process finished its body or ended
       (or --timeout, default 60000 ms), stops the cluster, writes the
       merged history (<state>/history.jsonl, for 'mnm check'), checks the
       run's properties on it and prints the verdict. Without --wait it
       prints the command that stops the cluster.
       SIGINT/SIGTERM (Ctrl-C) during 'up' stops every node it started (exit 130).
down   stops the nodes started by 'up' (SIGTERM, then SIGKILL).

A node killed with 'kill -9 <pid>' (pids in <state>/pids.json) is a crash.

exit codes: 0 ok (down: stopped), 1 a property was violated or a process failed,
  2 bad arguments or a node that did not start, 3 processes still unfinished at --timeout, 130 interrupted

example:
  mnm cluster up --config examples/cluster-local.json --wait
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('cluster', args, { config: { type: 'string' }, state: { type: 'string' }, wait: { type: 'boolean' }, timeout: { type: 'string' } });
    const action = positionals[0];
    if (positionals.length !== 1 || (action !== 'up' && action !== 'down')) throw new UsageError(`expected 'up' or 'down', got ${positionals.join(' ') || 'nothing'} (accepted: up, down)`);
    const plan = loadClusterPlan(values.config);
    const directory = stateDirectory(plan.cluster.file, values.state);
    const stateFile = join(directory, 'pids.json');
    if (action === 'down') {
      if (!existsSync(stateFile)) {
        io.stderr(`mnm cluster down: no running cluster recorded in ${stateFile}\n`);
        return exitCodes.ok;
      }
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
      const stopped = await stopNodes(state);
      rmSync(stateFile);
      io.stdout(`stopped ${stopped} node(s) of ${state.config}\n`);
      return exitCodes.ok;
    }
    return up(plan, values, directory, stateFile, io);
  },
};
