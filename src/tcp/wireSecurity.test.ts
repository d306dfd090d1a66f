import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getWord, type RegionSpec } from '../fabric/index.js';
import { realBackendFaults } from '../fabric/faults.js';
import { judgedReport } from '../scenarios/judge.js';
import { findScenario, resolveOptions, type Scenario } from '../scenarios/index.js';
import { timeUnitMicroseconds } from '../scenarios/realRunner.js';
import { generateKeyPair, privateKeyObject, publicKeyObject, type KeyPair } from './identity.js';
import { MemoryNode } from './memoryNode.js';
import { ProcessHost } from './processHost.js';
import { runTcp } from './runTcp.js';
import { tlsCredentials } from './tlsCredentials.js';
import { ServerIdentityRefused, VerbConnection, type Identity } from './verbConnection.js';
import { statusCodes } from './wire.js';

/**
 * The wire between hosts (docs/wire.md): a memory node proves its own
 * identity, mutual TLS seals every frame, and a process refuses a stranger
 * on the expected port. The on-path attacker is a proxy that forwards the
 * client's bytes unit by unit (TLS records, or frames without TLS) and, on
 * request, alters or repeats the next one.
 */
const regions: RegionSpec[] = [{ name: 'open', size: 64, policy: 'open' }];
const processKeys: KeyPair[] = [generateKeyPair(), generateKeyPair()];
const memoryKey = generateKeyPair();
const strangerKey = generateKeyPair();
const publicKeys = processKeys.map((pair) => publicKeyObject(pair.publicKey));

function identity(process: number, tls: boolean): Identity {
  return { process, key: privateKeyObject(processKeys[process]), ...(tls ? { tls: tlsCredentials(`p${process}`, processKeys[process]) } : {}) };
}

async function startNode(tls: boolean, key: KeyPair | null = memoryKey): Promise<{ node: MemoryNode; port: number }> {
  // A client that never starts the tls handshake is dropped after 1 s, not the default 5 s.
  const node = new MemoryNode({ memory: 0, memoryCount: 1, processCount: 2, regions, keys: publicKeys, security: { ...(key ? { identity: key } : {}), tls }, limits: { authMilliseconds: 1000 } });
  const { port } = await node.listen('127.0.0.1', 0);
  return { node, port };
}

const expectM0 = (tls: boolean) => ({ name: 'm0', key: publicKeyObject(memoryKey.publicKey), tls });

async function until(condition: () => boolean, what: string): Promise<void> {
  // Generous on a busy machine; the condition, not the time, is what is tested.
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 10_000) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Bytes of the whole unit at the head of `data` (a TLS record or a wire frame), or undefined while incomplete. */
type UnitLength = (data: Buffer) => number | undefined;
const tlsRecord: UnitLength = (data) => (data.length >= 5 && data.length >= 5 + data.readUInt16BE(3) ? 5 + data.readUInt16BE(3) : undefined);
const wireFrame: UnitLength = (data) => (data.length >= 4 && data.length >= 4 + data.readUInt32LE(0) ? 4 + data.readUInt32LE(0) : undefined);

/** A man in the middle: forwards both directions; `next` alters or repeats the client's next unit. */
class OnPathAttacker {
  next: 'forward' | 'tamper' | 'replay' = 'forward';
  /** Units the attacker altered or repeated. */
  attacks = 0;
  private readonly server: Server;
  private readonly sockets: Socket[] = [];
  port = 0;

  constructor(target: number, unitLength: UnitLength) {
    this.server = createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port: target, noDelay: true });
      this.sockets.push(client, upstream);
      client.setNoDelay(true);
      let pending = Buffer.alloc(0);
      client.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        for (let length = unitLength(pending); length !== undefined; length = unitLength(pending)) {
          const unit = Buffer.from(pending.subarray(0, length));
          pending = pending.subarray(length);
          if (this.next === 'tamper') {
            unit[unit.length - 1] ^= 0x01;
            upstream.write(unit);
          } else if (this.next === 'replay') upstream.write(Buffer.concat([unit, unit]));
          else upstream.write(unit);
          if (this.next !== 'forward') this.attacks++;
          this.next = 'forward';
        }
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      for (const socket of [client, upstream]) socket.on('close', end).on('error', end);
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The counter at offset 0, read directly (not through the attacker). */
async function counter(port: number, tls: boolean): Promise<bigint> {
  const direct = await VerbConnection.open('127.0.0.1', port, identity(1, tls), expectM0(tls));
  try {
    const reply = await direct.request({ verb: 'read', region: 0, offset: 0, length: 8 });
    assert.equal(reply.code, statusCodes.ok);
    return getWord(reply.body, 0);
  } finally {
    direct.close();
  }
}

