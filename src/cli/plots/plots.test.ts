import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cdfPoints, wantsLogScale } from './latencyCdf.js';
import { tableBarsData } from './tableBars.js';
import { sansTextWidth, vegaTextWidth } from './textWidth.js';
import { chartFileName, latencyCdf, percentiles, ratioBars, renderSvg, tableBars, writeCharts } from './index.js';

/**
 * Whether `text` is one well-formed SVG document: an <svg> root in the SVG
 * namespace, every element closed in order, nothing after the root. (Node has
 * no XML parser; this checks the nesting, which is what a broken renderer or
 * a truncated write would get wrong.)
 */
function wellFormedSvg(text: string): boolean {
  const body = text.trim();
  if (!/^<svg\b[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/.test(body)) return false;
  const open: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:"[^"]*"|'[^']*'|[^'">])*?)(\/?)>/g;
  let match: RegExpExecArray | null;
  let closedRootAt = -1;
  while ((match = tag.exec(body)) !== null) {
    if (closedRootAt >= 0) return false;
    const [, closing, name, , selfClosing] = match;
    if (closing) {
      if (open.pop() !== name) return false;
      if (open.length === 0) closedRootAt = match.index;
    } else if (!selfClosing) open.push(name);
  }
  return open.length === 0 && closedRootAt >= 0 && body.endsWith('</svg>');
}

