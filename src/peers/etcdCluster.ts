import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdBinary } from './binaries.js';
import { EtcdClient } from './etcdClient.js';
import { freePorts, looksLikePortInUse } from './freePorts.js';
import { ServerProcess, startupTimeoutMs, waitUntil } from './serverProcess.js';

export interface EtcdClusterOptions {
  /** Members (3 by default: a majority survives one crash). */
  readonly members?: number;
  /** false: no fsync of the WAL (see `fsyncNote`). */
  readonly fsync?: boolean;
  /**
   * Raft timing (ms). etcd's defaults are 100 / 1000; the election timeout is
   * 2500 here because on a loaded 2-core machine a process is descheduled for
   * 10–140 ms at times (docs/mu.md), and a false election in the middle of a
   * test or bench refuses puts. Steady-state puts do not wait on either.
   */
  readonly heartbeatMs?: number;
  readonly electionMs?: number;
  /** Start-up timeout before scaling by load (ms). */
  readonly startupMs?: number;
}

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  readonly process: ServerProcess;
}

/** Whether the installed etcd has `--unsafe-no-fsync` (etcd 3.5+; Debian 12 ships 3.4.23, which has not). */
export function etcdHasNoFsyncFlag(binary: string): boolean {
  const help = spawnSync(binary, ['--help'], { encoding: 'utf8' });
  return `${help.stdout}${help.stderr}`.includes('--unsafe-no-fsync');
}

/**
 * A local etcd cluster on loopback: each member's peer and client URLs on
 * free ports, one temporary data directory each, `--initial-cluster` naming
 * them all. `start` returns once every member reports healthy (it has a
 * leader), `stop` ends the processes and removes the data directories.
 *
 * Without fsync: etcd ≥ 3.5 has `--unsafe-no-fsync`; older ones (Debian 12's
 * 3.4.23) do not, so the data directories go to /dev/shm (tmpfs), where
 * fsync returns without touching a disk. `fsyncNote` says which was used.
 */
export class EtcdCluster {
  private constructor(
    readonly members: readonly EtcdMember[],
    readonly fsyncNote: string,
    private readonly roots: readonly string[],
  ) {}

  static async start(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
    const binary = etcdBinary();
    if (binary.path === undefined) throw new Error(binary.missing);
    const size = options.members ?? 3;
    const fsync = options.fsync ?? true;
    const noFsyncFlag = !fsync && etcdHasNoFsyncFlag(binary.path);
    const onTmpfs = !fsync && !noFsyncFlag && existsSync('/dev/shm');
    if (!fsync && !noFsyncFlag && !onTmpfs) throw new Error('etcd without fsync: this etcd has no --unsafe-no-fsync and there is no /dev/shm (tmpfs) for its data');
    const fsyncNote = fsync ? 'fsync (etcd default)' : noFsyncFlag ? 'no fsync (--unsafe-no-fsync)' : 'no fsync (data on /dev/shm tmpfs; this etcd has no --unsafe-no-fsync)';
    const timeoutMs = startupTimeoutMs(options.startupMs ?? 15_000);
    // Retry on fresh ports when a member lost the free-port race (freePorts.ts).
    for (let attempt = 1; ; attempt++) {
      const root = mkdtempSync(join(onTmpfs ? '/dev/shm' : tmpdir(), 'mnm-etcd-'));
      const ports = await freePorts(2 * size);
      const names = Array.from({ length: size }, (_, i) => `m${i}`);
      const peerUrls = names.map((_, i) => `http://127.0.0.1:${ports[2 * i]}`);
      const clientUrls = names.map((_, i) => `http://127.0.0.1:${ports[2 * i + 1]}`);
      const initialCluster = names.map((name, i) => `${name}=${peerUrls[i]}`).join(',');
      const members: EtcdMember[] = names.map((name, i) => {
        const dataDir = join(root, name);
        const args = [
          `--name=${name}`,
          `--data-dir=${dataDir}`,
          `--listen-peer-urls=${peerUrls[i]}`,
          `--initial-advertise-peer-urls=${peerUrls[i]}`,
          `--listen-client-urls=${clientUrls[i]}`,
          `--advertise-client-urls=${clientUrls[i]}`,
          `--initial-cluster=${initialCluster}`,
          '--initial-cluster-state=new',
          `--initial-cluster-token=mnm-${ports[0]}`,
          `--heartbeat-interval=${options.heartbeatMs ?? 100}`,
          `--election-timeout=${options.electionMs ?? 2500}`,
          '--logger=zap',
          '--log-level=warn',
          ...(noFsyncFlag ? ['--unsafe-no-fsync'] : []),
        ];
        return { name, clientUrl: clientUrls[i], peerUrl: peerUrls[i], dataDir, process: new ServerProcess(`etcd ${name}`, binary.path as string, args) };
      });
      const cluster = new EtcdCluster(members, fsyncNote, [root]);
      try {
        await cluster.waitHealthy(timeoutMs);
        return cluster;
      } catch (error) {
        await cluster.stop();
        const portTaken = members.some((member) => looksLikePortInUse(member.process.log));
        if (!portTaken || attempt >= 3) throw error;
      }
    }
  }

