import { findScenario, resolveOptions, runScenario, type ResolvedOptions, type RunOptions } from '../../scenarios/index.js';
import { faultsOf } from '../../scenarios/runFaults.js';
import type { Fault } from '../../sim/index.js';
import { replayCommand } from '../runArgs.js';

/** The sizes a shrink may only lower: every one of them at most the original's, one strictly less per kept step. */
export interface RunSize {
  readonly ops: number;
  readonly n: number;
  readonly memories: number;
  readonly f: number;
  /** Faults injected: drawn by the profile plus explicit ones. */
  readonly faults: number;
  /** Clock bounds set (skew, drift): each is a fault of its own kind. */
  readonly clocks: number;
}

/** One candidate run tried: what changed, its replay command, and whether the property still failed. */
export interface ShrinkStep {
  readonly change: string;
  readonly replay: string;
  readonly outcome: 'fails' | 'passes' | 'invalid';
}

export interface ShrinkResult {
  readonly original: string;
  readonly shrunk: string;
  readonly property: string;
  /** The violation's detail in the shrunk run. */
  readonly detail: string;
  readonly originalSize: RunSize;
  readonly shrunkSize: RunSize;
  /** Runs made (invalid candidates are refused before running and not counted). */
  readonly runs: number;
  readonly steps: readonly ShrinkStep[];
}

export interface ShrinkLimits {
  /** Most runs to make, the original's included. */
  readonly runsMax: number;
  /** The property that must keep failing (default: the original run's first violation). */
  readonly property?: string;
  /** Told about each step as it is tried (progress). */
  readonly onStep?: (step: ShrinkStep, runs: number) => void;
}

/** Thrown when the run to shrink does not fail (or not the property asked for): nothing to shrink. */
export class NothingToShrink extends Error {}

function faultsOfRun(options: ResolvedOptions): Fault[] {
  const scenario = findScenario(options.protocol);
  if (!scenario) throw new Error(`unknown protocol '${options.protocol}'`);
  return faultsOf(options, scenario);
}

export function runSize(options: ResolvedOptions): RunSize {
  return {
    ops: options.ops,
    n: options.n,
    memories: options.memories,
    f: options.f ?? 0,
    faults: faultsOfRun(options).length,
    clocks: (options.skew ? 1 : 0) + (options.drift ? 1 : 0),
  };
}

const axes = ['ops', 'n', 'memories', 'f', 'faults', 'clocks'] as const;

/** No axis larger, and (unless `allowEqual`) at least one smaller. */
function smaller(candidate: RunSize, current: RunSize, allowEqual: boolean): boolean {
  if (axes.some((axis) => candidate[axis] > current[axis])) return false;
  return allowEqual || axes.some((axis) => candidate[axis] < current[axis]);
}

/** A drawn fault as an explicit `--crash` / `--pause` entry, or undefined for kinds the command line cannot give (partitions, slow links, lossy periods). */
function explicitFault(fault: Fault): { kind: 'crash' | 'pause'; entry: string } | undefined {
  switch (fault.kind) {
    case 'crash-process':
      return { kind: 'crash', entry: `p${fault.process}@${fault.at}${fault.midWrite ? '!' : ''}` };
    case 'crash-memory':
      return { kind: 'crash', entry: `m${fault.memory}@${fault.at}` };
    case 'crash-host':
      return { kind: 'crash', entry: `h${fault.host}@${fault.at}${fault.midWrite ? '!' : ''}` };
    case 'pause':
      return { kind: 'pause', entry: `p${fault.process}@${fault.at}+${fault.duration}` };
    default:
      return undefined;
  }
}

function entries(list: string | undefined): string[] {
  return list ? list.split(',').filter((entry) => entry !== '') : [];
}

function without<K extends keyof RunOptions>(options: RunOptions, key: K): RunOptions {
  const copy: Record<string, unknown> = { ...options };
  delete copy[key];
  return copy as unknown as RunOptions;
}

function withList(options: RunOptions, key: 'crash' | 'pause', list: readonly string[]): RunOptions {
  return list.length > 0 ? { ...options, [key]: list.join(',') } : without(options, key);
}

