import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Endpoint } from '../../tcp/processHost.js';
import { UsageError } from '../usage.js';

/**
 * The start-up handshake between `mnm cluster up` and the nodes it starts,
 * over the IPC channel it gives them (`--ipc`): every node binds first
 * (port 0 in the cluster file = any free port) and reports the address it
 * actually bound; once all of them listen, `cluster up` sends every process
 * the bound addresses of the memory nodes and of the other processes, and
 * the run's epoch, then closes the channels.
 *
 * Why not probe free ports and let the nodes bind them later: between the
 * probe and the bind another job can take the port (and a stranger listening
 * there was silently used as the memory node). A node learns its own port
 * only by binding it, so the addresses travel from the nodes to `cluster up`
 * and back, and a node that cannot bind is known before anything runs.
 */
export type NodeReport = { readonly type: 'listening'; readonly address: string };

export interface ClusterAddresses {
  readonly type: 'addresses';
  /** `HOST:PORT` of every memory node, in order. */
  readonly memories: readonly string[];
  /** `HOST:PORT` of every process, in order. */
  readonly processes: readonly string[];
  /** The run's start as Unix time in milliseconds (every process of the run shares it). */
  readonly epochMilliseconds: number;
}

export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/**
 * Node side: whether this node was started with a channel to report on.
 * The channel is unreferenced so that it never keeps a failed node alive:
 * a node that throws before it listens must exit, so that `cluster up` sees
 * the exit and its reason.
 */
export function startupChannel(requested: boolean | undefined): boolean {
  if (!requested) return false;
  if (!process.send || !process.channel) throw new UsageError("--ipc is for nodes started by 'mnm cluster up' (this one has no IPC channel)");
  process.channel.unref();
  return true;
}

/** Node side: tells `cluster up` the address this node bound. */
export function reportListening(address: Endpoint): void {
  process.send?.({ type: 'listening', address: formatEndpoint(address) } satisfies NodeReport);
}

/** Node side (a process): waits for every node's bound address; fails if `cluster up` went away first. */
export function awaitAddresses(who: string): Promise<ClusterAddresses> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if ((message as { type?: unknown }).type !== 'addresses') return;
      process.off('disconnect', onDisconnect);
      process.off('message', onMessage);
      resolve(message as ClusterAddresses);
    };
    const onDisconnect = () => {
      process.off('message', onMessage);
      reject(new UsageError(`${who}: 'cluster up' went away before it sent the nodes' addresses`));
    };
    process.on('message', onMessage);
    process.once('disconnect', onDisconnect);
  });
}

/**
 * Why a node ended, in one line. Killed by a signal: that is the reason
 * (whatever it logged last was not). Exited by itself: the last line it
 * wrote to its log (its one-line error, without the `mnm <command>: ` and
 * node prefixes), and its exit code.
 */
export function exitReason(id: string, code: number | null, signal: NodeJS.Signals | null, logFile: string): string {
  if (signal) return `killed by ${signal}`;
  let last = '';
  try {
    last = readFileSync(logFile, 'utf8').split('\n').filter((line) => line.trim().length > 0).pop() ?? '';
  } catch {
    // no log: the exit code alone says what is known
  }
  const reason = last.replace(/^mnm [a-z-]+: /, '').replace(new RegExp(`^${id}: `), '');
  return reason ? `${reason} (exit ${code})` : `exit ${code}`;
}

/**
 * Cluster side: the address a started node reports, or a one-line error
 * naming the node and its reason if it exits first or stays silent for
 * `timeoutMilliseconds` (a hang, not a slow start: the bind takes
 * milliseconds).
 */
export function awaitListening(id: string, child: ChildProcess, logFile: string, timeoutMilliseconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const cleanUp = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown) => {
      const report = message as Partial<NodeReport>;
      if (report.type !== 'listening' || typeof report.address !== 'string') return;
      cleanUp();
      resolve(report.address);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanUp();
      reject(new UsageError(`${id} did not start: ${exitReason(id, code, signal, logFile)}; log: ${logFile}`));
    };
    const timer = setTimeout(() => {
      cleanUp();
      reject(new UsageError(`${id} did not report listening within ${timeoutMilliseconds} ms; log: ${logFile}`));
    }, timeoutMilliseconds);
    child.on('message', onMessage);
    child.on('exit', onExit);
    if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
  });
}
