import { createServer } from 'node:net';

/**
 * Free TCP ports on 127.0.0.1, asked of the OS: bind port 0, read the port it
 * chose, close. All `count` listeners stay open until every port is known, so
 * the ports are distinct. The race: between our close and the server's bind,
 * another process may take a port. It is small (milliseconds on loopback);
 * the starters (etcdCluster.ts, redisServer.ts) see the server exit with
 * "address already in use" and start again on fresh ports, a few times.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              if (address === null || typeof address === 'string') reject(new Error('no TCP address for a port-0 listener'));
              else resolve(address.port);
            });
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))));
  }
}

/** True when a server's output says its port was taken (the race above). */
export function looksLikePortInUse(output: string): boolean {
  return /address already in use|EADDRINUSE/i.test(output);
}
