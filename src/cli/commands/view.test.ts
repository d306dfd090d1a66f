import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { capturedMain } from '../_capturedMain.js';
import { firstDivergence } from '../../web/divergence.js';
import type { DrawnCounts } from '../../web/viewModel.js';
import type { TraceEvent } from '../../trace/format.js';
import { writeViewerPage } from './viewPage.js';

/**
 * `mnm view`, and the page it writes driven in headless Chromium: Debian's
 * `chromium` through `playwright-core` (no browser download). Without either
 * the browser tests skip, saying why; the page-writing tests always run.
 * MNM_WRITE_SCREENSHOTS=1 also writes docs/img/viewer-pmp.png (the README's).
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'mnm-view-'));
const bin = join(root, 'bin', 'mnm.js');

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return capturedMain(...args);
}

/** Runs `mnm run ... --trace FILE` (and --json to REPORT), returning the trace's path. */
async function traceOf(name: string, ...args: string[]): Promise<string> {
  const path = join(scratch, `${name}.jsonl`);
  const result = await run('run', ...args, '--trace', path, '--json');
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  writeFileSync(join(scratch, `${name}.run.json`), result.stdout);
  return path;
}

function eventsOf(path: string): TraceEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(1)
    .map((line) => JSON.parse(line) as TraceEvent);
}

/** What the viewer counts by kind (its test API's `drawn()`), here counted from the trace's own lines. */
type Counts = DrawnCounts;

/** What a trace holds, counted from its lines here (not by the viewer's own model), with processes/verbs left out. */
function expectedCounts(path: string, hidden: { processes?: number[]; verbs?: string[] } = {}): Counts {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  const header = lines[0] as { processes: number; memories: number };
  const events = lines.slice(1) as (TraceEvent & Record<string, unknown>)[];
  const hiddenProcesses = new Set(hidden.processes ?? []);
  const hiddenVerbs = new Set(hidden.verbs ?? []);
  const counts: Counts = { lanes: header.processes - hiddenProcesses.size + header.memories, verbs: {}, refused: 0, lost: 0, torn: 0, messages: 0, dropped: 0, operations: 0, marks: {} };
  const shownVerbs = new Set<number>();
  const shownMessages = new Set<number>();
  const refused = new Set<number>();
  const bump = (record: Record<string, number>, key: string) => (record[key] = (record[key] ?? 0) + 1);
  for (const event of events) {
    switch (event.type) {
      case 'verb.issue':
        if (hiddenProcesses.has(event.p) || hiddenVerbs.has(event.verb)) break;
        shownVerbs.add(event.id);
        bump(counts.verbs, event.verb);
        break;
      case 'verb.arrive':
        if (shownVerbs.has(event.id) && event.torn) counts.torn++;
        if (shownVerbs.has(event.id) && !event.ok) refused.add(event.id);
        break;
      case 'verb.complete':
        if (shownVerbs.has(event.id) && !event.ok) refused.add(event.id);
        break;
      case 'verb.lost':
        if (shownVerbs.has(event.id)) counts.lost++;
        break;
      case 'msg.send':
        if (hiddenProcesses.has(event.from) || hiddenProcesses.has(event.to)) break;
        shownMessages.add(event.id);
        counts.messages++;
        break;
      case 'msg.drop':
        if (shownMessages.has(event.id)) counts.dropped++;
        break;
      case 'op.invoke':
        if (!hiddenProcesses.has(event.p)) counts.operations++;
        break;
      case 'perm.change':
        bump(counts.marks, 'grant');
        for (const process of event.revoked) if (!hiddenProcesses.has(process)) bump(counts.marks, 'revoke');
        break;
      case 'fault': {
        // A mark on each host the target names (`p1,p2`; `p2->m0` is p2's), one for the run otherwise (`network`).
        const hosts = new Set(event.target.split(',').map((target) => /^[pm]\d+/.exec(target)?.[0] ?? 'run'));
        for (const host of hosts) {
          if (host.startsWith('p') && hiddenProcesses.has(Number(host.slice(1)))) continue;
          bump(counts.marks, ['crash', 'pause', 'partition', 'heal', 'lossy', 'reliable'].includes(event.fault) ? event.fault : 'fault');
        }
        break;
      }
      case 'note':
        if (!hiddenProcesses.has(event.p)) bump(counts.marks, 'note');
        break;
      case 'end':
        bump(counts.marks, 'end');
        break;
      default:
        break;
    }
  }
  counts.refused = refused.size;
  return counts;
}

