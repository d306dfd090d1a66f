import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';
import type { CommandIO } from './command.js';
import { historyLines } from './history.js';
import { runScenario } from '../scenarios/index.js';

describe('mnm run --trace/--history (streamed to their files)', () => {
  it('writes the same bytes as the run keeps in memory', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'mnm-run-files-'));
    const trace = join(scratch, 't.jsonl');
    const history = join(scratch, 'h.jsonl');
    let stdout = '';
    let stderr = '';
    const io: CommandIO = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), stderrIsTerminal: false };
    const code = await main(['run', 'register', '--seed', '6', '--faults', 'crash', '--ops', '3000', '--trace', trace, '--history', history], io);
    assert.equal(code, 0, stdout + stderr);
    assert.equal(stderr, '', 'no progress when stderr is not a terminal');
    const kept = await runScenario({ protocol: 'register', seed: 6, latency: 'unit', faults: 'crash', ops: 3000 }, 'full');
    assert.equal(readFileSync(trace, 'utf8'), kept.trace);
    assert.equal(readFileSync(history, 'utf8'), historyLines(kept.history));
    assert.ok(stdout.includes(kept.traceHash!), 'the printed hash is the hash of the written file');
  });

  it('shows progress with a rate and an estimate when stderr is a terminal', async () => {
    let stderr = '';
    const io: CommandIO = { stdout: () => {}, stderr: (text) => void (stderr += text), stderrIsTerminal: true };
    assert.equal(await main(['run', 'register', '--seed', '1', '--ops', '3000'], io), 0);
    assert.match(stderr, /operations \[[#.]+\] \d+\/9000 \d+ ops\/s, at most \d+ (s|min \d+ s) left/);
  });
});
