import type { TraceEvent, TraceHeader } from '../../trace/format.js';
import type { CheckResult } from '../checkResult.js';
import { firstDivergence, type Divergence } from '../divergence.js';
import type { ViewFilter } from '../layout.js';
import { buildViewModel, modelCounts, type DrawnCounts, type RunReportInput, type VerbArrow, type ViewModel } from '../viewModel.js';
import { Pane, describeHit, distanceTo, gutterPx, verbColours, type Hit, type TimeView } from './pane.js';

/**
 * The viewer page's script: reads the traces embedded in the page, shows one
 * (or two side by side) on canvases, and wires the picker, filters, zoom,
 * pan, step/scrub, hover and details. `window.__mnmViewer` is its test API
 * (docs/viewer.md).
 */

/** A trace's first block: its header and first events, with its check result and run report. */
interface EmbeddedHead {
  readonly check: CheckResult | null;
  readonly report: RunReportInput | null;
  /** Events in the whole trace. */
  readonly events: number;
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

/** A block of the page: base64 of gzipped JSON, unpacked when first needed. */
async function unpack<T>(block: HTMLScriptElement): Promise<T> {
  const binary = atob(block.textContent!.trim());
  const bytes = new Uint8Array(binary.length);
  for (let position = 0; position < binary.length; position++) bytes[position] = binary.charCodeAt(position);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text()) as T;
}

/** A trace as far as it is loaded: `complete` once its rest block is in too. */
interface Loaded {
  readonly model: ViewModel;
  readonly events: TraceEvent[];
  readonly complete: boolean;
}

const heads = new Map<number, Promise<EmbeddedHead>>();
const firstParts = new Map<number, Promise<Loaded>>();
const wholes = new Map<number, Promise<Loaded>>();

function headOf(index: number): Promise<EmbeddedHead> {
  let head = heads.get(index);
  if (!head) heads.set(index, (head = unpack<EmbeddedHead>(blocks[index])));
  return head;
}

function modelOf(head: EmbeddedHead, events: TraceEvent[], complete: boolean): Loaded {
  const header = head.lines[0] as TraceHeader;
  return { model: buildViewModel(header, events, { check: head.check ?? undefined, report: head.report ?? undefined }), events, complete };
}

/** The trace's first block as a model (the whole trace when it has no rest). */
function firstPartOf(index: number): Promise<Loaded> {
  let part = firstParts.get(index);
  if (!part) {
    part = headOf(index).then((head) => {
      if (dataParsedMs === 0) dataParsedMs = performance.now();
      const events = head.lines.slice(1) as TraceEvent[];
      return modelOf(head, events, events.length >= head.events);
    });
    firstParts.set(index, part);
  }
  return part;
}