const increment = { verb: 'faa', region: 0, offset: 0, delta: 1n } as const;

describe('wire security: a frame altered or repeated on the path', () => {
  const nodes: MemoryNode[] = [];
  const attackers: OnPathAttacker[] = [];
  after(async () => {
    await Promise.all([...nodes.map((node) => node.close()), ...attackers.map((attacker) => attacker.close())]);
  });
  const setUp = async (tls: boolean) => {
    const { node, port } = await startNode(tls);
    const attacker = await new OnPathAttacker(port, tls ? tlsRecord : wireFrame).listen();
    nodes.push(node);
    attackers.push(attacker);
    const connection = await VerbConnection.open('127.0.0.1', attacker.port, identity(0, tls), expectM0(tls));
    // The attacker is on the path and does not get in the way of honest traffic.
    assert.equal((await connection.request(increment)).code, statusCodes.ok);
    return { port, attacker, connection };
  };

  it('with tls, a tampered frame is refused: the connection is dropped and memory is unchanged', async () => {
    const { port, attacker, connection } = await setUp(true);
    const node = nodes.at(-1) as MemoryNode;
    attacker.next = 'tamper';
    let settled = false;
    void connection.request(increment).then(() => (settled = true));
    await until(() => connection.isBroken, 'the node drops the connection');
    assert.equal(attacker.attacks, 1);
    assert.equal(settled, false, 'the tampered increment never got an answer');
    assert.equal(node.connectionCounters.tlsFailed, 1, 'the node refused a record that did not open');
    assert.equal(await counter(port, true), 1n, 'only the honest increment landed');
  });

  it('with tls, a replayed frame is refused: the connection is dropped and the verb applied once', async () => {
    const { port, attacker, connection } = await setUp(true);
    const node = nodes.at(-1) as MemoryNode;
    attacker.next = 'replay';
    const reply = await connection.request(increment);
    assert.equal(reply.code, statusCodes.ok, 'the original increment is answered');
    await until(() => connection.isBroken, 'the node drops the connection');
    assert.equal(attacker.attacks, 1);
    assert.equal(await counter(port, true), 2n, 'two honest increments, the replay did not land');
    assert.equal(node.connectionCounters.tlsFailed, 1, 'the node refused the repeated record');
  });

  it('without tls the same attacks succeed (the attacker is real): a replayed increment lands twice, a tampered one changes the delta', async () => {
    const { port, attacker, connection } = await setUp(false);
    attacker.next = 'replay';
    await connection.request(increment);
    await until(() => connection.isBroken, 'the client notices the unexpected second reply');
    assert.equal(await counter(port, false), 3n, 'the replayed increment was applied');
    const second = await VerbConnection.open('127.0.0.1', attacker.port, identity(0, false), expectM0(false));
    attacker.next = 'tamper';
    await second.request(increment);
    // The last byte of an faa frame is the delta's high byte: 1 + 2^56.
    assert.equal(await counter(port, false), 4n + (1n << 56n));
    second.close();
  });
});

