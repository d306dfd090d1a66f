import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturedMain as mnm } from '../_capturedMain.js';
import { unwritableDirectory } from './benchFiles.js';
import { delaysOverPaxos, tablesCharts } from './charts/tablesCharts.js';

/**
 * `mnm bench <suite> --plots DIR` writes the suite's JSON and its SVG charts
 * (the quick broadcast suite: no external binary, under a second of work),
 * and says where on stderr; --json still prints exactly one object.
 */
describe('bench files and charts', () => {
  it('a quick suite writes <suite>.json and <suite>-*.svg into --plots DIR and names them on stderr', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnm-bench-'));
    try {
      const out = join(directory, 'results');
      const { code, stdout, stderr } = await mnm('bench', 'broadcast', '--quick', '--json', '--plots', out);
      assert.equal(code, 0, stderr);
      const printed = JSON.parse(stdout) as Record<string, unknown>;
      assert.equal(printed.suite, 'broadcast');
      const written = JSON.parse(readFileSync(join(out, 'broadcast.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(written, printed, 'the file holds what --json printed');
      const svgs = readdirSync(out).filter((name) => name.endsWith('.svg')).sort();
      assert.deepEqual(svgs, ['broadcast-paths.svg', 'broadcast-ratios.svg', 'broadcast-signatures.svg']);
      for (const name of svgs) {
        const svg = readFileSync(join(out, name), 'utf8');
        assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        assert.ok(svg.trimEnd().endsWith('</svg>'));
        assert.match(stderr, new RegExp(`bench broadcast: wrote ${join(out, name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      }
      // Each figure of the run is in the chart that shows it: the slow/fast ratio of CB with f = 1.
      const ratio = (printed.paths as Record<string, { slowOverFast: number }>)['cb-f1'].slowOverFast;
      assert.ok(readFileSync(join(out, 'broadcast-ratios.svg'), 'utf8').includes(`cb-f1: slow (from trigger) / fast`));
      assert.equal(typeof ratio, 'number');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('a --plots path that cannot be a directory is exit 2 before any suite runs', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnm-bench-'));
    try {
      const file = join(directory, 'a-file');
      writeFileSync(file, 'x');
      const { code, stdout, stderr } = await mnm('bench', 'broadcast', '--quick', '--plots', join(file, 'below'));
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, /--plots: cannot write into/);
      assert.doesNotMatch(stderr, /running/);
      assert.equal(existsSync(join(file, 'below')), false);
      // Checked without creating anything: a directory still to be made is fine and stays unmade until a suite finishes.
      assert.equal(unwritableDirectory(join(directory, 'new', 'deeper')), undefined);
      assert.equal(existsSync(join(directory, 'new')), false);
      assert.match(unwritableDirectory(join(file, 'below')) ?? '', /is not a directory$/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('the tables as bars: delays over Paxos at the same f, and one chart per table view', () => {
    const rows = [
      { algorithm: 'paxos', case: 'stable-leader', f: 1, delays: 2, processes: 3, memories: 0 },
      { algorithm: 'disk-paxos', case: 'stable-leader', f: 1, delays: 4, processes: 2, memories: 3 },
      { algorithm: 'pmp', case: 'new-leader', f: 1, delays: 8, processes: 2, memories: 3 },
      { algorithm: 'pmp', case: 'stable-leader', f: 2, delays: 2, processes: 3, memories: 5 },
    ];
    assert.deepEqual(delaysOverPaxos(rows), [
      { name: 'disk-paxos, f = 1', ratio: 2, group: 'f = 1' },
      { name: 'pmp (new-leader), f = 1', ratio: 4, group: 'f = 1' },
      { name: 'pmp, f = 2', ratio: null, group: 'f = 2' },
    ]);
    const charts = tablesCharts({ consensus: { rows }, broadcast: { rows: [{ algorithm: 'cb', path: 'fast', f: 1, delays: 8, signaturesMade: 0, signaturesVerified: 0 }] } });
    assert.deepEqual(
      charts.map((chart) => chart.name),
      ['consensus-delays', 'consensus-work', 'consensus-sizes', 'consensus-vs-paxos', 'broadcast-delays', 'broadcast-signatures'],
    );
  });
});
