import type { TraceEvent, TraceHeader } from '../../trace/format.js';
import type { CheckResult } from '../checkResult.js';
import { firstDivergence, type Divergence } from '../divergence.js';
import type { ViewFilter } from '../layout.js';
import { buildViewModel, modelCounts, type DrawnCounts, type RunReportInput, type VerbArrow, type ViewModel } from '../viewModel.js';
import { Pane, describeHit, gutterPx, verbColours, type TimeView } from './pane.js';

/**
 * The viewer page's script: reads the traces embedded in the page, shows one
 * (or two side by side) on canvases, and wires the picker, filters, zoom,
 * pan, step/scrub, hover and details. `window.__mnmViewer` is its test API
 * (docs/viewer.md).
 */

interface EmbeddedTrace {
  readonly check: CheckResult | null;
  readonly report: RunReportInput | null;
  readonly lines: readonly (TraceHeader | TraceEvent)[];
}

interface Settings {
  readonly sideBySide: boolean;
}

const scriptStartMs = performance.now();
const settings = JSON.parse(document.getElementById('mnm-settings')!.textContent!) as Settings;
const blocks = [...document.querySelectorAll<HTMLScriptElement>('script.mnm-trace')];
const names = blocks.map((block) => block.dataset.name ?? block.id);
let dataParsedMs = 0;

/** A trace embedded in the page: base64 of gzipped JSON, unpacked when first shown. */
async function unpack(index: number): Promise<EmbeddedTrace> {
  const binary = atob(blocks[index].textContent!.trim());
  const bytes = new Uint8Array(binary.length);
  for (let position = 0; position < binary.length; position++) bytes[position] = binary.charCodeAt(position);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text()) as EmbeddedTrace;
}

const loaded = new Map<number, { model: ViewModel; events: TraceEvent[] }>();
async function load(index: number): Promise<{ model: ViewModel; events: TraceEvent[] }> {
  let entry = loaded.get(index);
  if (!entry) {
    const trace = await unpack(index);
    if (dataParsedMs === 0) dataParsedMs = performance.now();
    const [header, ...events] = trace.lines as [TraceHeader, ...TraceEvent[]];
    entry = { model: buildViewModel(header, events, { check: trace.check ?? undefined, report: trace.report ?? undefined }), events };
    loaded.set(index, entry);
  }
  return entry;
}

const filter: { hiddenProcesses: Set<number>; hiddenMemories: Set<number>; hiddenVerbs: Set<string> } = { hiddenProcesses: new Set(), hiddenMemories: new Set(), hiddenVerbs: new Set() };
const view: TimeView = { fromT: 0, toT: 1, cursorT: Infinity };
let panes: Pane[] = [];
let divergence: Divergence | undefined;
let selected: [number, number | undefined] = [0, settings.sideBySide && names.length > 1 ? 1 : undefined];
let frames = 0;

const panesElement = document.getElementById('mnm-panes')!;
const details = document.getElementById('mnm-details')!;
const tooltip = document.getElementById('mnm-tooltip')!;
const pickerA = document.getElementById('mnm-trace-a') as HTMLSelectElement;
const pickerB = document.getElementById('mnm-trace-b') as HTMLSelectElement;
const scrub = document.getElementById('mnm-scrub') as HTMLInputElement;
const cursorLabel = document.getElementById('mnm-cursor')!;

function fillPickers(): void {
  names.forEach((name, index) => pickerA.add(new Option(name, String(index))));
  pickerB.add(new Option('(none)', ''));
  names.forEach((name, index) => pickerB.add(new Option(name, String(index))));
  pickerA.value = String(selected[0]);
  pickerB.value = selected[1] === undefined ? '' : String(selected[1]);
  pickerA.onchange = () => void select(Number(pickerA.value), selected[1]);
  pickerB.onchange = () => void select(selected[0], pickerB.value === '' ? undefined : Number(pickerB.value));
}

/** Shows trace a (and b beside it): builds their models, the filters, the first view. */
async function select(a: number, b: number | undefined): Promise<void> {
  document.body.dataset.ready = 'false';
  selected = [a, b];
  pickerA.value = String(a);
  pickerB.value = b === undefined ? '' : String(b);
  const indexes = b === undefined ? [a] : [a, b];
  const entries = await Promise.all(indexes.map(load));
  panes = indexes.map((index, position) => new Pane(names[index], entries[position].model));
  panesElement.replaceChildren(...panes.map((pane) => pane.element));
  divergence = b === undefined ? undefined : firstDivergence(entries[0].events, entries[1].events);
  if (divergence && panes.length === 2) {
    panes[0].divergenceT = divergence.tA;
    panes[1].divergenceT = divergence.tB;
  }
  filter.hiddenProcesses.clear();
  filter.hiddenMemories.clear();
  filter.hiddenVerbs.clear();
  buildFilters();
  view.cursorT = Infinity;
  firstWindow();
  showDetails();
  for (const pane of panes) attachPointer(pane);
  draw();
  document.body.dataset.ready = 'true';
}

