import { IntervalIndex } from '../intervalIndex.js';
import { layOutLanes, messageVisible, operationRowPx, verbVisible, type LaneLayout, type ViewFilter } from '../layout.js';
import {
  countMark,
  countMessage,
  countVerb,
  describeMessage,
  describeOperation,
  describeVerb,
  emptyCounts,
  memoryLane,
  messageEnd,
  processLane,
  verbEnd,
  type DrawnCounts,
  type LaneMark,
  type MessageArrow,
  type OperationBar,
  type VerbArrow,
  type ViewModel,
} from '../viewModel.js';

/** The time window every pane shows (shared, so two traces side by side line up). */
export interface TimeView {
  fromT: number;
  toT: number;
  /** Events after this time are faded (step/scrub); Infinity shows everything. */
  cursorT: number;
}

export type HitKind = 'verb' | 'message' | 'operation' | 'mark';

/** Something drawn that the pointer can hover. */
export interface Hit {
  readonly kind: HitKind;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** Segment (false) or rectangle (true). */
  readonly box: boolean;
  readonly ref: VerbArrow | MessageArrow | OperationBar | LaneMark;
}

export const gutterPx = 44;

export const verbColours: Readonly<Record<string, string>> = { read: '#1f77b4', write: '#2ca02c', cas: '#9467bd', faa: '#8c564b', permission: '#ff7f0e' };
const refusedColour = '#d62728';
const messageColour = '#777';
const markColours: Readonly<Record<string, string>> = {
  grant: '#2ca02c', revoke: '#d62728', crash: '#d62728', pause: '#e6b800', partition: '#9467bd', heal: '#9467bd', lossy: '#999', reliable: '#999',
  fault: '#d62728', note: '#17becf', hold: '#bcbd22', release: '#bcbd22', end: '#444',
};
const outcomeFill: Readonly<Record<string, string>> = { ok: '#cfe3f7', fail: '#ddd', info: '#fbe7a6', pending: '#fdd9b5' };

/** One trace drawn on one canvas: only the items in the time window, found through interval indexes. */
export class Pane {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly verbIndex: IntervalIndex;
  private readonly messageIndex: IntervalIndex;
  private readonly operationIndex: IntervalIndex;
  private readonly markIndex: IntervalIndex;
  layout!: LaneLayout;
  hits: Hit[] = [];
  counts: DrawnCounts = emptyCounts();
  /** Operations to outline (a violation picked in the details). */
  focusOperations: ReadonlySet<number> = new Set();
  /** Where this trace first differs from the one beside it. */
  divergenceT?: number;
  private widthPx = 600;
  /** Whether the last frame was drawn in dense mode (more items in the window than `denseItems`). */
  dense = false;

  constructor(
    readonly name: string,
    readonly model: ViewModel,
  ) {
    this.element = document.createElement('section');
    this.element.className = 'mnm-pane';
    this.element.dataset.trace = name;
    const title = document.createElement('h2');
    const header = model.header;
    title.textContent = `${name} — ${header.scenario}, seed ${header.seed}, ${header.processes} processes, ${header.memories} memories, ${model.eventCount} events`;
    this.element.append(title);
    this.canvas = document.createElement('canvas');
    this.canvas.dataset.testid = 'lanes';
    this.element.append(this.canvas);
    this.context = this.canvas.getContext('2d')!;
    const end = model.endT;
    const start = model.startT;
    this.verbIndex = new IntervalIndex(start, end, model.verbs.map((verb) => verb.issueT), model.verbs.map(verbEnd));
    this.messageIndex = new IntervalIndex(start, end, model.messages.map((message) => message.sendT), model.messages.map(messageEnd));
    this.operationIndex = new IntervalIndex(start, end, model.operations.map((bar) => bar.startT), model.operations.map((bar) => bar.endT));
    this.markIndex = new IntervalIndex(start, end, model.marks.map((mark) => mark.t), model.marks.map((mark) => mark.until ?? mark.t));
  }

  /** The x of time t in CSS pixels of this pane's canvas. */
  xOf(view: TimeView, t: number): number {
    const span = view.toT - view.fromT || 1;
    return gutterPx + ((t - view.fromT) / span) * (this.widthPx - gutterPx - 8);
  }

