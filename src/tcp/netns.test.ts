import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from './identity.js';

/**
 * Memory nodes in their own network namespace, processes in the root one,
 * joined by a veth pair: the verbs really cross an interface (counted on
 * it). Needs root and `ip netns`; skipped with a message saying why
 * otherwise. Cleans up the namespace and every child, also on failure.
 */
const main = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
const suffix = `${process.pid % 10000}`;
const namespace = `mnm-test-${suffix}`;
const hostSide = `mnmh${suffix}`;
const nsSide = `mnmn${suffix}`;
const subnet = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;

function ip(...args: string[]): { ok: boolean; error: string } {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: result.status === 0, error: (result.stderr || result.error?.message || '').trim() };
}

function setUp(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespaces need root (ip netns add); run the suite as root to include this test';
  const steps = [
    ['netns', 'add', namespace],
    ['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide],
    ['link', 'set', nsSide, 'netns', namespace],
    ['addr', 'add', `${subnet}.1/30`, 'dev', hostSide],
    ['link', 'set', hostSide, 'up'],
    ['netns', 'exec', namespace, 'ip', 'addr', 'add', `${subnet}.2/30`, 'dev', nsSide],
    ['netns', 'exec', namespace, 'ip', 'link', 'set', nsSide, 'up'],
    ['netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up'],
  ];
  for (const step of steps) {
    const result = ip(...step);
    if (!result.ok) return `this machine does not permit 'ip ${step.join(' ')}': ${result.error}`;
  }
  return null;
}

function tearDown(): void {
  ip('link', 'del', hostSide);
  ip('netns', 'del', namespace);
}

const skipReason = setUp();
const children: ChildProcess[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'mnm-netns-'));
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  tearDown();
  rmSync(scratch, { recursive: true, force: true });
});

function rxBytes(): number {
  return Number(readFileSync(`/sys/class/net/${hostSide}/statistics/rx_bytes`, 'utf8'));
}

describe('tcp across network namespaces', () => {
  it('runs the register with its memory nodes behind a veth pair, over mutual TLS (the default off loopback)', { skip: skipReason ?? false }, async () => {
    const pairs = [generateKeyPair(), generateKeyPair()];
    const memoryPairs = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
    const keys = join(scratch, 'keys.json');
    writeFileSync(keys, JSON.stringify({ p0: pairs[0].privateKey, p1: pairs[1].privateKey, ...Object.fromEntries(memoryPairs.map((pair, index) => [`m${index}`, pair.privateKey])) }));
    const file = join(scratch, 'cluster.json');
    // Port 0 everywhere: each node binds any free port and reports it over its IPC channel (--ipc, as under
    // 'mnm cluster up'); the processes then get every node's bound address. No port is probed and then lost to another job.
    writeFileSync(
      file,
      JSON.stringify({
        processes: pairs.map((pair, index) => ({ id: `p${index}`, publicKey: pair.publicKey, address: `${subnet}.1:0` })),
        memories: memoryPairs.map((pair, index) => ({ id: `m${index}`, publicKey: pair.publicKey, address: `${subnet}.2:0` })),
        run: { protocol: 'register', ops: 10 },
        keys,
      }),
    );
    const listening = (child: ChildProcess, id: string) =>
      new Promise<string>((ready, fail) => {
        child.on('message', (message: { type?: string; address?: string }) => (message.type === 'listening' ? ready(message.address as string) : undefined));
        child.once('exit', (code) => fail(new Error(`${id} exited (${code}) before it listened`)));
      });
    const memories: string[] = [];
    for (const memory of [0, 1, 2]) {
      // 'ip netns exec' execs node with the inherited IPC channel.
      const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, main, 'memory-node', '--config', file, '--id', `m${memory}`, '--ipc'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
      children.push(child);
      memories.push(await listening(child, `m${memory}`));
      child.disconnect();
    }
    const before = rxBytes();
    const histories = [0, 1].map((process_) => join(scratch, `p${process_}.jsonl`));
    const nodes = [0, 1].map((process_) => {
      const child = spawn(process.execPath, [main, 'node', '--config', file, '--id', `p${process_}`, '--history', histories[process_], '--exit', '--connect-timeout', '10000', '--ipc'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      children.push(child);
      return { child, exited: new Promise<number | null>((done) => child.once('exit', (code) => done(code))), address: listening(child, `p${process_}`) };
    });
    const processes = await Promise.all(nodes.map((node) => node.address));
    const epochMilliseconds = performance.timeOrigin + performance.now();
    for (const { child } of nodes) child.send({ type: 'addresses', memories, processes, epochMilliseconds }, () => child.disconnect());
    const runs = nodes.map(async ({ exited }, process_) => ({ code: await exited, history: readFileSync(histories[process_], 'utf8') }));
    const outcomes = await Promise.all(runs);
    for (const outcome of outcomes) {
      assert.equal(outcome.code, 0);
      assert.match(outcome.history, /"type":"done"/);
      assert.equal(outcome.history.split('\n').filter((line) => line.includes('"type":"ok"')).length, 10);
    }
    const crossed = rxBytes() - before;
    assert.ok(crossed > 10 * 64, `the verbs' replies crossed the veth interface (${crossed} bytes received on ${hostSide})`);
  });
});
