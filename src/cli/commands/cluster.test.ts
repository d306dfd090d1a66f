import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '../../tcp/identity.js';
import { isRunning } from './cluster.js';
import { checkRegular, type RegisterEvent } from '../../check/regular.js';

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

/** The live nodes `cluster up` started for this cluster file (their command lines name it and carry --ipc), found in /proc. */
function nodesRunningFor(file: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let words: string[];
    try {
      words = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // ended meanwhile
    }
    if (words.includes(file) && words.includes('--ipc') && isRunning(Number(entry))) pids.push(Number(entry));
  }
  return pids;
}

/** Waits until no node of the file runs; the deadline only fires on a hang. */
async function nodesGone(file: string): Promise<number[]> {
  const deadline = Date.now() + 30_000;
  let running = nodesRunningFor(file);
  while (running.length > 0 && Date.now() < deadline) {
    await new Promise((wait) => setTimeout(wait, 50));
    running = nodesRunningFor(file);
  }
  return running;
}

const withoutProc = existsSync('/proc/self/cmdline') ? false : 'needs /proc to find the nodes a cluster started';

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
    // The per-node histories merged in time order, in the checker's format: 'mnm check' reads it.
    const merged = /merged history: (\S+)/.exec(stdout)?.[1] as string;
    assert.ok(merged, stdout);
    const events = readFileSync(merged, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { process: number; time: number });
    assert.equal(events.length, 60);
    assert.deepEqual(new Set(events.map((event) => event.process)), new Set([0, 1, 2]));
    for (let index = 1; index < events.length; index++) assert.ok(events[index - 1].time <= events[index].time, `line ${index + 1} is in time order`);
    // The replicated register is regular, not atomic: with real concurrency a read overlapping a write
    // may return the old value after another read returned the new one, which linearizability forbids
    // and regularity allows. So the merged history is judged regular here, and 'mnm check' must read
    // it whole and give a verdict (linearizable or not), not refuse it.
    assert.deepEqual(checkRegular(readFileSync(merged, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as RegisterEvent)), []);
    const check = await mnm('check', merged, '--model', 'register');
    assert.ok(check.code === 0 || check.code === 1, check.stdout + check.stderr);
    const verdict = /: ((?:NOT )?linearizable) \(register, mnm, 30 operations/.exec(check.stdout)?.[1];
    assert.ok(verdict, check.stdout);
    // The state directory read as per-node files gives the same operations and verdict: the merged file is not counted twice.
    const checkDirectory = await mnm('check', state, '--model', 'register');
    assert.equal(checkDirectory.code, check.code, checkDirectory.stdout + checkDirectory.stderr);
    assert.match(checkDirectory.stdout, new RegExp(`: ${verdict} \\(register, .*30 operations`));
  });

  it('a memory node killed with SIGKILL is a crash: PMP still decides; down stops the rest', async () => {
    const file = await clusterFile('pmp', { protocol: 'pmp', workload: 'stable' });
    started.push(file);
    const state = join(scratch, 'state-pmp.json');
    // Start the memory nodes and processes, crash m2 at once, then let them finish.
    const up = await mnm('cluster', 'up', '--config', file, '--state', state);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /^listening: m0 127\.0\.0\.1:\d+, m1 .*, p2 127\.0\.0\.1:\d+$/m);
    assert.ok(up.stdout.includes(`stop them with: mnm cluster down --config ${file} --state ${state}\n`), up.stdout);
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

  it('a node that exits before it listens (p1 has no key) stops every node started, with one line naming it', { skip: withoutProc }, async () => {
    const file = await clusterFile('nokey', { protocol: 'register', ops: 10, seed: 2 });
    const cluster = JSON.parse(readFileSync(file, 'utf8')) as { keys: string };
    const keys = JSON.parse(readFileSync(cluster.keys, 'utf8')) as Record<string, string>;
    delete keys.p1;
    writeFileSync(cluster.keys, JSON.stringify(keys));
    started.push(file);
    const { code, stdout, stderr } = await mnm('cluster', 'up', '--config', file, '--state', join(scratch, 'state-nokey.json'), '--wait', '--timeout', '20000');
    assert.equal(code, 2, stdout + stderr);
    assert.match(stderr, /^mnm cluster: p1 did not start: key file '[^']+' has no base64 32-byte private key for p1 \(exit 2\); log: \S+p1\.log; stopped 5 node\(s\)\n$/);
    assert.deepEqual(await nodesGone(file), [], 'no node of the cluster is left running');
  });

  it('SIGINT during up --wait stops every node it started and exits 130', { skip: withoutProc }, async () => {
    // Far more operations than can finish before the signal: the run is still going when it comes.
    const file = await clusterFile('interrupt', { protocol: 'register', ops: 100_000, seed: 3 });
    started.push(file);
    const child = spawn(process.execPath, [main, 'cluster', 'up', '--config', file, '--state', join(scratch, 'state-interrupt.json'), '--wait', '--timeout', '600000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
    await new Promise<void>((listening) =>
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('listening: ')) listening();
      }),
    );
    assert.equal(nodesRunningFor(file).length, 6, 'all six nodes run before the signal');
    child.kill('SIGINT');
    const { code, signal } = await exited;
    assert.deepEqual({ code, signal }, { code: 130, signal: null }, stdout + stderr);
    assert.match(stderr, /^mnm cluster: interrupted \(SIGINT\): stopped 6 node\(s\) of /m);
    assert.deepEqual(await nodesGone(file), [], 'no node of the cluster is left running');
  });

  it('up --wait does not wait for a process whose OS process ended (a crash): it reports it unfinished, with how it ended', { timeout: 300_000 }, async () => {
    const file = await clusterFile('crashed', { protocol: 'register', ops: 100_000, seed: 4 });
    started.push(file);
    // --timeout far beyond the test's own: only noticing the ended processes lets the run end in time.
    const child = spawn(process.execPath, [main, 'cluster', 'up', '--config', file, '--state', join(scratch, 'state-crashed.json'), '--wait', '--timeout', '3600000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await new Promise<void>((listening) =>
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('listening: ')) listening();
      }),
    );
    const pids = [...stdout.matchAll(/(p\d) \(pid (\d+)\)/g)].map((match) => Number(match[2]));
    assert.equal(pids.length, 3, stdout);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    assert.equal(await exited, 3, stdout + stderr);
    assert.match(stdout, /unfinished: p0 \(ended: killed by SIGKILL\), p1 \(ended: killed by SIGKILL\), p2 \(ended: killed by SIGKILL\)\n/);
  });

  it('a process node whose cluster up goes away before sending the addresses ends with one line (never hangs listening)', { timeout: 120_000 }, async () => {
    const file = await clusterFile('orphan', { protocol: 'register', ops: 10 }, 2, 1);
    const child = spawn(process.execPath, [main, 'node', '--config', file, '--id', 'p0', '--ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const address = await new Promise<string>((listening) => child.on('message', (message: { type: string; address: string }) => message.type === 'listening' && listening(message.address)));
    assert.match(address, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(address, '127.0.0.1:0', 'it reports the port it bound');
    child.disconnect();
    assert.equal(await exited, 2, stderr);
    assert.equal(stderr, "mnm node: p0: 'cluster up' went away before it sent the nodes' addresses\n");
    const withoutChannel = await mnm('node', '--config', file, '--id', 'p0', '--ipc');
    assert.equal(withoutChannel.code, 2);
    assert.equal(withoutChannel.stderr, "mnm node: --ipc is for nodes started by 'mnm cluster up' (this one has no IPC channel)\n");
  });

  it('the example cluster files use different ports (both can run at once)', () => {
    const examples = resolve(dirname(main), '..', '..', 'examples');
    const ports = (name: string) =>
      (JSON.parse(readFileSync(join(examples, name), 'utf8')) as { processes: { address: string }[]; memories: { address: string }[] }).processes
        .concat((JSON.parse(readFileSync(join(examples, name), 'utf8')) as { memories: { address: string }[] }).memories)
        .map((node) => Number(node.address.split(':').pop()));
    const local = ports('cluster-local.json');
    const pmp = ports('cluster-pmp.json');
    assert.equal(local.length, 6);
    assert.equal(pmp.length, 6);
    assert.deepEqual(local.filter((port) => pmp.includes(port)), []);
  });

  it('rejects bad ids, missing keys and bad files with one line', async () => {
    const file = await clusterFile('bad', { protocol: 'register' }, 2, 1);
    const wrongId = await mnm('memory-node', '--config', file, '--id', 'm5');
    assert.equal(wrongId.code, 2);
    assert.match(wrongId.stderr, /^mnm memory-node: --id m5: expected m0..m0\n$/);
    const noKey = await mnm('node', '--config', file, '--id', 'p1', '--key', join(scratch, 'missing.json'));
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /^mnm node: cannot read key file/);
    // Port 0 (any port) is for nodes that cluster up starts: a node started by hand could not find the others.
    const anyPort = await mnm('node', '--config', file, '--id', 'p1');
    assert.equal(anyPort.code, 2);
    assert.match(anyPort.stderr, /^mnm node: m0's address 127\.0\.0\.1:0 means any port: only 'mnm cluster up' can tell the nodes which one it bound\n$/);
    writeFileSync(join(scratch, 'broken.json'), '{"processes": [{"id": "p1"}]}');
    const broken = await mnm('cluster', 'up', '--config', join(scratch, 'broken.json'));
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /processes\[0\]: id must be 'p0'/);
  });
});