  tOf(view: TimeView, x: number): number {
    const span = view.toT - view.fromT || 1;
    return view.fromT + ((x - gutterPx) / (this.widthPx - gutterPx - 8)) * span;
  }

  draw(view: TimeView, filter: ViewFilter): void {
    const model = this.model;
    this.layout = layOutLanes(model, filter);
    this.widthPx = Math.max(200, this.element.clientWidth || 600);
    const ratio = window.devicePixelRatio || 1;
    const heightPx = this.layout.heightPx;
    if (this.canvas.width !== Math.round(this.widthPx * ratio) || this.canvas.height !== Math.round(heightPx * ratio)) {
      this.canvas.width = Math.round(this.widthPx * ratio);
      this.canvas.height = Math.round(heightPx * ratio);
      this.canvas.style.height = `${heightPx}px`;
    }
    const c = this.context;
    c.setTransform(ratio, 0, 0, ratio, 0, 0);
    c.clearRect(0, 0, this.widthPx, heightPx);
    this.hits = [];
    const counts = emptyCounts();
    const { laneY, operationsY } = this.layout;
    const x = (t: number) => this.xOf(view, t);
    // A little margin so that arrows crossing the window's edges are drawn.
    const fromT = view.fromT;
    const toT = view.toT;
    const faded = (t: number) => t > view.cursorT;

    this.drawAxis(view);
    // Lanes.
    c.font = '12px system-ui, sans-serif';
    model.lanes.forEach((lane, index) => {
      const y = laneY[index];
      if (y < 0) return;
      counts.lanes++;
      c.strokeStyle = lane.kind === 'process' ? '#bbb' : '#d9c9a8';
      c.lineWidth = lane.kind === 'process' ? 1 : 3;
      c.beginPath();
      c.moveTo(gutterPx, y);
      c.lineTo(this.widthPx - 4, y);
      c.stroke();
      c.fillStyle = lane.kind === 'process' ? '#333' : '#8a6d2f';
      c.fillText(lane.name, 6, y + 4);
    });

    // Marks with a span (pauses, partitions, lossy periods) go under everything.
    this.markIndex.query(fromT, toT, (item) => {
      const mark = model.marks[item];
      if (mark.lane >= 0 && laneY[mark.lane] < 0) return;
      if (mark.lane >= 0 && model.lanes[mark.lane].kind === 'process' && filter.hiddenProcesses.has(model.lanes[mark.lane].index)) return;
      countMark(counts, mark);
      this.drawMark(mark, view, faded(mark.t));
    });

    // What is in the window decides how to draw it: item by item (arrowheads, dashes, labels), or, when there is
    // more than a screen can show one by one, in dense mode: one path per colour, and a segment whose pixels an
    // earlier one already covered is skipped, so that a zoomed-out frame of a long trace stays fast.
    const operations: number[] = [];
    const messages: number[] = [];
    const verbs: number[] = [];
    this.operationIndex.query(fromT, toT, (item) => operations.push(item));
    this.messageIndex.query(fromT, toT, (item) => messages.push(item));
    this.verbIndex.query(fromT, toT, (item) => verbs.push(item));
    const dense = operations.length + messages.length + verbs.length > denseItems;
    this.dense = dense;
    const batch = new DenseBatch();

    for (const item of operations) {
      const bar = model.operations[item];
      const top = operationsY[bar.p];
      if (top === undefined || top < 0) continue;
      counts.operations++;
      if (dense) this.drawOperationDense(bar, top + bar.row * operationRowPx, x, faded(bar.startT), batch);
      else this.drawOperation(bar, top + bar.row * operationRowPx, x, faded(bar.startT));
    }
    batch.flush(c);

    for (const item of messages) {
      const message = model.messages[item];
      if (!messageVisible(filter, message.from, message.to)) continue;
      const y1 = laneY[processLane(message.from)];
      const y2 = laneY[processLane(message.to)];
      countMessage(counts, message);
      if (dense) this.segmentDense(batch, message.dropT !== undefined ? refusedColour : messageColour, faded(message.sendT), x(message.sendT), y1, x(messageEnd(message)), message.deliverT !== undefined ? y2 : (y1 + y2) / 2, 'message', message);
      else this.drawMessage(message, x, y1, y2, faded(message.sendT));
    }
    batch.flush(c);

    for (const item of verbs) {
      const verb = model.verbs[item];
      if (!verbVisible(filter, verb.p, verb.m, verb.verb)) continue;
      const yp = laneY[processLane(verb.p)];
      const ym = laneY[memoryLane(model.header, verb.m)];
      countVerb(counts, verb);
      if (dense) {
        const colour = verb.status === 'refused' ? refusedColour : verbColours[verb.verb] ?? '#333';
        const reachT = verb.arriveT ?? verb.lostT ?? verb.issueT;
        this.segmentDense(batch, colour, faded(verb.issueT), x(verb.issueT), yp, x(reachT), ym, 'verb', verb);
        if (verb.completeT !== undefined) this.segmentDense(batch, colour, faded(verb.issueT), x(reachT), ym, x(verb.completeT), yp, 'verb', verb);
        if (verb.torn > 0) batch.box('#ff7f0e', faded(verb.issueT), x(reachT) - 2, ym - 3, 4, 6);
      } else this.drawVerb(verb, x, yp, ym, faded(verb.issueT));
    }
    batch.flush(c);

    if (Number.isFinite(view.cursorT)) this.verticalLine(x(view.cursorT), '#000', [4, 3], 'now');
    if (this.divergenceT !== undefined) this.verticalLine(x(this.divergenceT), '#e377c2', [], 'first divergence');
    this.counts = counts;
  }