/** The first view: the whole trace when it is small, else the span of its first 2,000 events (only what is in view is drawn either way). */
function firstWindow(): void {
  let fromT = Infinity;
  let toT = -Infinity;
  for (const [position, pane] of panes.entries()) {
    const model = pane.model;
    fromT = Math.min(fromT, model.startT);
    const events = loaded.get(selected[position] ?? selected[0])!.events;
    const last = events.length > 2000 ? events[2000].t : model.endT;
    toT = Math.max(toT, last);
  }
  if (!(toT > fromT)) toT = fromT + 1;
  view.fromT = fromT;
  view.toT = toT + (toT - fromT) * 0.02;
}

function fit(): void {
  view.fromT = Math.min(...panes.map((pane) => pane.model.startT));
  const toT = Math.max(...panes.map((pane) => pane.model.endT));
  view.toT = toT > view.fromT ? toT + (toT - view.fromT) * 0.02 : view.fromT + 1;
  draw();
}

function buildFilters(): void {
  const container = document.getElementById('mnm-filters')!;
  const processes = Math.max(...panes.map((pane) => pane.model.header.processes));
  const memories = Math.max(...panes.map((pane) => pane.model.header.memories));
  const verbs = [...new Set(panes.flatMap((pane) => pane.model.verbs.map((verb) => verb.verb)))].sort();
  const group = (legend: string, items: { label: string; key: string; colour?: string; toggle: (hidden: boolean) => void }[]) => {
    const fieldset = document.createElement('fieldset');
    const title = document.createElement('legend');
    title.textContent = legend;
    fieldset.append(title);
    for (const item of items) {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = true;
      box.dataset.filter = item.key;
      box.onchange = () => {
        item.toggle(!box.checked);
        draw();
      };
      label.append(box, item.label);
      if (item.colour) label.style.color = item.colour;
      fieldset.append(label);
    }
    container.append(fieldset);
  };
  container.replaceChildren();
  const toggle = <T>(set: Set<T>, value: T) => (hidden: boolean) => (hidden ? set.add(value) : set.delete(value));
  group('processes', Array.from({ length: processes }, (_, p) => ({ label: `p${p}`, key: `p${p}`, toggle: toggle(filter.hiddenProcesses, p) })));
  group('memories', Array.from({ length: memories }, (_, m) => ({ label: `m${m}`, key: `m${m}`, toggle: toggle(filter.hiddenMemories, m) })));
  group('verbs', verbs.map((verb) => ({ label: verb, key: `verb:${verb}`, colour: verbColours[verb], toggle: toggle(filter.hiddenVerbs, verb) })));
  const legend = document.createElement('div');
  legend.className = 'mnm-legend';
  legend.innerHTML =
    '<span><i style="background:#d62728"></i>refused</span><span>✕ lost / crash / dropped</span><span><i style="background:#777"></i>message</span>' +
    '<span>◆ torn read</span><span>▲ permission granted</span><span>⊘ write access revoked</span><span><i style="background:#f4a3a3;height:8px"></i>not placed by the checker</span>';
  container.append(legend);
}

function draw(): void {
  for (const pane of panes) pane.draw(view, filter as ViewFilter);
  frames++;
  const cursor = Number.isFinite(view.cursorT) ? `t=${view.cursorT}` : 'all';
  cursorLabel.textContent = `${cursor}; window t=${view.fromT.toFixed(2)}..${view.toT.toFixed(2)}`;
  document.body.dataset.frames = String(frames);
}

