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
    writeFileSync(
      file,
      JSON.stringify({
        processes: pairs.map((pair, index) => ({ id: `p${index}`, publicKey: pair.publicKey, address: `${subnet}.1:${7600 + index}` })),
        memories: memoryPairs.map((pair, index) => ({ id: `m${index}`, publicKey: pair.publicKey, address: `${subnet}.2:${7500 + index}` })),
        run: { protocol: 'register', ops: 10 },
        keys,
      }),
    );
    for (const memory of [0, 1, 2]) {
      const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, main, 'memory-node', '--config', file, '--id', `m${memory}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      await new Promise<void>((ready, fail) => {
        child.stderr?.on('data', (chunk: Buffer) => (chunk.toString().includes('listening') ? ready() : undefined));
        child.once('exit', (code) => fail(new Error(`m${memory} exited (${code})`)));
      });
    }
    const before = rxBytes();
    const epoch = String(performance.timeOrigin + performance.now());
    const runs = [0, 1].map(
      (process_) =>
        new Promise<{ code: number | null; history: string }>((done) => {
          const history = join(scratch, `p${process_}.jsonl`);
          const child = spawn(process.execPath, [main, 'node', '--config', file, '--id', `p${process_}`, '--history', history, '--epoch', epoch, '--exit', '--connect-timeout', '10000'], { stdio: ['ignore', 'ignore', 'inherit'] });
          children.push(child);
          child.once('exit', (code) => done({ code, history: readFileSync(history, 'utf8') }));
        }),
    );
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