  private drawAxis(view: TimeView): void {
    const c = this.context;
    const span = view.toT - view.fromT || 1;
    const step = niceStep(span / Math.max(1, (this.widthPx - gutterPx) / 90));
    c.fillStyle = '#666';
    c.strokeStyle = '#eee';
    c.lineWidth = 1;
    c.font = '11px system-ui, sans-serif';
    for (let t = Math.ceil(view.fromT / step) * step; t <= view.toT; t += step) {
      const x = this.xOf(view, t);
      c.beginPath();
      c.moveTo(x, 16);
      c.lineTo(x, this.layout.heightPx);
      c.stroke();
      c.fillText(formatTime(t), x + 2, 12);
    }
  }

  private verticalLine(x: number, colour: string, dash: number[], label: string): void {
    const c = this.context;
    c.save();
    c.strokeStyle = colour;
    c.setLineDash(dash);
    c.lineWidth = 2;
    c.beginPath();
    c.moveTo(x, 14);
    c.lineTo(x, this.layout.heightPx);
    c.stroke();
    c.fillStyle = colour;
    c.fillText(label, x + 3, this.layout.heightPx - 4);
    c.restore();
  }

  private drawVerb(verb: VerbArrow, x: (t: number) => number, yp: number, ym: number, faded: boolean): void {
    const c = this.context;
    c.globalAlpha = faded ? 0.12 : 1;
    const colour = verb.status === 'refused' ? refusedColour : verbColours[verb.verb] ?? '#333';
    c.strokeStyle = colour;
    c.fillStyle = colour;
    c.lineWidth = verb.status === 'refused' ? 2 : 1.3;
    const x1 = x(verb.issueT);
    const reachT = verb.arriveT ?? verb.lostT;
    if (reachT === undefined) {
      // Unfinished and never executed: a stub towards the memory.
      this.arrow(x1, yp, x1 + 6, yp + (ym - yp) * 0.3, false);
      this.hits.push({ kind: 'verb', x1, y1: yp, x2: x1 + 6, y2: yp + (ym - yp) * 0.3, box: false, ref: verb });
    } else {
      const x2 = x(reachT);
      this.arrow(x1, yp, x2, ym, true);
      this.hits.push({ kind: 'verb', x1, y1: yp, x2, y2: ym, box: false, ref: verb });
      if (verb.status === 'lost') this.cross(x2, ym, 5);
      if (verb.completeT !== undefined) {
        const x3 = x(verb.completeT);
        c.setLineDash([3, 2]);
        this.arrow(x2, ym, x3, yp, true);
        c.setLineDash([]);
        this.hits.push({ kind: 'verb', x1: x2, y1: ym, x2: x3, y2: yp, box: false, ref: verb });
      }
      if (verb.torn > 0) {
        c.fillStyle = '#ff7f0e';
        c.beginPath();
        c.moveTo(x2, ym - 6);
        c.lineTo(x2 + 5, ym);
        c.lineTo(x2, ym + 6);
        c.lineTo(x2 - 5, ym);
        c.closePath();
        c.fill();
      }
    }
    c.globalAlpha = 1;
  }