/** The text content of the SVG's <text> elements (entities decoded), e.g. titles, axis titles, legend labels. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((match) => match[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x27;|&apos;/g, "'").replace(/&quot;/g, '"'));
}

describe('plots: percentiles', () => {
  it('101 values, index = percent, nearest rank, from the minimum to the maximum', () => {
    const samples = Array.from({ length: 200 }, (_, index) => 200 - index); // 200..1, unsorted
    const summary = percentiles(samples);
    assert.equal(summary.length, 101);
    assert.deepEqual([summary[0], summary[1], summary[50], summary[99], summary[100]], [1, 2, 100, 198, 200]);
    assert.deepEqual(percentiles([7]), Array.from({ length: 101 }, () => 7));
    assert.deepEqual(percentiles([1.23456]).slice(0, 1), [1.23]);
    assert.throws(() => percentiles([]), RangeError);
  });
});

describe('plots: spec builders', () => {
  it('a latency CDF has one step line per series, fractions 0..1, the unit in the axis title', () => {
    const spec = latencyCdf({ title: 'verbs', unit: 'ms', series: [{ name: 'shm read', samples: [3, 1, 2] }, { name: 'tcp read', percentiles: percentiles([30, 40, 50]) }] }) as Record<string, any>;
    assert.equal(spec.data.values.length, 2 * 101);
    assert.deepEqual(spec.mark, { type: 'line', interpolate: 'step-after', strokeWidth: 2 });
    assert.equal(spec.encoding.x.field, 'latency');
    assert.match(spec.encoding.x.title, /^latency \(ms, log scale\)$/);
    assert.deepEqual(spec.encoding.color.sort, ['shm read', 'tcp read']);
    const points = cdfPoints({ name: 'a', percentiles: [1, 2, 3] });
    assert.deepEqual(points.map((point) => point.fraction), [0, 0.5, 1]);
    assert.throws(() => cdfPoints({ name: 'short', percentiles: [1] }), RangeError);
  });

  it('the latency axis is logarithmic only over more than a decade of positive values', () => {
    assert.equal(wantsLogScale([1, 5, 10]), false);
    assert.equal(wantsLogScale([1, 50]), true);
    assert.equal(wantsLogScale([0, 50]), false, 'a log scale cannot place 0');
    assert.equal(wantsLogScale([]), false);
  });

  it('ratio bars drop unmeasured bars, keep the order, and draw the baseline at 1', () => {
    const spec = ratioBars({ title: 'r', baseline: 'the floor', bars: [{ name: 'b', ratio: 2, group: 'tcp' }, { name: 'gone', ratio: null }, { name: 'a', ratio: 0.5, group: 'shm' }] }) as Record<string, any>;
    assert.deepEqual(spec.data.values, [{ name: 'b', ratio: 2, group: 'tcp' }, { name: 'a', ratio: 0.5, group: 'shm' }]);
    assert.deepEqual(spec.layer[0].encoding.y.sort, ['b', 'a']);
    assert.equal(spec.layer[0].encoding.x.title, '× the floor (same run)');
    assert.equal(spec.layer[0].encoding.color.field, 'group');
    assert.deepEqual(spec.layer[2].data.values, [{ one: 1 }]);
    assert.equal(spec.layer[2].mark.type, 'rule');
  });

  it('table bars: long data per (row, measured field), numbers only; a facet when asked', () => {
    const rows = [
      { algorithm: 'cb', path: 'fast', f: 1, delays: 8, made: 0 },
      { algorithm: 'cb', path: 'slow', f: 1, delays: 46, made: 1 },
      { algorithm: 'bracha', path: 'fast', f: 1, delays: null, made: 0 },
    ];
    const name = (row: Record<string, unknown>) => `${String(row.algorithm)} ${String(row.path)}`;
    assert.deepEqual(tableBarsData({ rows, category: name, values: ['delays'], series: 'f' }), [
      { category: 'cb fast', measure: 'delays', value: 8, series: '1', facet: '' },
      { category: 'cb slow', measure: 'delays', value: 46, series: '1', facet: '' },
    ]);
    const grouped = tableBars({ title: 't', rows, category: name, values: ['delays', 'made'], valueTitle: 'n', facet: 'f' }) as Record<string, any>;
    assert.equal(grouped.data.values.length, 5);
    assert.equal(grouped.facet.column.field, 'facet');
    assert.equal(grouped.spec.layer[0].encoding.color.title, 'measure');
    const single = tableBars({ title: 't', rows, category: 'algorithm', values: ['delays'], valueTitle: 'delays', series: 'f' }) as Record<string, any>;
    assert.equal(single.facet, undefined);
    assert.deepEqual(single.layer[0].encoding.x.sort, ['cb']);
    assert.throws(() => tableBars({ title: 't', rows, category: 'algorithm', values: ['delays', 'made'], valueTitle: 'n', series: 'f' }), RangeError);
    assert.throws(() => tableBars({ title: 't', rows, category: 'algorithm', values: [], valueTitle: 'n' }), RangeError);
  });

  it('text widths follow the characters, the size and the weight', () => {
    assert.ok(sansTextWidth('iiii', 10) < sansTextWidth('MMMM', 10));
    assert.ok(Math.abs(sansTextWidth('abc', 22) - 2 * sansTextWidth('abc', 11)) < 1e-9);
    assert.ok(sansTextWidth('title', 12, true) > sansTextWidth('title', 12));
    assert.equal(sansTextWidth('', 12), 0);
    // Vega's hook: the widest line of a multi-line label, the item's own text when none is given.
    assert.equal(vegaTextWidth({ text: ['a', 'abc'], fontSize: 10 }), sansTextWidth('abc', 10));
    assert.equal(vegaTextWidth({ text: 'x', fontSize: 10, fontWeight: 'bold' }, 'abc'), sansTextWidth('abc', 10, true));
  });
});

describe('plots: rendering', () => {
  it('renders well-formed SVG with the series names, title and axis titles, headless', async () => {
    const svg = await renderSvg(latencyCdf({ title: 'Verb latency', series: [{ name: 'shm read', samples: [1, 2, 3, 4] }, { name: 'tcp read', samples: [30, 40, 60] }] }));
    assert.ok(wellFormedSvg(svg), svg.slice(0, 200));
    const shown = texts(svg);
    for (const expected of ['Verb latency', 'shm read', 'tcp read', 'latency (µs, log scale)', 'fraction of operations']) assert.ok(shown.includes(expected), `'${expected}' not among ${JSON.stringify(shown)}`);
    const bars = await renderSvg(ratioBars({ title: 'Ratios', baseline: 'the floor', bars: [{ name: 'pmp on shm', ratio: 1.5 }] }));
    assert.ok(wellFormedSvg(bars));
    assert.ok(texts(bars).includes('pmp on shm') && texts(bars).includes('× the floor (same run)'), JSON.stringify(texts(bars)));
    // The checker itself rejects what is not one closed SVG document.
    assert.equal(wellFormedSvg('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>'), false);
    assert.equal(wellFormedSvg(svg.slice(0, -10)), false);
  });

  it('writes one file per chart, named <prefix>-<name>.svg', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnm-plots-'));
    try {
      const paths = await writeCharts(join(directory, 'new'), 'sim', [{ name: 'speed', spec: ratioBars({ title: 's', baseline: 'b', bars: [{ name: 'x', ratio: 2 }] }) }]);
      assert.deepEqual(paths, [join(directory, 'new', 'sim-speed.svg')]);
      assert.ok(wellFormedSvg(readFileSync(paths[0], 'utf8')));
      assert.equal(chartFileName('swarm', 'cdf on/tcp'), 'swarm-cdf-on-tcp.svg');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
