import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { broadcastTable } from './broadcast.js';

describe('mnm table broadcast', () => {
  it("measures the lecture's signature counts for f = 1, 2, 3", async () => {
    const io = { stdout: () => {}, stderr: () => {} };
    const { rows } = await broadcastTable.measure({ quiet: true }, io as never);
    assert.equal(rows.length, 18);
    for (const row of rows) {
      assert.equal(row.ok, true, String(row.replay));
      assert.match(String(row.traceHash), /^sha256:/);
      const f = Number(row.f);
      const expected: Record<string, [number, number]> = { 'cb/fast': [2 * f + 1, 0], 'cb/slow': [2 * f + 1, 1], 'rb/fast': [2 * f + 1, 0], 'rb/slow': [2 * f + 1, 2 * f + 1], 'bracha/fast': [3 * f + 1, 0], 'bracha/slow': [3 * f + 1, 0] };
      const [processes, made] = expected[`${row.algorithm}/${row.path}`];
      assert.equal(row.processes, processes, `${row.algorithm} ${row.path} f=${f}`);
      assert.equal(row.signaturesMade, made, `${row.algorithm} ${row.path} f=${f}`);
    }
    assert.match(broadcastTable.render({ rows }), /sigs made/);
  });
});
