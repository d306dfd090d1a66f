import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { main } from './main.js';
import type { CommandIO } from './command.js';

/** `snapshot-full` (specs/bft-consensus.md §2.7.2) as `mnm run` reports it: `sizing` in --json, exit 3. */
describe('mnm run bft: snapshot-full', () => {
  it('`--workload bulk`: a store past the 64 KiB snapshot cap ends the run with snapshot-full (--json sizing, exit 3), the properties holding', async () => {
    let stdout = '';
    let stderr = '';
    const io: CommandIO = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), stderrIsTerminal: false };
    const code = await main(['run', 'bft', '--f', '1', '--seed', '1', '--ops', '6', '--workload', 'bulk', '--json'], io);
    const report = JSON.parse(stdout) as { ok: boolean; sizing?: string; details: { sizing: string | null; executed: number } };
    assert.equal(code, 3, stderr);
    assert.equal(report.sizing, 'snapshot-full');
    assert.equal(report.ok, true);
    // Each replica ran the W/2 = 4 instances before the first checkpoint, no further.
    assert.ok(report.details.executed > 0);
    // The same calls without the preloaded store: no sizing verdict, exit 0.
    stdout = '';
    assert.equal(await main(['run', 'bft', '--f', '1', '--seed', '1', '--ops', '6', '--json'], io), 0, stderr);
    assert.equal((JSON.parse(stdout) as { sizing?: string }).sizing, undefined);
  });
});