function showDetails(): void {
  const parts: HTMLElement[] = [];
  const heading = (text: string) => {
    const element = document.createElement('h3');
    element.textContent = text;
    parts.push(element);
  };
  for (const pane of panes) {
    const model = pane.model;
    if (model.linearization) {
      heading(`${pane.name}: linearizability (mnm check)`);
      const paragraph = document.createElement('div');
      paragraph.dataset.testid = 'check-explanation';
      paragraph.textContent = model.linearization.unmapped ? `${model.linearization.explanation}: ${model.linearization.unmapped}` : model.linearization.explanation;
      parts.push(paragraph);
      if (model.linearization.unplaced.length > 0) {
        const list = document.createElement('ul');
        for (const op of model.linearization.unplaced) {
          const bar = model.operations.find((operation) => operation.op === op);
          const item = document.createElement('li');
          item.className = 'unplaced';
          item.dataset.unplacedOp = String(op);
          item.textContent = bar ? `op ${op}: p${bar.p} ${bar.f} ${JSON.stringify(bar.invokeValue)} → ${JSON.stringify(bar.returnValue)} (t=${bar.startT}..${bar.endT})` : `op ${op}`;
          item.onclick = () => bar && zoomTo(bar.startT, bar.endT);
          list.append(item);
        }
        parts.push(list);
      }
    }
    if (model.violations.length > 0) {
      heading(`${pane.name}: violations reported by the run`);
      const list = document.createElement('ul');
      model.violations.forEach((violation, index) => {
        const item = document.createElement('li');
        item.dataset.violation = String(index);
        item.textContent = `${violation.property}: ${violation.detail} (operations ${violation.operations.join(', ') || 'none named'}; events ${violation.events.map((event) => event + 1).join(', ')})`;
        item.onclick = () => {
          pane.focusOperations = new Set(violation.operations);
          if (violation.startT !== undefined && violation.endT !== undefined) zoomTo(violation.startT, violation.endT);
          else draw();
        };
        list.append(item);
      });
      parts.push(list);
    }
  }
  if (panes.length === 2) {
    heading('first divergence');
    const paragraph = document.createElement('div');
    paragraph.dataset.testid = 'divergence';
    paragraph.textContent = divergence
      ? `event ${divergence.index + 1}: ${JSON.stringify(divergence.a ?? '(trace ended)')}\n       vs ${JSON.stringify(divergence.b ?? '(trace ended)')}`
      : 'none: the two traces have the same events';
    if (divergence) paragraph.onclick = () => zoomTo(Math.min(divergence!.tA, divergence!.tB) - 5, Math.max(divergence!.tA, divergence!.tB) + 5);
    parts.push(paragraph);
  }
  details.replaceChildren(...parts);
}

function zoomTo(fromT: number, toT: number): void {
  const margin = Math.max(1, (toT - fromT) * 0.25);
  view.fromT = fromT - margin;
  view.toT = toT + margin;
  draw();
}

function zoom(factor: number, aroundT = (view.fromT + view.toT) / 2): void {
  view.fromT = aroundT - (aroundT - view.fromT) * factor;
  view.toT = aroundT + (view.toT - aroundT) * factor;
  draw();
}

/** Step/scrub: the cursor moves over the distinct event times of the first trace. */
function times(): readonly number[] {
  return panes[0].model.times;
}

function setCursorIndex(index: number): void {
  const all = times();
  if (all.length === 0) return;
  const clamped = Math.max(0, Math.min(all.length - 1, index));
  view.cursorT = all[clamped];
  scrub.value = String(Math.round((clamped / Math.max(1, all.length - 1)) * 1000));
  if (view.cursorT > view.toT || view.cursorT < view.fromT) {
    const span = view.toT - view.fromT;
    view.fromT = view.cursorT - span / 2;
    view.toT = view.cursorT + span / 2;
  }
  draw();
}

function cursorIndex(): number {
  const all = times();
  if (!Number.isFinite(view.cursorT)) return all.length - 1;
  let low = 0;
  let high = all.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (all[middle] <= view.cursorT) low = middle;
    else high = middle - 1;
  }
  return low;
}

function attachPointer(pane: Pane): void {
  const canvas = pane.canvas;
  let dragging: { x: number; fromT: number; toT: number } | undefined;
  canvas.addEventListener('mousemove', (event) => {
    const rect = canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    if (dragging) {
      const shift = pane.tOf(view, dragging.x) - pane.tOf(view, x);
      view.fromT += shift;
      view.toT += shift;
      dragging.x = x;
      draw();
      return;
    }
    const hit = pane.hitAt(x, y);
    if (!hit) {
      tooltip.hidden = true;
      delete tooltip.dataset.kind;
      delete tooltip.dataset.verb;
      return;
    }
    tooltip.hidden = false;
    tooltip.textContent = describeHit(hit);
    tooltip.dataset.kind = hit.kind;
    if (hit.kind === 'verb') tooltip.dataset.verb = (hit.ref as VerbArrow).verb;
    else delete tooltip.dataset.verb;
    tooltip.style.left = `${Math.min(event.clientX + 12, window.innerWidth - 540)}px`;
    tooltip.style.top = `${event.clientY + 14}px`;
  });
  canvas.addEventListener('mouseleave', () => {
    tooltip.hidden = true;
    dragging = undefined;
  });
  canvas.addEventListener('mousedown', (event) => {
    dragging = { x: event.clientX - canvas.getBoundingClientRect().left, fromT: view.fromT, toT: view.toT };
  });
  window.addEventListener('mouseup', () => (dragging = undefined));
  canvas.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const x = event.clientX - canvas.getBoundingClientRect().left;
      if (x < gutterPx) return;
      zoom(event.deltaY > 0 ? 1.25 : 0.8, pane.tOf(view, x));
    },
    { passive: false },
  );
}

