import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '../../tcp/identity.js';
import { isRunning } from './cluster.js';

/**
 * The cluster commands as a user runs them: OS processes on loopback,
 * started by `mnm cluster up`, stopped by `mnm cluster down`, one of them
 * SIGKILLed as a crash. Every test stops what it started, also on failure.
 */
const main = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'main.js');
const scratch = mkdtempSync(join(tmpdir(), 'mnm-cluster-test-'));

/** A cluster file on loopback whose nodes bind any free port (port 0): `cluster up` learns where each one bound, so no port is probed and then lost to another job. */
async function clusterFile(name: string, run: Record<string, unknown>, processes = 3, memories = 3): Promise<string> {
  const pairs = Array.from({ length: processes }, generateKeyPair);
  const keys = join(scratch, `${name}-keys.json`);
  writeFileSync(keys, JSON.stringify(Object.fromEntries(pairs.map((pair, index) => [`p${index}`, pair.privateKey]))));
  const file = join(scratch, `${name}.json`);
  const cluster = {
    processes: pairs.map((pair, index) => ({ id: `p${index}`, publicKey: pair.publicKey, address: '127.0.0.1:0' })),
    memories: Array.from({ length: memories }, (_, index) => ({ id: `m${index}`, address: '127.0.0.1:0' })),
    run,
    keys,
  };
  writeFileSync(file, JSON.stringify(cluster, null, 2));
  return file;
}

function mnm(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

const started: string[] = [];
after(() => {
  for (const file of started) spawnSync(process.execPath, [main, 'cluster', 'down', '--config', file, '--state', join(scratch, 'state-' + file.split('/').pop())]);
  rmSync(scratch, { recursive: true, force: true });
});

describe('mnm cluster', () => {
  it('up --wait runs the register on memory nodes and processes in separate OS processes, and checks it', async () => {
    const file = await clusterFile('register', { protocol: 'register', ops: 10, seed: 2 });
    started.push(file);
    const state = join(scratch, 'state-register.json');
    const { code, stdout, stderr } = await mnm('cluster', 'up', '--config', file, '--state', state, '--wait', '--timeout', '60000');
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /started m0 \(pid \d+\), m1.*p2 \(pid \d+\)/);
    assert.match(stdout, /60 history events from 3 processes; all finished/);
    assert.match(stdout, /properties: all hold/);
  });

  it('a memory node killed with SIGKILL is a crash: PMP still decides; down stops the rest', async () => {
    const file = await clusterFile('pmp', { protocol: 'pmp', workload: 'stable' });
    started.push(file);
    const state = join(scratch, 'state-pmp.json');
    // Start the memory nodes and processes, crash m2 at once, then let them finish.
    const up = await mnm('cluster', 'up', '--config', file, '--state', state);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const nodes = (JSON.parse(readFileSync(join(state, 'pids.json'), 'utf8')) as { nodes: { id: string; pid: number }[] }).nodes;
    const historyOf = (process: number) => {
      try {
        return readFileSync(join(state, `p${process}.history.jsonl`), 'utf8');
      } catch {
        return '';
      }
    };
    // Once every process has invoked its operation it is connected to every memory node: crash m2 then.
    const deadline = Date.now() + 60_000;
    while ([0, 1, 2].some((process) => !historyOf(process).includes('"invoke"')) && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 20));
    process.kill(nodes.find((node) => node.id === 'm2')?.pid as number, 'SIGKILL');
    let done: string[] = [];
    while (done.length < 3 && Date.now() < deadline) {
      await new Promise((wait) => setTimeout(wait, 100));
      done = [0, 1, 2].filter((process) => historyOf(process).includes('"type":"done"')).map(String);
    }
    assert.equal(done.length, 3, 'every process finished its body');
    const decided = [0, 1, 2].map((process) => historyOf(process).split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((record) => record.type === 'history' && record.event.type === 'ok')?.event.value);
    assert.equal(new Set(decided).size, 1, `agreement: ${JSON.stringify(decided)}`);
    const down = await mnm('cluster', 'down', '--config', file, '--state', state);
    assert.equal(down.code, 0);
    assert.match(down.stdout, /stopped 5 node\(s\)/);
    for (const node of nodes) assert.equal(isRunning(node.pid), false, `${node.id} is gone`);
  });

  it('a port taken by another job between the probe and the bind stops the run with one line naming the node (the flaky-test race)', async () => {
    // The old suite probed free ports, released them, and let the nodes bind them later: another job could take one in between.
    // Here a listener that is not ours holds m0's port from the start, as that job would.
    const stranger = createServer((socket) => socket.on('error', () => {}));
    await new Promise<void>((listening) => stranger.listen(0, '127.0.0.1', listening));
    try {
      const file = await clusterFile('taken', { protocol: 'register', ops: 10, seed: 2 });
      const cluster = JSON.parse(readFileSync(file, 'utf8')) as { memories: { address: string }[] };
      cluster.memories[0].address = `127.0.0.1:${(stranger.address() as { port: number }).port}`;
      writeFileSync(file, JSON.stringify(cluster, null, 2));
      started.push(file);
      const { code, stdout, stderr } = await mnm('cluster', 'up', '--config', file, '--state', join(scratch, 'state-taken.json'), '--wait', '--timeout', '20000');
      assert.equal(code, 2, stdout + stderr);
      assert.match(stderr, /^mnm cluster: m0 .*EADDRINUSE.*\n$/);
    } finally {
      stranger.close();
    }
  });

  it('rejects bad ids, missing keys and bad files with one line', async () => {
    const file = await clusterFile('bad', { protocol: 'register' }, 2, 1);
    const wrongId = await mnm('memory-node', '--config', file, '--id', 'm5');
    assert.equal(wrongId.code, 2);
    assert.match(wrongId.stderr, /^mnm memory-node: --id m5: expected m0..m0\n$/);
    const noKey = await mnm('node', '--config', file, '--id', 'p1', '--key', join(scratch, 'missing.json'));
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /^mnm node: cannot read key file/);
    writeFileSync(join(scratch, 'broken.json'), '{"processes": [{"id": "p1"}]}');
    const broken = await mnm('cluster', 'up', '--config', join(scratch, 'broken.json'));
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /processes\[0\]: id must be 'p0'/);
  });
});