  /** A client of one member (its client URL); the caller closes it. */
  client(member = 0): EtcdClient {
    return new EtcdClient(this.members[member].clientUrl);
  }

  /** The index of the member that leads now (asked of the running members), for a client that skips a follower's forwarding hop. */
  async leader(): Promise<number> {
    const statuses = await Promise.all(
      this.members.map(async (member) => {
        if (member.process.hasExited) return undefined;
        const client = new EtcdClient(member.clientUrl, 2000);
        try {
          return await client.status();
        } catch {
          return undefined;
        } finally {
          client.close();
        }
      }),
    );
    const leaderId = statuses.find((status) => status !== undefined && status.leader !== '' && status.leader !== '0')?.leader;
    const index = statuses.findIndex((status) => status?.member === leaderId);
    if (leaderId === undefined || index < 0) throw new Error('etcd cluster: no member reports a running leader');
    return index;
  }

  /**
   * Waits until the running members agree on a running leader (after a
   * crash: the election), within a timeout scaled by load, and returns it.
   * A put sent before that blocks in etcd for its request timeout (about
   * 5 s + 2 election timeouts) instead of failing fast.
   */
  async waitForLeader(timeoutMs = startupTimeoutMs(15_000)): Promise<number> {
    let found = -1;
    await waitUntil(
      'an etcd leader',
      async () => {
        found = await this.leader();
        return true;
      },
      this.members.map((member) => member.process).filter((process) => !process.hasExited),
      timeoutMs,
    );
    return found;
  }

  /** Every running member reports healthy. */
  private async waitHealthy(timeoutMs: number): Promise<void> {
    const clients = this.members.map((member) => new EtcdClient(member.clientUrl, 1000));
    try {
      await waitUntil(
        `etcd cluster of ${this.members.length}`,
        async () => (await Promise.all(clients.map((client) => client.healthy().catch(() => false)))).every(Boolean),
        this.members.map((member) => member.process),
        timeoutMs,
      );
    } finally {
      for (const client of clients) client.close();
    }
  }

  /** SIGKILL one member (a crash). */
  async crash(member: number): Promise<void> {
    await this.members[member].process.kill();
  }

  /**
   * Ends every member (SIGTERM, then SIGKILL after 1 s) and removes the data
   * directories. On SIGTERM the leader first tries to hand leadership to a
   * follower; with the followers stopping at the same time (or crashed) that
   * waits out etcd's transfer timeout (seconds) for nothing, as the data is
   * deleted anyway: the short grace ends that wait.
   */
  async stop(): Promise<void> {
    await Promise.all(this.members.map((member) => member.process.stop(1000)));
    for (const root of this.roots) rmSync(root, { recursive: true, force: true });
  }

  /** The data directories' parent(s), for checking they are gone. */
  get dataRoots(): readonly string[] {
    return this.roots;
  }
}
