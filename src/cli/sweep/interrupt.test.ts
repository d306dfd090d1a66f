import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interruptedExitCode, watchInterrupts } from './interrupt.js';

const cli = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'), 'dist', 'cli', 'main.js');

/** Runs `mnm ARGS` as a child, sends `signal` once its stderr matches `ready`, and returns how it ended. */
async function interruptedChild(args: string[], ready: RegExp, signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => void (stdout += chunk));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  await new Promise<void>((done) =>
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (ready.test(stderr)) done();
    }),
  );
  child.kill(signal);
  return { code: await exited, stdout, stderr };
}

describe('interrupts', () => {
  it('the first signal aborts, then the listeners are gone (a second signal acts as usual)', () => {
    const before = process.listenerCount('SIGINT');
    const watch = watchInterrupts();
    assert.equal(process.listenerCount('SIGINT'), before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(watch.signal.aborted, true);
    assert.equal(watch.received(), 'SIGTERM');
    assert.equal(process.listenerCount('SIGINT'), before);
    watch.dispose();
  });

  it('SIGINT during mnm bench reports the suites finished and exits 130', async () => {
    const { code, stdout } = await interruptedChild(['bench', 'sweep'], /bench sweep: running/, 'SIGINT');
    assert.equal(code, interruptedExitCode);
    assert.equal(stdout, 'INTERRUPTED (SIGINT) during suite sweep; finished: none\n');
  });

  it('SIGTERM during a text sweep prints the partial summary with the failing seeds so far, exit 130', async () => {
    const args = ['sweep', 'register', '--latency', 'lan', '--mutant', 'minority-quorum', '--seeds', '1000000', '--workers', '2', '--progress'];
    const { code, stdout, stderr } = await interruptedChild(args, /\d+ violating/, 'SIGTERM');
    assert.equal(code, interruptedExitCode, stderr);
    assert.match(stdout, /^sweep register: (\d+) runs \(\1 of seeds 1\.\.1000000 finished\)/);
    assert.match(stdout, /\nfirst violation: seed \d+: regularity: /);
    assert.match(stdout, /\nreplay: mnm run register --seed \d+ /);
    assert.match(stdout, /INTERRUPTED \(SIGTERM\): partial summary; FAILED so far\n$/);
  });
});

describe('mnm check interrupted', () => {
  it('a signal during the search stops it: no verdict, {"interrupted": true}, exit 130', async () => {
    const { main } = await import('../main.js');
    let stdout = '';
    const io = { stdout: (text: string) => void (stdout += text), stderr: () => {}, stderrIsTerminal: false };
    const file = join(dirname(cli), '..', '..', 'fixtures', 'porcupine', 'jepsen', 'etcd_002.log');
    // main runs synchronously up to the search, which waits on its worker thread: the listener is in place when main returns its promise.
    const running = main(['check', file, '--json'], io);
    process.emit('SIGINT', 'SIGINT');
    assert.equal(await running, interruptedExitCode);
    const summary = JSON.parse(stdout);
    assert.equal(summary.interrupted, true);
    assert.equal(summary.verdict, 'interrupted');
    assert.ok(summary.operations > 0);
    assert.ok(summary.placed >= 0 && summary.placed <= summary.operations);
    // Uninterrupted, the same file has a verdict: the interrupt is what stopped it.
    stdout = '';
    assert.equal(await main(['check', file, '--json'], io), 0);
    assert.equal(JSON.parse(stdout).verdict, 'linearizable');
  });
});
