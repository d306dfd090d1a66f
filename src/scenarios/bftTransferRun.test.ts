import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunOptions } from './index.js';
import type { NoteEvent } from '../fabric/index.js';

/**
 * State transfer in whole `bft` runs (specs/bft-consensus.md §2.7): a
 * replica paused while the others run past 2W instances and drop their
 * state catches up by one STATE, then decides and executes normally.
 */

async function notedRun(options: RunOptions): Promise<{ ok: boolean; violations: string[]; notes: NoteEvent[]; details: Record<string, unknown> }> {
  // The trace is long (every verb): keep only its note lines, chunk by chunk.
  const notes: NoteEvent[] = [];
  let rest = '';
  const take = (line: string) => {
    if (!line.includes('"type":"note"')) return;
    const event = JSON.parse(line) as { t: number; p: number; kind: string; detail?: NoteEvent['detail'] };
    notes.push({ time: event.t, process: event.p, kind: event.kind, ...(event.detail ? { detail: event.detail } : {}) });
  };
  const report = await runScenario(options, 'hash', {
    trace: (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) take(line);
    },
  });
  take(rest);
  return { ok: report.ok, violations: report.violations.map((violation) => `${violation.property}: ${violation.detail}`), notes, details: report.details };
}

describe('bft state transfer in a run (§2.7)', () => {
  it('p2 paused while p0 and p1 run past 2W instances (W = 4) catches up by STATE, then decides and executes normally', async () => {
    // W = 4 (2W = 8); 2 clients × 5 calls, one request per instance: p0 and p1 decide 10 instances while p2 sleeps.
    const run = await notedRun({ protocol: 'bft', seed: 1, latency: 'unit', faults: 'none', ops: 5, f: 1, window: 4, pause: 'p2@10+600' });
    assert.equal(run.ok, true, run.violations.join('\n'));
    const of = (kind: string, process: number) => run.notes.filter((note) => note.kind === kind && note.process === process);
    const skips = of('bft-skip', 2).map((note) => ({ from: Number(note.detail?.from), to: Number(note.detail?.to) }));
    assert.equal(skips.length, 1, JSON.stringify(skips));
    const [skip] = skips;
    assert.ok(skip.to - skip.from + 1 >= 2 * 4, `p2 skipped ${skip.from}..${skip.to}`);
    // The others had dropped their state below their newest CP: a FETCH, not BATCH/COMMIT replays, brought p2 back.
    assert.ok(of('bft-fetch', 2).length >= 1);
    const skippedAt = of('bft-skip', 2)[0].time;
    const after = of('bft-decide', 2).filter((note) => note.time > skippedAt && Number(note.detail?.i) > skip.to);
    assert.ok(after.length >= 1, 'p2 decides instances past the snapshot');
    const executedAfter = of('bft-execute', 2).filter((note) => note.time > skippedAt);
    assert.ok(executedAfter.length >= 1, 'and executes them');
    assert.ok(executedAfter.every((note) => Number(note.detail?.i) > skip.to));
    // The KV states agree: p2's final digest is the others' (the snapshot plus what it executed after).
    const finals = run.notes.filter((note) => note.kind === 'kv-state');
    const byApplied = new Map<number, Set<string>>();
    for (const note of finals) {
      const set = byApplied.get(Number(note.detail?.applied)) ?? new Set<string>();
      set.add(String(note.detail?.digest));
      byApplied.set(Number(note.detail?.applied), set);
    }
    for (const [applied, digests] of byApplied) assert.equal(digests.size, 1, `replicas at ${applied} instances hold different states`);
    assert.deepEqual(run.details.transfer && (run.details.transfer as { skips: number }).skips, 1);
  });
});
