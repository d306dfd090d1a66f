import type { ViewModel } from './viewModel.js';

/** What the viewer hides: processes, memories and verb kinds unticked in its filter. */
export interface ViewFilter {
  readonly hiddenProcesses: ReadonlySet<number>;
  readonly hiddenMemories: ReadonlySet<number>;
  readonly hiddenVerbs: ReadonlySet<string>;
}

export const noFilter: ViewFilter = { hiddenProcesses: new Set(), hiddenMemories: new Set(), hiddenVerbs: new Set() };

/** Heights in CSS pixels. */
export const laneHeightPx = 40;
export const operationRowPx = 16;
export const axisHeightPx = 22;

/** Where each lane sits vertically; hidden lanes have no position. */
export interface LaneLayout {
  /** The y of each lane's line (index of `model.lanes`), or -1 for a hidden lane. */
  readonly laneY: readonly number[];
  /** The y of the top of a process's first operation row, or -1. */
  readonly operationsY: readonly number[];
  readonly heightPx: number;
}

/**
 * Stacks the visible lanes from the top: each process lane, then its rows of
 * operation bars, then the memories. A pure function of the model and the
 * filter, so the browser's drawing and its tests agree on where things are.
 */
export function layOutLanes(model: ViewModel, filter: ViewFilter): LaneLayout {
  const laneY: number[] = [];
  const operationsY: number[] = [];
  let y = axisHeightPx;
  model.lanes.forEach((lane) => {
    const hidden = lane.kind === 'process' ? filter.hiddenProcesses.has(lane.index) : filter.hiddenMemories.has(lane.index);
    if (hidden) {
      laneY.push(-1);
      if (lane.kind === 'process') operationsY.push(-1);
      return;
    }
    laneY.push(y + laneHeightPx / 2);
    y += laneHeightPx;
    if (lane.kind === 'process') {
      const rows = model.operationRows[lane.index] ?? 0;
      operationsY.push(rows > 0 ? y : -1);
      y += rows * operationRowPx + (rows > 0 ? 4 : 0);
    }
  });
  return { laneY, operationsY, heightPx: y + 8 };
}

/** Whether a verb, message or mark on these lanes passes the filter. */
export function verbVisible(filter: ViewFilter, p: number, m: number, verb: string): boolean {
  return !filter.hiddenProcesses.has(p) && !filter.hiddenMemories.has(m) && !filter.hiddenVerbs.has(verb);
}

export function messageVisible(filter: ViewFilter, from: number, to: number): boolean {
  return !filter.hiddenProcesses.has(from) && !filter.hiddenProcesses.has(to);
}