// playwright-core's types are not needed: the tests use a few calls through this shape.
interface Page {
  goto(url: string): Promise<unknown>;
  waitForFunction(expression: string): Promise<unknown>;
  evaluate<T>(expression: string): Promise<T>;
  mouse: { move(x: number, y: number, options?: { steps: number }): Promise<void>; wheel(deltaX: number, deltaY: number): Promise<void>; down(): Promise<void>; up(): Promise<void> };
  locator(selector: string): { click(): Promise<void>; count(): Promise<number>; getAttribute(name: string): Promise<string | null>; textContent(): Promise<string | null>; isHidden(): Promise<boolean>; allTextContents(): Promise<string[]> };
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  close(): Promise<void>;
}
interface Browser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

/** MNM_CHROMIUM, else Debian's /usr/bin/chromium, else `chromium` on the PATH. */
const chromiumPath =
  process.env.MNM_CHROMIUM ??
  ['/usr/bin/chromium', ...(process.env.PATH ?? '').split(':').filter((dir) => dir !== '').map((dir) => join(dir, 'chromium'))].find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }) ??
  '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
async function browserUnavailable(): Promise<string | undefined> {
  try {
    accessSync(chromiumPath, constants.X_OK);
  } catch {
    return `no Chromium at ${chromiumPath} (apt-get install chromium, or set MNM_CHROMIUM)`;
  }
  try {
    await import('playwright-core' as string);
  } catch {
    return 'playwright-core is not installed (npm ci installs it as a devDependency)';
  }
  return undefined;
}

const skipReason = await browserUnavailable();
if (skipReason) process.stderr.write(`view.test: browser tests skipped: ${skipReason}\n`);