  private drawMessage(message: MessageArrow, x: (t: number) => number, y1: number, y2: number, faded: boolean): void {
    const c = this.context;
    c.globalAlpha = faded ? 0.12 : 0.8;
    c.strokeStyle = messageColour;
    c.fillStyle = messageColour;
    c.lineWidth = 1;
    const x1 = x(message.sendT);
    if (message.deliverT !== undefined) {
      const x2 = x(message.deliverT);
      this.arrow(x1, y1, x2, y2, true);
      this.hits.push({ kind: 'message', x1, y1, x2, y2, box: false, ref: message });
    } else {
      const endT = message.dropT ?? message.sendT;
      const x2 = Math.max(x(endT), x1 + 8);
      const ym = (y1 + y2) / 2;
      c.setLineDash([2, 2]);
      this.arrow(x1, y1, x2, ym, false);
      c.setLineDash([]);
      c.strokeStyle = refusedColour;
      if (message.dropT !== undefined) this.cross(x2, ym, 4);
      this.hits.push({ kind: 'message', x1, y1, x2, y2: ym, box: false, ref: message });
    }
    c.globalAlpha = 1;
  }

  private drawOperation(bar: OperationBar, top: number, x: (t: number) => number, faded: boolean): void {
    const c = this.context;
    const x1 = x(bar.startT);
    const x2 = Math.max(x(bar.endT), x1 + 3);
    const height = operationRowPx - 3;
    c.globalAlpha = faded ? 0.15 : 1;
    c.fillStyle = bar.unplaced ? '#f4a3a3' : outcomeFill[bar.outcome];
    c.fillRect(x1, top, x2 - x1, height);
    if (bar.unplaced || bar.violations.length > 0 || this.focusOperations.has(bar.op)) {
      c.strokeStyle = bar.unplaced ? '#b00' : '#d62728';
      c.lineWidth = bar.unplaced || this.focusOperations.has(bar.op) ? 2.5 : 1.2;
      if (!bar.unplaced && !this.focusOperations.has(bar.op)) c.setLineDash([3, 2]);
      c.strokeRect(x1, top, x2 - x1, height);
      c.setLineDash([]);
    }
    const width = x2 - x1;
    if (width > 24) {
      const label = `${bar.order !== undefined ? `#${bar.order + 1} ` : ''}${bar.f}${bar.key !== undefined ? ` ${bar.key}` : ''}${shortValue(bar.invokeValue)}${bar.outcome === 'pending' ? '' : ` → ${shortValue(bar.returnValue) || bar.outcome}`}`;
      c.save();
      c.beginPath();
      c.rect(x1, top, width, height);
      c.clip();
      c.fillStyle = '#111';
      c.font = '10px system-ui, sans-serif';
      c.fillText(label, x1 + 2, top + height - 3);
      c.restore();
    } else if (bar.order !== undefined) {
      c.fillStyle = '#111';
      c.font = '9px system-ui, sans-serif';
      c.fillText(String(bar.order + 1), x1, top - 1);
    }
    c.globalAlpha = 1;
    this.hits.push({ kind: 'operation', x1, y1: top, x2, y2: top + height, box: true, ref: bar });
  }