describe('wire security: a stranger on the expected port', () => {
  for (const tls of [false, true]) {
    it(`${tls ? 'with' : 'without'} tls: a memory node with another key is refused as an impostor, naming the node and address`, async () => {
      const { node, port } = await startNode(tls, strangerKey);
      // A node started by hand needs a real port (port 0 is for 'cluster up', which tells the others
      // where it bound). Nothing connects to p0 here; a port free a moment ago on a loopback address
      // of its own (127.x.y.z, not the 127.0.0.1 other jobs use) stays free for the node to bind.
      const ownAddress = await freeLoopbackAddress();
      try {
        await assert.rejects(VerbConnection.open('127.0.0.1', port, identity(0, tls), expectM0(tls)), (error: Error) => {
          assert.ok(error instanceof ServerIdentityRefused, `${error.name}: ${error.message}`);
          assert.match(error.message, new RegExp(`^m0 at 127\\.0\\.0\\.1:${port} .*refused as an impostor`));
          return true;
        });
        assert.equal(node.connectionCounters.authenticated, tls ? 0 : 1, 'with tls the impostor is refused before the process proves anything');
      } finally {
        await node.close();
      }
    });
  }

  it('a memory node without a key (an old cluster) cannot satisfy a process that expects one', async () => {
    const { node, port } = await startNode(false, null);
    try {
      await assert.rejects(VerbConnection.open('127.0.0.1', port, identity(0, false), expectM0(false)), /m0 at 127\.0\.0\.1:\d+ gave no proof of its identity \(a node without its key, or not m0\): refused as an impostor/);
      // A process given no key for it (the old behaviour) still connects.
      const connection = await VerbConnection.open('127.0.0.1', port, identity(0, false), 'm0');
      assert.equal((await connection.request(increment)).code, statusCodes.ok);
      connection.close();
    } finally {
      await node.close();
    }
  });

  it('a process gives up on an impostor at once (no retrying until the connect timeout), with the error naming the node', async () => {
    const { node, port } = await startNode(true, strangerKey);
    const host = new ProcessHost(
      { self: 0, processCount: 1, memoryCount: 1, regions, publicKeys: [processKeys[0].publicKey], identity: processKeys[0], seed: 1, unitMicroseconds: 1, listen: { host: '127.0.0.1', port: 0 }, memoryKeys: [memoryKey.publicKey], tls: true },
      () => {},
    );
    try {
      await host.listen();
      // With a 10-minute retry window, only giving up at once lets this finish within the test's time.
      await assert.rejects(host.connect([{ host: '127.0.0.1', port }], [null], 600_000), (error: Error) => error instanceof ServerIdentityRefused && /^m0 at 127\.0\.0\.1:\d+ presented key .* refused as an impostor/.test(error.message));
    } finally {
      await host.close();
      await node.close();
    }
  });
});

describe('wire security: mnm node against a stranger', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'mnm-wire-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const main = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');

  for (const tls of [false, true]) {
    it(`${tls ? 'with' : 'without'} tls: stops with one line naming the node and address (exit 2), not retrying until its connect timeout`, async () => {
      const { node, port } = await startNode(tls, strangerKey);
      // A node started by hand needs a real port (port 0 is for 'cluster up', which tells the others
      // where it bound). Nothing connects to p0 here; a port free a moment ago on a loopback address
      // of its own (127.x.y.z, not the 127.0.0.1 other jobs use) stays free for the node to bind.
      const ownAddress = await freeLoopbackAddress();
      try {
        // The cluster's m0 has memoryKey; the node on its port holds strangerKey. p1 and p2 are nowhere: retried, then abandoned with the rest.
        const keys = join(scratch, `keys-${tls}.json`);
        const file = join(scratch, `cluster-${tls}.json`);
        const extra = [generateKeyPair(), generateKeyPair()];
        writeFileSync(keys, JSON.stringify({ p0: processKeys[0].privateKey }));
        writeFileSync(
          file,
          JSON.stringify({
            processes: [processKeys[0], ...extra].map((pair, index) => ({ id: `p${index}`, publicKey: pair.publicKey, address: index === 0 ? ownAddress : '127.0.0.1:1' })),
            memories: [0, 1, 2].map((index) => ({ id: `m${index}`, publicKey: index === 0 ? memoryKey.publicKey : extra[index - 1].publicKey, address: `127.0.0.1:${index === 0 ? port : 1}` })),
            run: { protocol: 'register', ops: 2 },
            keys,
            tls,
          }),
        );
        const child = spawn(process.execPath, [main, 'node', '--config', file, '--id', 'p0', '--exit', '--connect-timeout', '600000'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        const code = await new Promise<number | null>((done) => child.on('exit', done));
        assert.equal(code, 2, stderr);
        assert.match(stderr, new RegExp(`^mnm node: p0: m0 at 127\\.0\\.0\\.1:${port} .*refused as an impostor\n$`));
      } finally {
        await node.close();
      }
    });
  }
});