document.getElementById('mnm-fit')!.onclick = fit;
document.getElementById('mnm-zoom-in')!.onclick = () => zoom(0.5);
document.getElementById('mnm-zoom-out')!.onclick = () => zoom(2);
document.getElementById('mnm-step')!.onclick = () => setCursorIndex(cursorIndex() + 1);
document.getElementById('mnm-step-back')!.onclick = () => setCursorIndex(cursorIndex() - 1);
scrub.oninput = () => {
  const value = Number(scrub.value);
  if (value >= 1000) {
    view.cursorT = Infinity;
    draw();
  } else setCursorIndex(Math.round((value / 1000) * (times().length - 1)));
};
window.addEventListener('keydown', (event) => {
  if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
  if (event.key === 'ArrowRight') setCursorIndex(cursorIndex() + 1);
  else if (event.key === 'ArrowLeft') setCursorIndex(cursorIndex() - 1);
  else if (event.key === '+' || event.key === '=') zoom(0.5);
  else if (event.key === '-') zoom(2);
  else if (event.key === 'f') fit();
});
window.addEventListener('resize', () => draw());

/** The test API (docs/viewer.md): what the last frame drew, where things are, and the same actions as the controls. */
interface ViewerTestApi {
  /** Milliseconds from the page's navigation to the end of its first frame (what a user waits for). */
  firstViewMs: number;
  /** Milliseconds at which the script started, the embedded traces were parsed, and the first frame ended (from navigation). */
  timings: { scriptStartMs: number; dataParsedMs: number; firstViewMs: number };
  traces(): string[];
  select(a: number, b?: number): Promise<void>;
  fit(): void;
  /** What the last frame drew, per pane, by kind. */
  drawn(): DrawnCounts[];
  /** Everything in each shown trace, by kind (what a fitted, unfiltered frame draws). */
  total(): DrawnCounts[];
  /** Page coordinates of the middle of a verb's issue arrow in pane `pane`, or undefined when it is not drawn. */
  verbPoint(id: number, pane?: number): { x: number; y: number } | undefined;
  operationPoint(op: number, pane?: number): { x: number; y: number } | undefined;
  /** The operations drawn as not placed by the checker, per pane. */
  unplaced(): number[][];
  view(): TimeView;
}

const api: ViewerTestApi = {
  firstViewMs: 0,
  timings: { scriptStartMs, dataParsedMs: 0, firstViewMs: 0 },
  traces: () => [...names],
  select: (a, b) => select(a, b),
  fit,
  drawn: () => panes.map((pane) => pane.counts),
  total: () => panes.map((pane) => modelCounts(pane.model)),
  verbPoint(id, pane = 0) {
    const target = panes[pane];
    const hit = target?.hits.find((candidate) => candidate.kind === 'verb' && (candidate.ref as VerbArrow).id === id);
    if (!hit) return undefined;
    const rect = target.canvas.getBoundingClientRect();
    return { x: rect.left + (hit.x1 + hit.x2) / 2, y: rect.top + (hit.y1 + hit.y2) / 2 };
  },
  operationPoint(op, pane = 0) {
    const target = panes[pane];
    const hit = target?.hits.find((candidate) => candidate.kind === 'operation' && (candidate.ref as { op: number }).op === op);
    if (!hit) return undefined;
    const rect = target.canvas.getBoundingClientRect();
    return { x: rect.left + (hit.x1 + hit.x2) / 2, y: rect.top + (hit.y1 + hit.y2) / 2 };
  },
  unplaced: () => panes.map((pane) => pane.hits.filter((hit) => hit.kind === 'operation' && (hit.ref as { unplaced: boolean }).unplaced).map((hit) => (hit.ref as { op: number }).op)),
  view: () => ({ ...view }),
};
(window as unknown as { __mnmViewer: ViewerTestApi }).__mnmViewer = api;

fillPickers();
void select(selected[0], selected[1]).then(() => {
  api.firstViewMs = performance.now();
  api.timings.firstViewMs = api.firstViewMs;
  api.timings.dataParsedMs = dataParsedMs;
  document.body.dataset.firstView = 'true';
});