/** The whole trace as a model (its rest block unpacked and appended). */
function wholeOf(index: number): Promise<Loaded> {
  let whole = wholes.get(index);
  if (!whole) {
    whole = (async () => {
      const first = await firstPartOf(index);
      if (first.complete) return first;
      const rest = document.getElementById(`mnm-trace-${index}-rest`) as HTMLScriptElement;
      const more = await unpack<TraceEvent[]>(rest);
      return modelOf(await headOf(index), first.events.concat(more), true);
    })();
    wholes.set(index, whole);
  }
  return whole;
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

let selection = 0;

/**
 * Shows trace a (and b beside it): first from their first blocks (a long trace's first view does not wait for
 * the rest), then, once the rest is unpacked, the whole traces in the same window.
 */
async function select(a: number, b: number | undefined): Promise<void> {
  const token = ++selection;
  document.body.dataset.ready = 'false';
  document.body.dataset.complete = 'false';
  selected = [a, b];
  pickerA.value = String(a);
  pickerB.value = b === undefined ? '' : String(b);
  const indexes = b === undefined ? [a] : [a, b];
  const firsts = await Promise.all(indexes.map(firstPartOf));
  if (token !== selection) return;
  filter.hiddenProcesses.clear();
  filter.hiddenMemories.clear();
  filter.hiddenVerbs.clear();
  view.cursorT = Infinity;
  show(indexes, firsts);
  firstWindow();
  draw();
  document.body.dataset.ready = 'true';
  if (api.firstViewMs === 0) {
    api.firstViewMs = performance.now();
    api.timings.firstViewMs = api.firstViewMs;
    api.timings.dataParsedMs = dataParsedMs;
    document.body.dataset.firstView = 'true';
  }
  if (firsts.some((first) => !first.complete)) {
    const wholes = await Promise.all(indexes.map(wholeOf));
    if (token !== selection) return;
    show(indexes, wholes);
    draw();
  }
  document.body.dataset.complete = 'true';
}

/** Puts the traces' panes on the page (the view and the filter stay as they are). */
function show(indexes: readonly number[], traces: readonly Loaded[]): void {
  panes = indexes.map((index, position) => new Pane(names[index], traces[position].model));
  panesElement.replaceChildren(...panes.map((pane) => pane.element));
  const complete = traces.every((trace) => trace.complete);
  divergence = traces.length === 2 && complete ? firstDivergence(traces[0].events, traces[1].events) : undefined;
  if (divergence) {
    panes[0].divergenceT = divergence.tA;
    panes[1].divergenceT = divergence.tB;
  }
  panes.forEach((pane, position) => {
    if (!traces[position].complete) pane.element.querySelector('h2')!.textContent += ' (loading the rest of the trace…)';
  });
  buildFilters();
  showDetails(complete);
  for (const pane of panes) attachPointer(pane);
}

/** The first view: the whole trace when it is small, else the span of its first block (only what is in view is drawn either way). */
function firstWindow(): void {
  const fromT = Math.min(...panes.map((pane) => pane.model.startT));
  let toT = Math.max(...panes.map((pane) => pane.model.endT));
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
  const group = (legend: string, items: { label: string; key: string; colour?: string; hidden: boolean; toggle: (hidden: boolean) => void }[]) => {
    const fieldset = document.createElement('fieldset');
    const title = document.createElement('legend');
    title.textContent = legend;
    fieldset.append(title);
    for (const item of items) {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = !item.hidden;
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
  group('processes', Array.from({ length: processes }, (_, p) => ({ label: `p${p}`, key: `p${p}`, hidden: filter.hiddenProcesses.has(p), toggle: toggle(filter.hiddenProcesses, p) })));
  group('memories', Array.from({ length: memories }, (_, m) => ({ label: `m${m}`, key: `m${m}`, hidden: filter.hiddenMemories.has(m), toggle: toggle(filter.hiddenMemories, m) })));
  group('verbs', verbs.map((verb) => ({ label: verb, key: `verb:${verb}`, colour: verbColours[verb], hidden: filter.hiddenVerbs.has(verb), toggle: toggle(filter.hiddenVerbs, verb) })));
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

function showDetails(complete: boolean): void {
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
 paragraph.textContent = !complete
      ? 'computed once the whole traces are loaded'
      : divergence
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

/** A pan in progress: the pane dragged and the pointer's last x on it. */
let dragging: { pane: Pane; x: number } | undefined;
window.addEventListener('mouseup', () => (dragging = undefined));

function attachPointer(pane: Pane): void {
  const canvas = pane.canvas;
  canvas.addEventListener('mousemove', (event) => {
    const rect = canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    if (dragging?.pane === pane) {
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
    dragging = { pane, x: event.clientX - canvas.getBoundingClientRect().left };
  });
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
// With no cursor (everything shown), stepping forward starts at the first event time.
const stepForward = () => setCursorIndex(Number.isFinite(view.cursorT) ? cursorIndex() + 1 : 0);
document.getElementById('mnm-step')!.onclick = stepForward;
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
  if (event.key === 'ArrowRight') stepForward();
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
  /** Milliseconds (from navigation) at which the script started, the first block was parsed, the first frame ended, and the whole traces were drawn. */
  timings: { scriptStartMs: number; dataParsedMs: number; firstViewMs: number; completeMs: number };
  traces(): string[];
  select(a: number, b?: number): Promise<void>;
  fit(): void;
  /** What the last frame drew, per pane, by kind. */
  drawn(): DrawnCounts[];
  /** Everything in each shown trace, by kind (what a fitted, unfiltered frame draws). */
  total(): DrawnCounts[];
  /**
   * Page coordinates of a point on a verb's issue arrow in pane `pane` (undefined when it is not drawn): one where
   * no other drawn arrow is within hover distance (`alone`), if there is one; an arrow drawn exactly on top of it
   * (the same kind, ends and times) may answer the hover instead.
   */
  verbPoint(id: number, pane?: number): { x: number; y: number; alone: boolean } | undefined;
  operationPoint(op: number, pane?: number): { x: number; y: number; alone: boolean } | undefined;
  zoomTo(fromT: number, toT: number): void;
  /** Whether each pane's last frame was drawn in dense mode (too many items in the window to draw one by one). */
  dense(): boolean[];
  /** The operations drawn as not placed by the checker, per pane. */
  unplaced(): number[][];
  view(): TimeView;
}

const api: ViewerTestApi = {
  firstViewMs: 0,
  timings: { scriptStartMs, dataParsedMs: 0, firstViewMs: 0, completeMs: 0 },
  traces: () => [...names],
  select: (a, b) => select(a, b),
  fit,
  drawn: () => panes.map((pane) => pane.counts),
  total: () => panes.map((pane) => modelCounts(pane.model)),
  verbPoint: (id, pane = 0) => pointOf(pane, (hit) => hit.kind === 'verb' && (hit.ref as VerbArrow).id === id),
  operationPoint: (op, pane = 0) => pointOf(pane, (hit) => hit.kind === 'operation' && (hit.ref as { op: number }).op === op),
  zoomTo,
  dense: () => panes.map((pane) => pane.dense),
  unplaced: () => panes.map((pane) => pane.hits.filter((hit) => hit.kind === 'operation' && (hit.ref as { unplaced: boolean }).unplaced).map((hit) => (hit.ref as { op: number }).op)),
  view: () => ({ ...view }),
};
/**
 * A point of the first drawn item matching (page coordinates): the first of a few points along it where no other
 * item lies within hover distance (`alone`), else its middle.
 */
function pointOf(pane: number, matches: (hit: Hit) => boolean): { x: number; y: number; alone: boolean } | undefined {
  const target = panes[pane];
  const hit = target?.hits.find(matches);
  if (!hit) return undefined;
  const rect = target.canvas.getBoundingClientRect();
  // Hovering prefers an arrow within 3 pixels to a box under the pointer: for an arrow, only other arrows crowd it.
  // A twin drawn exactly on top of it (two reads of one memory issued and executed together) cannot be told apart by pointing and does not count.
  const twin = (other: Hit) => other.x1 === hit.x1 && other.y1 === hit.y1 && other.x2 === hit.x2 && other.y2 === hit.y2 && other.kind === hit.kind;
  const crowded = (x: number, y: number) => target.hits.some((other) => other.ref !== hit.ref && !twin(other) && !(other.box && !hit.box) && distanceTo(x, y, other) <= 8);
  for (const along of [0.5, 0.7, 0.85, 0.3, 0.95]) {
    const x = hit.x1 + (hit.x2 - hit.x1) * along;
    const y = hit.y1 + (hit.y2 - hit.y1) * along;
    if (x >= gutterPx && !crowded(x, y)) return { x: rect.left + x, y: rect.top + y, alone: true };
  }
  return { x: rect.left + (hit.x1 + hit.x2) / 2, y: rect.top + (hit.y1 + hit.y2) / 2, alone: false };
}

(window as unknown as { __mnmViewer: ViewerTestApi }).__mnmViewer = api;

fillPickers();
void select(selected[0], selected[1]).then(() => {
  api.timings.completeMs = performance.now();
});