describe('wire security: mutual tls', () => {
  let node: MemoryNode;
  let port: number;
  before(async () => ({ node, port } = await startNode(true)));
  after(() => node.close());

  it('with the right keys the handshake works and verbs run', async () => {
    const connection = await VerbConnection.open('127.0.0.1', port, identity(0, true), expectM0(true));
    assert.equal(connection.target, 'm0');
    const write = await connection.request({ verb: 'write', region: 0, offset: 8, data: Buffer.alloc(8, 9) });
    assert.equal(write.code, statusCodes.ok);
    const read = await connection.request({ verb: 'read', region: 0, offset: 8, length: 8 });
    assert.deepEqual(read.body, Buffer.alloc(8, 9));
    connection.close();
  });

  it('refuses a client whose certificate carries no process key, and one whose certificate is another process than it claims', async () => {
    const stranger: Identity = { process: 0, key: privateKeyObject(processKeys[0]), tls: tlsCredentials('p0', strangerKey) };
    await assert.rejects(VerbConnection.open('127.0.0.1', port, stranger, expectM0(true)), /m0 at 127\.0\.0\.1:\d+ refused p0 before its challenge: unauthenticated the client's certificate carries no process key of this cluster$/);
    const mixed: Identity = { process: 0, key: privateKeyObject(processKeys[0]), tls: tlsCredentials('p1', processKeys[1]) };
    await assert.rejects(VerbConnection.open('127.0.0.1', port, mixed, expectM0(true)), /m0 refused p0: unauthenticated the tls certificate is p1's, the auth frame claims p0/);
  });

  it('a client without tls against a tls node, and a tls client against a node without, fail with a clear error', async () => {
    await assert.rejects(VerbConnection.open('127.0.0.1', port, identity(0, false), expectM0(false)), /m0 at 127\.0\.0\.1:\d+ closed the connection during authentication \(a refused identity, or a node that expects tls\)/);
    const plain = await startNode(false);
    try {
      await assert.rejects(VerbConnection.open('127.0.0.1', plain.port, identity(0, true), expectM0(true)), /m0 at 127\.0\.0\.1:\d+: tls failed: wrong version number \(is it running without tls\?\)$/);
    } finally {
      await plain.node.close();
    }
  });

  it('the register scenario runs over tls between OS processes and keeps its properties (regular reads)', async () => {
    const options = resolveOptions({ protocol: 'register', seed: 3, latency: 'unit', faults: 'none', backend: 'tcp', ops: 12 });
    const scenario = findScenario('register') as Scenario;
    const unit = timeUnitMicroseconds(options);
    const result = await runTcp({
      processCount: options.n,
      memoryCount: options.memories,
      regions: scenario.regions(options),
      body: { module: new URL('../scenarios/workerEntry.js', import.meta.url).href, export: 'scenarioBody', args: { options } },
      seed: options.seed,
      unitMicroseconds: unit,
      faults: realBackendFaults([], 'tcp'),
      deadlineMilliseconds: 60_000,
      tls: true,
    });
    assert.deepEqual(result.errors, []);
    assert.equal(result.end, 'done');
    const report = judgedReport(scenario, options, [], result, { metrics: null, traceHash: null, details: { backend: 'tcp' } });
    assert.ok(report.ok, JSON.stringify(report.violations));
    assert.ok(report.history.filter((event) => event.type === 'invoke').length >= options.n, `${report.history.length} history events`);
  });
});

/** An address on a random loopback host (127.x.y.z) with a port that was free a moment ago. */
async function freeLoopbackAddress(): Promise<string> {
  const host = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const probe = createServer();
  await new Promise<void>((done, fail) => probe.once('error', fail).listen(0, host, () => done()));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((done) => probe.close(() => done()));
  return `${host}:${port}`;
}