describe('mnm view (page)', () => {
  let trace = '';
  before(async () => {
    trace = await traceOf('page', 'register', '--seed', '1');
  });

  it('writes one self-contained page and prints its path (--json: one object)', async () => {
    const out = join(scratch, 'page.html');
    const printed = await run('view', trace, '--out', out);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, `${out}\n`);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.ok(!/<script[^>]+src=|<link[^>]+href=/.test(html), 'no external script or stylesheet');
    const json = await run('view', trace, '--out', out, '--json');
    assert.deepEqual(JSON.parse(json.stdout), { page: out, traces: ['page.jsonl'] });
  });

  it('refuses what is not a trace, a missing file and a bad --check with exit 2 and one line', async () => {
    const notTrace = join(scratch, 'not.jsonl');
    writeFileSync(notTrace, '{"hello": 1}\n');
    for (const args of [[notTrace], [join(scratch, 'missing.jsonl')], [trace, '--check', notTrace], []]) {
      const result = await run('view', ...args, '--out', join(scratch, 'x.html'));
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
  });

  it('--check goes on the trace it names, --report on the first', async () => {
    const other = await traceOf('other', 'register', '--seed', '3');
    const checkPath = join(scratch, 'other.check.json');
    const checked = await run('check', other, '--model', 'register', '--json');
    writeFileSync(checkPath, checked.stdout);
    const out = join(scratch, 'checked.html');
    assert.equal((await run('view', trace, other, '--check', checkPath, '--report', join(scratch, 'page.run.json'), '--out', out)).code, 0);
    const html = readFileSync(out, 'utf8');
    const head = (index: number) => JSON.parse(gunzipSync(Buffer.from(new RegExp(`id="mnm-trace-${index}"[^>]*>([^<]*)<`).exec(html)![1], 'base64')).toString('utf8')) as { check: unknown; report: unknown };
    assert.deepEqual([head(0).check, head(1).check], [null, JSON.parse(checked.stdout)]);
    assert.deepEqual([head(0).report, head(1).report], [JSON.parse(readFileSync(join(scratch, 'page.run.json'), 'utf8')), null]);
  });

  it('writeViewerPage writes one page with many named traces for a picker', () => {
    const out = join(scratch, 'many.html');
    const text = readFileSync(trace, 'utf8');
    const path = writeViewerPage({ traces: [{ name: 'one', path: trace }, { name: 'two', text }, { name: 'three', text }], out });
    assert.equal(path, out);
    const html = readFileSync(out, 'utf8');
    assert.deepEqual([...html.matchAll(/data-name="([^"]*)"/g)].map((match) => match[1]), ['one', 'two', 'three']);
    assert.match(html, /"sideBySide":false/);
  });

  it('--serve serves the page on 127.0.0.1 and exits 130 on SIGINT', async () => {
    const child = spawn(process.execPath, [bin, 'view', trace, '--out', join(scratch, 'served.html'), '--serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const url = await new Promise<string>((resolveUrl, reject) => {
      child.stdout.on('data', () => {
        const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout);
        if (match) resolveUrl(match[0]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before serving`)));
    });
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /class="mnm-trace"/);
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 130);
  });
});

describe('mnm view (in headless Chromium)', { skip: skipReason }, () => {
  let browser: Browser;
  let page: Page;

  before(async () => {
    const { chromium } = (await import('playwright-core' as string)) as { chromium: { launch(options: { executablePath: string }): Promise<Browser> } };
    browser = await chromium.launch({ executablePath: chromiumPath });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  after(async () => {
    await browser?.close();
  });

  /** Writes a page of these traces (and extra options), opens it, waits for its first view. */
  async function open(name: string, traces: string[], ...options: string[]): Promise<void> {
    const out = join(scratch, `${name}.html`);
    const result = await run('view', ...traces, '--out', out, ...options);
    assert.equal(result.code, 0, result.stderr);
    await page.goto(`file://${out}`);
    await page.waitForFunction("document.body.dataset.complete === 'true'");
  }

  const drawn = () => page.evaluate<Counts[]>('window.__mnmViewer.drawn()');

  it('draws a lane per process and memory, and verbs, messages and marks as the trace has them, by kind', async () => {
    // PMP under every fault: refused and lost verbs, permission grants and revocations, crashes, pauses, partitions, drops.
    const faulty = await traceOf('faulty', 'pmp', '--seed', '2', '--workload', 'storm', '--n', '3', '--faults', 'all');
    // A register under a storm of reads: torn reads.
    const torn = await traceOf('torn', 'register', '--seed', '1');
    for (const path of [faulty, torn]) {
      await open('counts', [path]);
      await page.evaluate('window.__mnmViewer.fit()');
      const [counts] = await drawn();
      const expected = expectedCounts(path);
      assert.deepEqual(counts, expected);
    }
    const expected = expectedCounts(faulty);
    assert.ok(expected.refused > 0 && expected.lost > 0 && expected.dropped > 0 && expected.marks.grant > 0 && expected.marks.revoke > 0 && expected.marks.crash > 0, 'the trace has each kind');
    assert.ok(expectedCounts(torn).torn > 0, 'the register trace has torn reads');
  });

  it('hovering a verb shows it: its kind, id and outcome', async () => {
    const faulty = join(scratch, 'faulty.jsonl');
    await open('hover', [faulty]);
    await page.evaluate('window.__mnmViewer.fit()');
    const issues = eventsOf(faulty).filter((event): event is Extract<TraceEvent, { type: 'verb.issue' }> => event.type === 'verb.issue');
    // For each kind, the first verb whose arrow no other drawn item crowds (where the pointer could only mean it),
    // zoomed in on its way to the memory.
    const arrivals = new Map(eventsOf(faulty).flatMap((event) => (event.type === 'verb.arrive' ? [[event.id, event.t] as const] : [])));
    const hovered = new Set<string>();
    for (const issue of issues) {
      if (hovered.has(issue.verb) || !arrivals.has(issue.id)) continue;
      await page.evaluate(`window.__mnmViewer.zoomTo(${issue.t}, ${arrivals.get(issue.id)})`);
      const point = await page.evaluate<{ x: number; y: number; alone: boolean } | undefined>(`window.__mnmViewer.verbPoint(${issue.id})`);
      assert.ok(point, `verb ${issue.id} is drawn`);
      if (!point.alone) continue;
      await page.mouse.move(point.x, point.y);
      const tooltip = page.locator('#mnm-tooltip');
      assert.equal(await tooltip.isHidden(), false);
      assert.equal(await tooltip.getAttribute('data-verb'), issue.verb);
      // The verb, or a twin drawn exactly on top of it: the same kind, process, memory, issue and arrival.
      const twins = issues.filter((other) => other.verb === issue.verb && other.p === issue.p && other.m === issue.m && other.t === issue.t && arrivals.get(other.id) === arrivals.get(issue.id));
      const shown = new RegExp(`^${issue.verb} #(\\d+) p${issue.p} → m${issue.m} `).exec((await tooltip.textContent()) ?? '');
      assert.ok(shown && twins.some((other) => other.id === Number(shown[1])), `hovering verb ${issue.id} shows ${(await tooltip.textContent()) ?? ''}`);
      hovered.add(issue.verb);
    }
    assert.deepEqual([...hovered].sort(), [...new Set(issues.map((issue) => issue.verb))].sort(), 'a verb of each kind was hovered');
    await page.mouse.move(2, 2);
    assert.equal(await page.locator('#mnm-tooltip').isHidden(), true);
  });

  it("highlights exactly the operations 'mnm check' could not place, with its explanation, and the run's violations", async () => {
    const bad = await traceOf('bad', 'register', '--seed', '2', '--latency', 'lan', '--mutant', 'minority-quorum');
    const checked = await run('check', bad, '--model', 'register', '--json');
    assert.equal(checked.code, 1, 'the checker rejects this history');
    const checkPath = join(scratch, 'bad.check.json');
    writeFileSync(checkPath, checked.stdout);
    const { witness } = JSON.parse(checked.stdout) as { witness: { unplaced: number[] } };
    await open('bad', [bad], '--check', checkPath, '--report', join(scratch, 'bad.run.json'));
    await page.evaluate('window.__mnmViewer.fit()');
    const [unplaced] = await page.evaluate<number[][]>('window.__mnmViewer.unplaced()');
    assert.deepEqual([...unplaced].sort((a, b) => a - b), [...witness.unplaced].sort((a, b) => a - b));
    assert.deepEqual(await page.locator('[data-unplaced-op]').allTextContents().then((items) => items.map((item) => Number(/^op (\d+)/.exec(item)![1]))), witness.unplaced);
    assert.match((await page.locator('[data-testid=check-explanation]').textContent()) ?? '', /NOT linearizable \(register\): the longest linearizable prefix found has \d+ operations/);
    const report = JSON.parse(readFileSync(join(scratch, 'bad.run.json'), 'utf8')) as { violations: { property: string }[] };
    assert.ok(report.violations.length > 0);
    assert.equal(await page.locator('[data-violation]').count(), report.violations.length);
    // Hovering an unplaced operation says so.
    const point = await page.evaluate<{ x: number; y: number }>(`window.__mnmViewer.operationPoint(${witness.unplaced[0]})`);
    await page.mouse.move(point.x, point.y);
    assert.match((await page.locator('#mnm-tooltip').textContent()) ?? '', new RegExp(`^op ${witness.unplaced[0]} .*could NOT be placed`));
  });

  it('filtering by process and verb hides exactly their lanes, arrows, messages and operations', async () => {
    const faulty = join(scratch, 'faulty.jsonl');
    await open('filter', [faulty]);
    await page.evaluate('window.__mnmViewer.fit()');
    await page.locator('[data-filter="p1"]').click();
    await page.locator('[data-filter="verb:read"]').click();
    const [filtered] = await drawn();
    assert.deepEqual(filtered, expectedCounts(faulty, { processes: [1], verbs: ['read'] }));
    await page.locator('[data-filter="p1"]').click();
    await page.locator('[data-filter="verb:read"]').click();
    assert.deepEqual((await drawn())[0], expectedCounts(faulty));
  });

  it('steps through event times, fading what comes after the cursor, zooms with the wheel and pans by dragging', async () => {
    const pmp = await traceOf('steps', 'pmp', '--seed', '1', '--latency', 'unit', '--faults', 'none', '--workload', 'stable', '--f', '1');
    await open('steps', [pmp]);
    const times = [...new Set(eventsOf(pmp).map((event) => event.t))];
    assert.equal((await page.evaluate<{ cursorT: unknown }>('window.__mnmViewer.view()')).cursorT, Infinity, 'no cursor at first');
    for (const expected of times.slice(0, 3)) {
      await page.locator('#mnm-step').click();
      assert.equal((await page.evaluate<{ cursorT: number }>('window.__mnmViewer.view()')).cursorT, expected);
    }
    await page.locator('#mnm-step-back').click();
    assert.equal((await page.evaluate<{ cursorT: number }>('window.__mnmViewer.view()')).cursorT, times[1]);
    const before = await page.evaluate<{ fromT: number; toT: number }>('window.__mnmViewer.view()');
    const box = await page.evaluate<{ x: number; y: number }>("(() => { const r = document.querySelector('.mnm-pane canvas').getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + 40 }; })()");
    await page.mouse.move(box.x, box.y);
    await page.mouse.wheel(0, -100);
    await page.waitForFunction(`window.__mnmViewer.view().toT - window.__mnmViewer.view().fromT < ${before.toT - before.fromT}`);
    // Dragging right pans back in time, keeping the span.
    const zoomed = await page.evaluate<{ fromT: number; toT: number }>('window.__mnmViewer.view()');
    await page.mouse.down();
    await page.mouse.move(box.x + 200, box.y, { steps: 4 });
    await page.mouse.up();
    const panned = await page.evaluate<{ fromT: number; toT: number }>('window.__mnmViewer.view()');
    assert.ok(panned.fromT < zoomed.fromT, `panned from ${zoomed.fromT} to ${panned.fromT}`);
    assert.ok(Math.abs(panned.toT - panned.fromT - (zoomed.toT - zoomed.fromT)) < 1e-9);
  });

  it('shows two traces side by side with their first divergence', async () => {
    const good = await traceOf('good', 'register', '--seed', '2', '--latency', 'lan');
    const bad = join(scratch, 'bad.jsonl');
    await open('pair', [good, bad]);
    assert.equal(await page.locator('.mnm-pane').count(), 2);
    const divergence = firstDivergence(eventsOf(good), eventsOf(bad));
    assert.ok(divergence, 'a mutant on the same seed diverges');
    assert.match((await page.locator('[data-testid=divergence]').textContent()) ?? '', new RegExp(`^event ${divergence.index + 1}: `));
  });

  it('renders the first view of a 100,000-event trace in at most 10x the time of a 1,000-event one', async () => {
    // A register run has ~11 events per operation and process (3 processes): 30 and 3030 operations each.
    const small = await traceOf('small', 'register', '--seed', '1', '--ops', '30');
    const large = await traceOf('large', 'register', '--seed', '1', '--ops', '3030');
    const sizes = [small, large].map((path) => eventsOf(path).length);
    assert.ok(sizes[0] >= 900 && sizes[0] <= 1100 && sizes[1] >= 95_000 && sizes[1] <= 105_000, `sizes ${sizes.join(', ')}`);
    const complete: number[] = [];
    const firstView = async (path: string, name: string) => {
      await open(name, [path]);
      const timings = await page.evaluate<{ firstViewMs: number; completeMs: number }>('window.__mnmViewer.timings');
      if (name === 'large') complete.push(timings.completeMs);
      return timings.firstViewMs;
    };
    // Best of three, alternating, so that a moment of load on a shared machine does not decide the ratio.
    const smallMs: number[] = [];
    const largeMs: number[] = [];
    for (let round = 0; round < 3; round++) {
      smallMs.push(await firstView(small, 'small'));
      largeMs.push(await firstView(large, 'large'));
    }
    const ratio = Math.min(...largeMs) / Math.min(...smallMs);
    process.stderr.write(`view.test: first view (navigation to first frame), best of 3: ${sizes[0]} events ${Math.min(...smallMs).toFixed(0)} ms, ${sizes[1]} events ${Math.min(...largeMs).toFixed(0)} ms: ratio ${ratio.toFixed(2)}; the whole large trace drawn after ${Math.min(...complete).toFixed(0)} ms\n`);
    assert.ok(ratio <= 10, `ratio ${ratio.toFixed(2)} > 10`);
    // Only what is in view is drawn: the view of the large trace (its first events' span) draws a small part of it.
    const [counts] = await drawn();
    const [total] = await page.evaluate<Counts[]>('window.__mnmViewer.total()');
    assert.ok(counts.operations < total.operations / 10, `drew ${counts.operations} of ${total.operations} operations`);
    // Zoomed out on all of it, a frame is drawn in dense mode and still accounts for everything.
    const fitMs = await page.evaluate<number>('(() => { const start = performance.now(); window.__mnmViewer.fit(); return performance.now() - start; })()');
    assert.deepEqual((await drawn())[0], total);
    assert.equal(await page.evaluate<boolean>('window.__mnmViewer.dense()[0]'), true);
    process.stderr.write(`view.test: a frame of all ${sizes[1]} events (dense mode) took ${fitMs.toFixed(0)} ms\n`);
  });

  it("shows the tour's executions: one trace per stop, stop 5's inversion on the operations the checker could not place", async () => {
    const directory = join(scratch, 'tour');
    const tour = await run('tour', '--json', '--traces', directory);
    assert.equal(tour.code, 0, tour.stderr);
    const { stops, page: pagePath } = JSON.parse(tour.stdout) as { stops: { name: string; trace: string }[]; page: string };
    await page.goto(`file://${pagePath}`);
    await page.waitForFunction("document.body.dataset.complete === 'true'");
    assert.deepEqual(await page.evaluate<string[]>('window.__mnmViewer.traces()'), stops.map((stop, index) => `${index + 1}. ${stop.name}`));
    const inversion = stops.findIndex((stop) => stop.name === 'new-old-inversion');
    const checked = await run('check', stops[inversion].trace, '--model', 'register', '--json');
    assert.equal(checked.code, 1, 'the checker rejects stop 5');
    const { witness } = JSON.parse(checked.stdout) as { witness: { unplaced: number[] } };
    await page.evaluate(`window.__mnmViewer.select(${inversion})`);
    await page.waitForFunction("document.body.dataset.complete === 'true'");
    const [unplaced] = await page.evaluate<number[][]>('window.__mnmViewer.unplaced()');
    assert.deepEqual([...unplaced].sort((a, b) => a - b), [...witness.unplaced].sort((a, b) => a - b));
    await page.evaluate('window.__mnmViewer.fit()');
    assert.deepEqual((await drawn())[0], expectedCounts(stops[inversion].trace));
  });

  it("draws the tour's PMP run (stop 6), and writes docs/img/viewer-pmp.png with MNM_WRITE_SCREENSHOTS=1", async () => {
    // The options of tour stop 6 (src/cli/commands/tour.ts).
    const pmp = await traceOf('pmp', 'pmp', '--seed', '1', '--latency', 'unit', '--faults', 'none', '--workload', 'stable', '--f', '1');
    await open('pmp', [pmp]);
    await page.evaluate('window.__mnmViewer.fit()');
    assert.deepEqual((await drawn())[0], expectedCounts(pmp));
    if (process.env.MNM_WRITE_SCREENSHOTS === '1') {
      // The decision: p0's writes to the three memories and their completions (two delays), with a write hovered.
      await page.setViewportSize({ width: 1100, height: 470 });
      await page.evaluate('window.__mnmViewer.zoomTo(0, 3.2)');
      const write = eventsOf(pmp).find((event) => event.type === 'verb.issue' && event.verb === 'write') as { id: number };
      const point = await page.evaluate<{ x: number; y: number }>(`window.__mnmViewer.verbPoint(${write.id})`);
      await page.mouse.move(point.x, point.y);
      const target = join(root, 'docs', 'img', 'viewer-pmp.png');
      mkdirSync(dirname(target), { recursive: true });
      await page.screenshot({ path: target, fullPage: false });
      assert.ok(existsSync(target));
      process.stderr.write(`view.test: wrote ${target}\n`);
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });
});