/** Candidate runs smaller than `current`, most promising (largest cut) first, each with what it changes. */
function* candidates(current: ResolvedOptions): Generator<{ change: string; options: RunOptions; allowEqual?: boolean }> {
  if (current.faults !== 'none') {
    yield { change: `--faults none (was ${current.faults})`, options: { ...current, faults: 'none' } };
    const drawn = faultsOfRun({ ...current, crash: undefined, pause: undefined } as ResolvedOptions).map(explicitFault);
    if (drawn.every((fault) => fault !== undefined)) {
      const crash = [...entries(current.crash), ...drawn.filter((fault) => fault?.kind === 'crash').map((fault) => fault?.entry ?? '')];
      const pause = [...entries(current.pause), ...drawn.filter((fault) => fault?.kind === 'pause').map((fault) => fault?.entry ?? '')];
      // The same faults, made explicit so that they can be dropped one by one.
      yield { change: `--faults ${current.faults} as explicit faults`, options: withList(withList({ ...current, faults: 'none' }, 'crash', crash), 'pause', pause), allowEqual: true };
    }
  }
  for (const key of ['crash', 'pause'] as const) {
    const list = entries(current[key]);
    for (let index = 0; index < list.length; index++) {
      yield { change: `drop --${key} ${list[index]}`, options: withList(current, key, list.filter((_, other) => other !== index)) };
    }
  }
  if (current.skew) yield { change: `drop --skew ${current.skew}`, options: without(current, 'skew') };
  if (current.drift) yield { change: `drop --drift ${current.drift}`, options: without(current, 'drift') };
  // Operations: the fewest first, then halfway, then one less (greedy; failures need not be monotone in the count).
  for (const ops of new Set([1, Math.floor(current.ops / 2), current.ops - 1])) {
    if (ops >= 1 && ops < current.ops) yield { change: `--ops ${ops} (was ${current.ops})`, options: { ...current, ops } };
  }
  if (current.f !== undefined) {
    // Sizes follow f: let the scenario size the run again.
    for (let f = 0; f < current.f; f++) yield { change: `--f ${f} (was ${current.f})`, options: { ...without(without(current, 'n'), 'memories'), f } };
  } else {
    for (let n = 1; n < current.n; n++) yield { change: `--n ${n} (was ${current.n})`, options: { ...current, n } };
  }
  for (let memories = 0; memories < current.memories; memories++) yield { change: `--memories ${memories} (was ${current.memories})`, options: { ...current, memories } };
}

/**
 * Greedy delta debugging of a failing run: try smaller runs (fewer faults,
 * fewer operations, fewer processes and memories), keep the first that still
 * violates the same property, and start over from it, until no candidate
 * fails or the run budget is spent. The simulator is deterministic, so a
 * kept run fails again whenever its replay command runs.
 */
export async function shrinkRun(options: RunOptions, limits: ShrinkLimits): Promise<ShrinkResult> {
  let current = resolveOptions(options);
  if (current.backend !== undefined) throw new Error(`shrink needs the deterministic simulator; --backend ${current.backend} runs do not replay`);
  const original = await runScenario(current, 'off');
  let runs = 1;
  const property = limits.property ?? original.violations[0]?.property;
  const first = original.violations.find((violation) => violation.property === property);
  if (property === undefined || first === undefined) {
    throw new NothingToShrink(property === undefined ? 'the run does not fail: every property holds, nothing to shrink' : `the run does not violate '${property}' (it violates ${original.violations.map((violation) => violation.property).join(', ') || 'nothing'})`);
  }
  let detail = first.detail;
  const originalSize = runSize(current);
  let size = originalSize;
  const steps: ShrinkStep[] = [];
  let progressed = true;
  while (progressed && runs < limits.runsMax) {
    progressed = false;
    for (const candidate of candidates(current)) {
      if (runs >= limits.runsMax) break;
      let resolved: ResolvedOptions;
      let candidateSize: RunSize;
      try {
        resolved = resolveOptions(candidate.options);
        candidateSize = runSize(resolved);
      } catch {
        const step: ShrinkStep = { change: candidate.change, replay: '', outcome: 'invalid' };
        steps.push(step);
        limits.onStep?.(step, runs);
        continue;
      }
      if (!smaller(candidateSize, size, candidate.allowEqual === true)) continue;
      const report = await runScenario(resolved, 'off');
      runs++;
      const violation = report.violations.find((found) => found.property === property);
      const step: ShrinkStep = { change: candidate.change, replay: replayCommand(resolved), outcome: violation ? 'fails' : 'passes' };
      steps.push(step);
      limits.onStep?.(step, runs);
      if (violation) {
        current = resolved;
        size = candidateSize;
        detail = violation.detail;
        progressed = true;
        break;
      }
    }
  }
  return { original: replayCommand(resolveOptions(options)), shrunk: replayCommand(current), property, detail, originalSize, shrunkSize: size, runs, steps };
}
