import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';

/**
 * One external server process: its output kept (the last 64 KiB, for error
 * messages), its exit observed, and a stop that sends SIGTERM, then SIGKILL
 * after `graceMs`. Each caller stops what it started (tests in `after` hooks).
 */
export class ServerProcess {
  private readonly child: ChildProcess;
  private output = '';
  private exitCode: number | null | undefined = undefined;
  private readonly exited: Promise<void>;

  constructor(readonly name: string, binary: string, args: readonly string[]) {
    this.child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-65536);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal === null ? null : -1);
        resolve();
      });
      this.child.once('error', (error) => {
        this.output += `\n${error.message}`;
        this.exitCode = -1;
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the process has exited (crashed, stopped or never started). */
  get hasExited(): boolean {
    return this.exitCode !== undefined;
  }

  /** The output so far (last 64 KiB). */
  get log(): string {
    return this.output;
  }

  /** The last lines of output, for an error message. */
  tail(lines = 5): string {
    return this.output.trim().split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM, then SIGKILL when it has not exited after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL now (a crash, for the tests and benches); resolves once it has exited. */
  async kill(): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** Polls `ready` every few ms until it resolves true, a process exits, or `timeoutMs` passes. */
export async function waitUntil(what: string, ready: () => Promise<boolean>, processes: readonly ServerProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = processes.find((process) => process.hasExited);
    if (dead !== undefined) throw new Error(`${dead.name} exited during start-up: ${dead.tail()}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms: ${processes.map((process) => `${process.name}: ${process.tail(2)}`).join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A start-up timeout that scales with the machine's load: the base, times
 * the 1-minute load average per core when that is above 1 (a loaded CI box
 * starts servers slowly; tests must pass under load).
 */
export function startupTimeoutMs(baseMs: number): number {
  const perCore = loadavg()[0] / Math.max(1, availableParallelism());
  return Math.round(baseMs * Math.max(1, Math.min(perCore, 8)));
}