  private drawMark(mark: LaneMark, view: TimeView, faded: boolean): void {
    const c = this.context;
    const x = this.xOf(view, mark.t);
    const colour = markColours[mark.kind] ?? '#444';
    const laneY = mark.lane >= 0 ? this.layout.laneY[mark.lane] : -1;
    c.globalAlpha = faded ? 0.15 : 1;
    c.strokeStyle = colour;
    c.fillStyle = colour;
    c.lineWidth = 2;
    if (mark.until !== undefined) {
      // A span: a translucent band on its lane (or across the run).
      const x2 = this.xOf(view, mark.until);
      c.globalAlpha = faded ? 0.05 : 0.18;
      if (laneY >= 0) c.fillRect(x, laneY - 14, Math.max(2, x2 - x), 28);
      else c.fillRect(x, 16, Math.max(2, x2 - x), 8);
      c.globalAlpha = faded ? 0.15 : 1;
    }
    const y = laneY >= 0 ? laneY : 20;
    switch (mark.kind) {
      case 'crash':
      case 'fault':
        this.cross(x, y, 8);
        break;
      case 'grant':
        c.beginPath();
        c.moveTo(x, y - 12);
        c.lineTo(x - 6, y - 2);
        c.lineTo(x + 6, y - 2);
        c.closePath();
        c.fill();
        break;
      case 'revoke':
        c.beginPath();
        c.arc(x, y - 8, 5, 0, Math.PI * 2);
        c.moveTo(x - 4, y - 12);
        c.lineTo(x + 4, y - 4);
        c.stroke();
        break;
      case 'note':
        c.beginPath();
        c.arc(x, y - 9, 3, 0, Math.PI * 2);
        c.fill();
        break;
      case 'end':
        c.fillRect(x - 1, 14, 2, 10);
        break;
      default:
        c.fillRect(x - 3, y - 12, 6, 6);
        break;
    }
    c.globalAlpha = 1;
    this.hits.push({ kind: 'mark', x1: x - 7, y1: y - 14, x2: x + 7, y2: y + 2, box: true, ref: mark });
  }

  private arrow(x1: number, y1: number, x2: number, y2: number, head: boolean): void {
    const c = this.context;
    c.beginPath();
    c.moveTo(x1, y1);
    c.lineTo(x2, y2);
    c.stroke();
    if (!head) return;
    const angle = Math.atan2(y2 - y1, x2 - x1);
    c.beginPath();
    c.moveTo(x2, y2);
    c.lineTo(x2 - 6 * Math.cos(angle - 0.4), y2 - 6 * Math.sin(angle - 0.4));
    c.lineTo(x2 - 6 * Math.cos(angle + 0.4), y2 - 6 * Math.sin(angle + 0.4));
    c.closePath();
    c.fill();
  }

  private cross(x: number, y: number, size: number): void {
    const c = this.context;
    c.beginPath();
    c.moveTo(x - size, y - size);
    c.lineTo(x + size, y + size);
    c.moveTo(x + size, y - size);
    c.lineTo(x - size, y + size);
    c.stroke();
  }

  private drawOperationDense(bar: OperationBar, top: number, x: (t: number) => number, faded: boolean, batch: DenseBatch): void {
    const x1 = x(bar.startT);
    const x2 = Math.max(x(bar.endT), x1 + 1);
    const colour = bar.unplaced ? '#d62728' : bar.violations.length > 0 ? '#f08080' : outcomeFill[bar.outcome];
    if (batch.box(colour, faded, x1, top, x2 - x1, operationRowPx - 3)) this.hits.push({ kind: 'operation', x1, y1: top, x2, y2: top + operationRowPx - 3, box: true, ref: bar });
  }

  private segmentDense(batch: DenseBatch, colour: string, faded: boolean, x1: number, y1: number, x2: number, y2: number, kind: HitKind, ref: VerbArrow | MessageArrow): void {
    if (batch.segment(colour, faded, x1, y1, x2, y2)) this.hits.push({ kind, x1, y1, x2, y2, box: false, ref });
  }

