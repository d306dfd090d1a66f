import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisBinary } from './binaries.js';
import { freePorts, looksLikePortInUse } from './freePorts.js';
import { RedisClient } from './redisClient.js';
import { ServerProcess, startupTimeoutMs, waitUntil } from './serverProcess.js';

/** 'none': no RDB snapshots, no AOF. 'always': AOF with `appendfsync always` (an fsync before each reply). */
export type RedisPersistence = 'none' | 'always';

/**
 * One `redis-server` on 127.0.0.1 and a free port, in a temporary working
 * directory (where an AOF would go), as the unreplicated reference. `start`
 * returns once it answers PING; `stop` ends it and removes the directory.
 */
export class RedisServer {
  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly persistence: RedisPersistence,
    readonly process: ServerProcess,
  ) {}

  static async start(persistence: RedisPersistence = 'none', startupMs = 10_000): Promise<RedisServer> {
    const binary = redisBinary();
    if (binary.path === undefined) throw new Error(binary.missing);
    const timeoutMs = startupTimeoutMs(startupMs);
    for (let attempt = 1; ; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), 'mnm-redis-'));
      const [port] = await freePorts(1);
      const args = [
        '--bind', '127.0.0.1',
        '--port', String(port),
        '--dir', dir,
        '--save', '',
        ...(persistence === 'always' ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
        // Not a daemon: we own the process and stop it by pid.
        '--daemonize', 'no',
        '--loglevel', 'warning',
      ];
      const server = new RedisServer(port, dir, persistence, new ServerProcess(`redis-server :${port}`, binary.path, args));
      try {
        await waitUntil(
          'redis-server',
          async () => {
            const client = await RedisClient.connect(port, 1000);
            try {
              return (await client.ping()) === 'PONG';
            } finally {
              client.close();
            }
          },
          [server.process],
          timeoutMs,
        );
        return server;
      } catch (error) {
        await server.stop();
        if (!looksLikePortInUse(server.process.log) || attempt >= 3) throw error;
      }
    }
  }

  /** A connected client; the caller closes it. */
  client(): Promise<RedisClient> {
    return RedisClient.connect(this.port);
  }

  /** SIGTERM (then SIGKILL) and remove the working directory. */
  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
