import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdBinary, redisBinary } from './binaries.js';
import { EtcdCluster } from './etcdCluster.js';
import { createServer } from 'node:net';
import { freePorts, looksLikePortInUse } from './freePorts.js';
import { ServerProcess } from './serverProcess.js';
import { parseReply } from './redisClient.js';
import { RedisServer, type RedisPersistence } from './redisServer.js';

// The peers are Debian packages the README asks for; without them these tests skip with one line.
const etcdMissing = etcdBinary().missing;
const redisMissing = redisBinary().missing;

describe('freePorts', () => {
  it('returns distinct ports the OS chose', async () => {
    const ports = await freePorts(6);
    assert.equal(new Set(ports).size, 6);
    for (const port of ports) assert.ok(port > 0 && port < 65536);
  });
});

describe('a port taken between freePorts and the bind (the race the starters retry)', () => {
  // The starters retry on fresh ports when a server's output says its port was taken: check that they recognize the servers' real messages.
  for (const [name, missing, binary, args] of [
    ['etcd', etcdMissing, () => etcdBinary().path as string, (port: number, dir: string) => [`--data-dir=${dir}`, `--listen-client-urls=http://127.0.0.1:${port}`, `--advertise-client-urls=http://127.0.0.1:${port}`, '--listen-peer-urls=http://127.0.0.1:0']],
    ['redis-server', redisMissing, () => redisBinary().path as string, (port: number, dir: string) => ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no']],
  ] as const) {
    it(`recognizes ${name}'s message`, { skip: missing }, async () => {
      const holder = createServer();
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
      const port = (holder.address() as { port: number }).port;
      const dir = mkdtempSync(join(tmpdir(), 'mnm-peers-race-'));
      const server = new ServerProcess(name, binary(), args(port, dir));
      try {
        await waitForExit(server);
        assert.ok(looksLikePortInUse(server.log), server.tail());
      } finally {
        await server.stop(1000);
        holder.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('RESP parsing', () => {
  it('parses simple, error, integer, bulk, null and array replies, and waits on partial ones', () => {
    assert.deepEqual(parseReply(Buffer.from('+OK\r\n'), 0), { reply: 'OK', end: 5 });
    assert.equal((parseReply(Buffer.from('-ERR wrong\r\n'), 0)?.reply as Error).message, 'redis: ERR wrong');
    assert.deepEqual(parseReply(Buffer.from(':42\r\n'), 0), { reply: 42, end: 5 });
    assert.deepEqual(parseReply(Buffer.from('$3\r\nabc\r\n'), 0), { reply: 'abc', end: 9 });
    assert.deepEqual(parseReply(Buffer.from('$-1\r\n'), 0), { reply: null, end: 5 });
    assert.deepEqual(parseReply(Buffer.from('*2\r\n$1\r\na\r\n:1\r\n'), 0)?.reply, ['a', 1]);
    assert.equal(parseReply(Buffer.from('$3\r\nab'), 0), undefined);
    assert.equal(parseReply(Buffer.from('*2\r\n$1\r\na\r\n'), 0), undefined);
  });
});

describe('etcd cluster (3 members on loopback)', { skip: etcdMissing }, () => {
  let cluster: EtcdCluster | undefined;
  before(async () => {
    cluster = await EtcdCluster.start({ fsync: true });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('puts and gets through the JSON gateway, from another member too', async () => {
    const writer = cluster!.client(0);
    const reader = cluster!.client(1);
    try {
      await writer.put('greeting', 'héllo wörld');
      assert.equal(await writer.get('greeting'), 'héllo wörld');
      // A linearizable range on another member sees the committed put.
      assert.equal(await reader.get('greeting'), 'héllo wörld');
      assert.equal(await reader.get('absent'), undefined);
    } finally {
      writer.close();
      reader.close();
    }
  });

  it('names its leader, which takes puts directly', async () => {
    const leader = await cluster!.leader();
    assert.ok(leader >= 0 && leader < 3);
    const client = cluster!.client(leader);
    try {
      await client.put('at-leader', 'yes');
      assert.equal(await client.get('at-leader'), 'yes');
    } finally {
      client.close();
    }
  });

  it('reports the server message on a refused request', async () => {
    const client = cluster!.client(0);
    try {
      // An empty key is invalid for etcd: the gateway's error comes back in the message.
      await assert.rejects(client.put('', 'x'), /key is not provided/);
    } finally {
      client.close();
    }
  });

  it('still puts with its leader crashed (a majority of 3 remains and elects a new one)', async () => {
    // The leader, not any member: the harder case (an election), and the same case on every run.
    const leader = await cluster!.leader();
    await cluster!.crash(leader);
    const next = await cluster!.waitForLeader();
    assert.notEqual(next, leader);
    const client = cluster!.client(next);
    try {
      for (let i = 0; i < 5; i++) await putWithElectionRetry(() => client.put(`after-crash-${i}`, String(i)));
      assert.equal(await client.get('after-crash-4'), '4');
    } finally {
      client.close();
    }
  });

  it('stops every member and removes the data directories', async () => {
    const roots = cluster!.dataRoots;
    assert.ok(roots.every((root) => existsSync(root)));
    await cluster!.stop();
    assert.ok(cluster!.members.every((member) => member.process.hasExited));
    assert.ok(roots.every((root) => !existsSync(root)), `removed ${roots.join(', ')}`);
    cluster = undefined;
  });
});

describe('etcd cluster without fsync', { skip: etcdMissing }, () => {
  let cluster: EtcdCluster | undefined;
  after(async () => {
    await cluster?.stop();
  });

  it('starts, puts and gets, and says how fsync was avoided', async () => {
    cluster = await EtcdCluster.start({ fsync: false });
    assert.match(cluster.fsyncNote, /^no fsync/);
    const client = cluster.client(0);
    try {
      await client.put('k', 'v');
      assert.equal(await client.get('k'), 'v');
    } finally {
      client.close();
    }
    const roots = cluster.dataRoots;
    await cluster.stop();
    cluster = undefined;
    assert.ok(roots.every((root) => !existsSync(root)));
  });
});

for (const persistence of ['none', 'always'] as RedisPersistence[]) {
  describe(`redis-server (persistence: ${persistence})`, { skip: redisMissing }, () => {
    let server: RedisServer | undefined;
    after(async () => {
      await server?.stop();
    });

    it('sets and gets, reports server errors, stops and removes its directory', async () => {
      server = await RedisServer.start(persistence);
      const client = await server.client();
      try {
        assert.equal(await client.ping(), 'PONG');
        await client.set('greeting', 'héllo\r\nwörld');
        assert.equal(await client.get('greeting'), 'héllo\r\nwörld');
        assert.equal(await client.get('absent'), undefined);
        assert.equal(await client.command('CONFIG', 'GET', 'appendonly').then((reply) => (reply as string[])[1]), persistence === 'always' ? 'yes' : 'no');
        await assert.rejects(client.command('NOSUCHCOMMAND'), /unknown command/);
      } finally {
        client.close();
      }
      const dir = server.dir;
      assert.ok(existsSync(dir));
      await server.stop();
      assert.ok(server.process.hasExited);
      assert.ok(!existsSync(dir));
      server = undefined;
    });
  });
}

/**
 * A put right after a crash may land while the cluster elects a new leader
 * (when the crashed member led): etcd then refuses it with a leader error.
 * Retry those, within a generous bound; any other error fails at once.
 */
async function putWithElectionRetry(put: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await put();
    } catch (error) {
      const message = (error as Error).message;
      if (attempt >= 50 || !/leader|timed out|no reply/i.test(message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Resolves when the server has exited (it fails to bind); a bound of 20 s so a server that does start fails the test instead of hanging it. */
async function waitForExit(server: ServerProcess): Promise<void> {
  for (let waited = 0; !server.hasExited; waited += 20) {
    if (waited > 20_000) throw new Error(`${server.name} still running: ${server.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