  /** The drawn item nearest to a point of the canvas (CSS pixels), within a few pixels. */
  hitAt(px: number, py: number): Hit | undefined {
    let best: Hit | undefined;
    let bestDistance = 6;
    for (const hit of this.hits) {
      const distance = hit.box
        ? px >= hit.x1 && px <= hit.x2 && py >= hit.y1 && py <= hit.y2
          ? 3 // a box (an operation, a mark) is under the pointer; an arrow within 3 pixels of it still wins
          : Infinity
        : segmentDistance(px, py, hit);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = hit;
      }
    }
    return best;
  }
}

/** Items in a window above which a frame is drawn in dense mode. */
export const denseItems = 6000;

/**
 * Segments and boxes of a dense frame, gathered into one path per colour and stroked or filled at once; a
 * segment or box whose rounded pixels were already drawn in that colour is skipped (and says so).
 */
class DenseBatch {
  private readonly segments = new Map<string, Path2D>();
  private readonly boxes = new Map<string, Path2D>();
  private readonly seen = new Set<string>();

  segment(colour: string, faded: boolean, x1: number, y1: number, x2: number, y2: number): boolean {
    const key = `${colour}${faded ? '~' : ''}`;
    const pixels = `${key}|${Math.round(x1)},${Math.round(y1)},${Math.round(x2)},${Math.round(y2)}`;
    if (this.seen.has(pixels)) return false;
    this.seen.add(pixels);
    let path = this.segments.get(key);
    if (!path) this.segments.set(key, (path = new Path2D()));
    path.moveTo(x1, y1);
    path.lineTo(x2, y2);
    return true;
  }

  box(colour: string, faded: boolean, x: number, y: number, width: number, height: number): boolean {
    const key = `${colour}${faded ? '~' : ''}`;
    const pixels = `${key}#${Math.round(x)},${Math.round(y)},${Math.round(width)}`;
    if (this.seen.has(pixels)) return false;
    this.seen.add(pixels);
    let path = this.boxes.get(key);
    if (!path) this.boxes.set(key, (path = new Path2D()));
    path.rect(x, y, width, height);
    return true;
  }

  flush(c: CanvasRenderingContext2D): void {
    c.lineWidth = 1;
    for (const [key, path] of this.boxes) {
      c.globalAlpha = key.endsWith('~') ? 0.15 : 1;
      c.fillStyle = key.replace('~', '');
      c.fill(path);
    }
    for (const [key, path] of this.segments) {
      c.globalAlpha = key.endsWith('~') ? 0.12 : 0.8;
      c.strokeStyle = key.replace('~', '');
      c.stroke(path);
    }
    c.globalAlpha = 1;
    this.boxes.clear();
    this.segments.clear();
  }
}

export function describeHit(hit: Hit): string {
  switch (hit.kind) {
    case 'verb':
      return describeVerb(hit.ref as VerbArrow);
    case 'message':
      return describeMessage(hit.ref as MessageArrow);
    case 'operation':
      return describeOperation(hit.ref as OperationBar);
    case 'mark': {
      const mark = hit.ref as LaneMark;
      return `${mark.kind} t=${mark.t}: ${mark.label}`;
    }
  }
}

/** How far a point is from a drawn item (0 inside a box). */
export function distanceTo(px: number, py: number, hit: Hit): number {
  if (hit.box) return px >= hit.x1 && px <= hit.x2 && py >= hit.y1 && py <= hit.y2 ? 3 : Infinity;
  return segmentDistance(px, py, hit);
}

function segmentDistance(px: number, py: number, hit: Hit): number {
  const dx = hit.x2 - hit.x1;
  const dy = hit.y2 - hit.y1;
  const length = dx * dx + dy * dy;
  const along = length === 0 ? 0 : Math.max(0, Math.min(1, ((px - hit.x1) * dx + (py - hit.y1) * dy) / length));
  return Math.hypot(px - (hit.x1 + along * dx), py - (hit.y1 + along * dy));
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= raw) return factor * power;
  return 10 * power;
}

function formatTime(t: number): string {
  // Ticks are multiples of 1, 2 or 5 times a power of ten: rounding away float noise (0.30000000000000004) is exact enough.
  return String(Math.round(t * 1e6) / 1e6);
}

function shortValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = JSON.stringify(value);
  return ` ${text.length > 16 ? `${text.slice(0, 15)}…` : text}`;
}
