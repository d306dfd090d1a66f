import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { capturedMain } from '../_capturedMain.js';
import { consensusTable, measureLogs } from './consensus.js';

describe('mnm table consensus: the logs', () => {
  it('measures Mu, PMP-log and Multi-Paxos per commit: 2 delays each; Mu one write per replica log and no follower message', async () => {
    const rows = await measureLogs();
    assert.equal(rows.length, 6);
    const row = (algorithm: string, f: number) => rows.find((one) => one.algorithm === algorithm && one.f === f) as Record<string, unknown>;
    for (const f of [1, 2]) {
      const mu = row('mu', f);
      const pmpLog = row('pmp-log', f);
      const multiPaxos = row('multi-paxos', f);
      for (const measured of [mu, pmpLog, multiPaxos]) {
        assert.equal(measured.delays, 2, `${measured.algorithm} f=${f}`);
        assert.equal(measured.toleranceVerified, true, `${measured.algorithm} f=${f}`);
        assert.ok((measured.commits as number) >= 5, `${measured.algorithm} f=${f}: measured over several commits`);
        assert.match(String(measured.traceHash), /^sha256:/);
      }
      // Mu: n = 2f+1 replicas, a write to each log, nothing for a follower's CPU.
      assert.equal(mu.processes, 2 * f + 1);
      assert.equal(mu.verbs, 2 * f + 1);
      assert.equal(mu.messages, 0);
      assert.equal(mu.followerSteps, 0);
      assert.deepEqual([mu.toleratesProcessCrashes, mu.toleratesMemoryCrashes], [f, f]);
      // PMP-log: a write to each of the 2f+1 memories; the leader tells each follower the decision.
      assert.equal(pmpLog.verbs, 2 * f + 1);
      assert.equal(pmpLog.followerSteps, 1);
      // Multi-Paxos: accept, accepted and the decision per follower, all messages; a follower handles the accept and the decision.
      assert.equal(multiPaxos.verbs, 0);
      assert.equal(multiPaxos.messages, 3 * 2 * f);
      assert.equal(multiPaxos.followerSteps, 2);
    }
    const text = consensusTable.render({ rows: [], logs: rows });
    assert.match(text, /Replicated logs, per commit/);
    assert.match(text, /^mu +1 +3 +3 +1\/1 verified +2 +3 +0 /m);
    // A row reproduces from its replay command.
    const mu = row('mu', 1);
    const rerun = await capturedMain(...String(mu.replay).split(' ').slice(1));
    assert.equal(JSON.parse(rerun.stdout).traceHash, mu.traceHash, String(mu.replay));
  });
});
