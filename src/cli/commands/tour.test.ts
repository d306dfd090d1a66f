import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturedMain as mnm } from '../_capturedMain.js';
import { traceFileName } from './tour.js';
import { deliveredByK, deliveredLine, notesOf } from './tourBroadcast.js';

/**
 * `mnm tour` (what `npm start` runs): every stop shows what its title says,
 * from its own run's figures, and writes its trace. One run of the whole
 * tour, checked stop by stop.
 */
describe('mnm tour', () => {
  it('runs every stop, shows what each is about, and writes each trace', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnm-tour-'));
    try {
      const traces = join(directory, 'traces');
      const { code, stdout, stderr } = await mnm('tour', '--json', '--traces', traces);
      assert.equal(code, 0, stderr);
      const tour = JSON.parse(stdout);
      assert.equal(tour.stops.length, 16);
      assert.equal(tour.traces, traces);
      assert.equal(tour.stops[0].metrics.byFunction.write.delaysMedian, 2);
      assert.equal(tour.stops[2].blocked, true);
      assert.equal(tour.stops[3].ok, false, 'the broken variant is caught');
      assert.equal(tour.stops[4].ok, true, 'the register stays regular');
      assert.equal(tour.stops[4].linearizable, false, 'but a new/old inversion is found');
      assert.equal(tour.stops[5].ok, true);
      assert.equal(tour.stops[6].ok, true);
      assert.equal(tour.stops[7].ok, false, 'the scripted straggler breaks the mutant');
      assert.ok(tour.stops[7].violations.some((violation: { property: string }) => violation.property === 'agreement'));
      // Mu: one round trip per commit, a write per replica log, nothing for a follower's CPU; then a fail-over.
      const mu = tour.stops[8];
      assert.equal(mu.ok, true);
      assert.deepEqual([mu.facts.delays, mu.facts.writesPerCommit, mu.facts.messagesPerCommit, mu.facts.followerSteps], [2, 3, 0, 0]);
      assert.equal(mu.facts.successor, 1);
      assert.ok(mu.facts.leadingAt > mu.facts.crashAt && mu.facts.firstCommitAt >= mu.facts.leadingAt, JSON.stringify(mu.facts));
      // SWARM: Safe-Guess in one round trip with a memory down; under contention and skew, some writes leave the fast path, and the history stays linearizable.
      const [solo, contended] = [tour.stops[9], tour.stops[10]];
      assert.equal(solo.ok, true);
      assert.deepEqual([solo.facts.writeP50, solo.facts.readP50, solo.facts.writeOneRoundTrip, solo.facts.readOneRoundTrip], [1, 1, 1, 1]);
      assert.equal(contended.ok, true);
      assert.equal(contended.facts.linearizable, true);
      assert.ok(contended.facts.writePaths.fast > 0 && contended.facts.writePaths.fast < contended.facts.work.writes, JSON.stringify(contended.facts));

      // CB, fast path: every correct process delivers on it, and no signature is made or verified.
      const fast = tour.stops[11];
      assert.equal(fast.ok, true);
      assert.equal(fast.facts.fastDeliveries, fast.facts.processes);
      assert.equal(fast.facts.slowDeliveries, 0);
      assert.deepEqual([fast.facts.signaturesMade, fast.facts.signaturesVerified], [0, 0]);
      // An equivocating sender: it split the correct replicators (its own note), yet every k delivered is one message at every correct process that delivers it.
      const equivocating = tour.stops[12];
      assert.equal(equivocating.ok, true, 'consistency holds');
      assert.ok(equivocating.facts.adversaryEffects.some((effect: string) => /equivocating-sender.*adopted different values/.test(effect)), JSON.stringify(equivocating.facts));
      assert.equal(equivocating.facts.oneMessagePerK, true);
      assert.ok(equivocating.facts.delivered.length >= 1 && equivocating.facts.delivered.every((entry: { messages: string[]; processes: number[] }) => entry.messages.length === 1 && entry.processes.length >= 1));
      assert.ok(equivocating.facts.equivocationProofs + equivocating.facts.signaturesRejected > 0, 'the readers saw through it');
      // Slow path: a silent replicator; the correct sender signs once, after its timeout, and the others verify it.
      const slow = tour.stops[13];
      assert.equal(slow.ok, true);
      assert.equal(slow.facts.signaturesMade, 1);
      assert.ok(slow.facts.signaturesVerified >= 1);
      assert.equal(slow.facts.fastDeliveries, 0);
      assert.equal(slow.facts.slowDeliveries, slow.facts.processes - 1);
      assert.ok(slow.facts.signedAt >= slow.facts.signTimeout && slow.facts.firstDeliveryAt > slow.facts.signedAt, JSON.stringify(slow.facts));
      assert.ok(slow.facts.delaysMedian > fast.facts.delaysMedian);

      // bft on CB: the fast path decides with no signature at all (the CB streams' included), all n replicas promising.
      const bftFast = tour.stops[14];
      assert.equal(bftFast.ok, true);
      assert.deepEqual(bftFast.facts.decisions, { fast: 3, slow: 0 });
      assert.equal(bftFast.facts.signaturesMade, 0);
      assert.ok(bftFast.facts.messagesPerDecision > 0 && bftFast.facts.delaysToDecide > 0, JSON.stringify(bftFast.facts));
      // A faulty leader: suspected, replaced through NEW_VIEW(1) by p1; decisions continue in view 1 and every call completes.
      const bftView = tour.stops[15];
      assert.equal(bftView.ok, true);
      assert.equal(bftView.facts.views, 1);
      assert.equal(bftView.facts.newLeader, 1);
      assert.ok(bftView.facts.enteredAt > bftView.facts.suspectedAt && bftView.facts.viewChangeSignaturesMade > 0, JSON.stringify(bftView.facts));
      assert.ok(bftView.facts.decidedLater.length >= 1);
      assert.equal(bftView.facts.callsOk, 3);

      // Each stop's trace: NN-<name>.trace.jsonl, a header and the run's events, replayable to the same hash.
      const files = readdirSync(traces).sort();
      assert.deepEqual(files, [...tour.stops.map((stop: { name: string }, index: number) => traceFileName(index + 1, stop.name)), 'index.html']);
      // The tour ends in the viewer: one page with every stop's execution.
      assert.equal(tour.page, join(traces, 'index.html'));
      const page = readFileSync(tour.page, 'utf8');
      assert.deepEqual([...page.matchAll(/data-name="([^"]*)"/g)].map((match) => match[1]), tour.stops.map((stop: { name: string }, index: number) => `${index + 1}. ${stop.name}`));
      for (const stop of tour.stops) {
        assert.equal(stop.trace, join(traces, traceFileName(tour.stops.indexOf(stop) + 1, stop.name)));
        const header = JSON.parse(readFileSync(stop.trace, 'utf8').split('\n')[0]);
        assert.equal(header.type, 'header');
        assert.equal(header.seed, stop.seed, stop.name);
      }
      const replay = await mnm('replay', tour.stops[12].trace);
      assert.equal(replay.code, 0, replay.stdout + replay.stderr);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('a --traces path that cannot be a directory is exit 2, before any stop runs', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnm-tour-'));
    try {
      const file = join(directory, 'a-file');
      writeFileSync(file, 'x');
      const { code, stdout, stderr } = await mnm('tour', '--traces', join(file, 'below'));
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, /--traces: cannot write into/);
      assert.equal(existsSync(join(file, 'below')), false);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('reads deliveries per k from the notes: correct processes only, distinct messages, paths', () => {
    const trace = [
      { type: 'header' },
      { t: 6, type: 'note', p: 1, kind: 'deliver', detail: { s: 0, k: 1, m: 'a', path: 'fast' } },
      { t: 7, type: 'note', p: 0, kind: 'deliver', detail: { s: 0, k: 1, m: 'forged', path: 'fast' } },
      { t: 8, type: 'note', p: 2, kind: 'deliver', detail: { s: 0, k: 1, m: 'a', path: 'slow' } },
      { t: 9, type: 'verb.issue', p: 2 },
      { t: 20, type: 'note', p: 2, kind: 'deliver', detail: { s: 0, k: 2, m: 'b', path: 'slow' } },
      { t: 21, type: 'note', p: 1, kind: 'deliver', detail: { s: 1, k: 1, m: 'other sender', path: 'fast' } },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const notes = notesOf(trace);
    assert.equal(notes.length, 5);
    const delivered = deliveredByK(notes, (process) => process !== 0);
    assert.deepEqual(delivered, [
      { k: 1, messages: ['a'], processes: [1, 2], paths: ['fast', 'slow'] },
      { k: 2, messages: ['b'], processes: [2], paths: ['slow'] },
    ]);
    assert.equal(deliveredLine(delivered), 'k=1: "a" (fast/slow) by p1, p2; k=2: "b" (slow) by p2');
    // A Byzantine process's own deliveries would show two messages for k = 1: it is not counted.
    assert.deepEqual(deliveredByK(notes, () => true)[0].messages, ['a', 'forged']);
  });
});
