import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bftMarkdown, bftPlans, bftTable, measureBftRows } from './bft.js';

const fields = ['algorithm', 'path', 'f', 'processes', 'delays', 'messages', 'verbs', 'signaturesMade', 'signaturesVerified', 'signaturesMadeAmortized', 'bytes', 'seed', 'traceHash', 'replay'];

describe('mnm table bft', () => {
  it('plans the fast path, slow path and view change of f = 1 and 2, next to pbft and mu', () => {
    const plans = bftPlans();
    for (const f of [1, 2]) {
      for (const path of ['fast', 'slow', 'view-change']) assert.ok(plans.some((plan) => plan.algorithm === 'bft' && plan.path === path && plan.f === f), `bft ${path} f=${f}`);
      for (const algorithm of ['pbft', 'mu']) assert.ok(plans.some((plan) => plan.algorithm === algorithm && plan.f === f), `${algorithm} f=${f}`);
    }
    assert.equal(bftTable.name, 'bft');
  });

  it("measures §5's signature counts at f = 1: none per fast decision, the checkpoint's 2n/W amortized", async () => {
    const rows = await measureBftRows(bftPlans([1]));
    assert.equal(rows.length, 5);
    for (const row of rows) {
      assert.equal(row.ok, true, String(row.replay));
      for (const field of fields) assert.ok(field in row, `${row.algorithm} ${row.path}: ${field}`);
      assert.match(String(row.traceHash), /^sha256:/);
    }
    const find = (algorithm: string, path: string) => rows.find((row) => row.algorithm === algorithm && row.path === path) as Record<string, unknown>;
    const fast = find('bft', 'fast');
    const n = Number(fast.processes);
    assert.equal(n, 3);
    assert.equal(fast.signaturesMade, 0);
    assert.equal(fast.signaturesVerified, 0);
    assert.equal(fast.signaturesMadeAmortized, (2 * n) / 8);
    assert.ok(Number(fast.messages) > 0 && Number(fast.delays) > 0);
    const slow = find('bft', 'slow');
    assert.ok(Number(slow.signaturesMade) > 0, 'the slow path signs');
    assert.ok(Number(slow.delays) > Number(fast.delays));
    const viewChange = find('bft', 'view-change');
    assert.ok(Number(viewChange.signaturesMade) > 0 && viewChange.views === 1);
    const pbft = find('pbft', 'fast');
    assert.equal(pbft.processes, 4);
    assert.equal(pbft.signaturesMade, 0);
    assert.equal(pbft.signaturesVerified, 0);
    assert.ok(Number(pbft.clientSignaturesVerified) > 0, 'PBFT replicas verify client signatures');
    assert.equal(find('mu', 'fast').signaturesMade, null);
    const text = bftTable.render({ rows });
    assert.match(text, /view-change/);
    assert.equal(bftMarkdown(rows).split('\n').filter((line) => line.startsWith('| bft')).length, 3);
  });
});
