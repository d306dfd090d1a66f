import { fileURLToPath } from 'node:url';
import { findScenario, loadUserScenario, scenarios, type ResolvedOptions, type RunOptions } from '../scenarios/index.js';
import { faultProfiles, type FaultProfile } from '../sim/index.js';
import { UsageError, choiceOption, integerOption, numberOption } from './usage.js';
import { protocolWords, scheduleFor } from './scheduleOption.js';

/** The options every command that runs a scenario accepts (`run`, later `sweep`). */
export const runOptionSpecs = {
  seed: { type: 'string' },
  n: { type: 'string' },
  memories: { type: 'string' },
  latency: { type: 'string' },
  faults: { type: 'string' },
  crash: { type: 'string', multiple: true },
  pause: { type: 'string', multiple: true },
  horizon: { type: 'string' },
  mutant: { type: 'string' },
  ops: { type: 'string' },
  f: { type: 'string' },
  adversary: { type: 'string' },
  backend: { type: 'string' },
  workload: { type: 'string' },
  log: { type: 'string' },
  slots: { type: 'string' },
  tear: { type: 'string' },
  hold: { type: 'string', multiple: true },
  scenario: { type: 'string' },
  skew: { type: 'string' },
  drift: { type: 'string' },
  clients: { type: 'string' },
  window: { type: 'string' },
  contention: { type: 'string' },
  'value-bytes': { type: 'string' },
  'crash-leader-at': { type: 'string' },
  'pause-leader-at': { type: 'string' },
  for: { type: 'string' },
  schedule: { type: 'string' },
} as const;

type Values = { [K in keyof typeof runOptionSpecs]?: K extends 'crash' | 'pause' | 'hold' ? string[] : string };

/**
 * The protocol a command runs: its one positional argument, or the scenario
 * of the user module `--scenario FILE` (loaded and registered here; a
 * positional may then only repeat its name). Bad input is a usage error.
 */
export async function protocolFrom(command: string, positionals: readonly string[], scenarioFile: string | undefined): Promise<string> {
  if (scenarioFile === undefined) {
    if (positionals.length !== 1) {
      throw new UsageError(`expected one protocol, got ${positionals.length === 0 ? 'none' : positionals.join(' ')} (accepted: ${scenarios.map((scenario) => scenario.name).join(', ')}, or --scenario FILE)`);
    }
    return positionals[0];
  }
  let name: string;
  try {
    name = (await loadUserScenario(scenarioFile)).name;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== name)) {
    throw new UsageError(`mnm ${command} --scenario ${scenarioFile} runs its scenario '${name}': give no protocol, or '${name}' (got ${positionals.join(' ')})`);
  }
  return name;
}

/** Turns parsed flags into run options (defaults are filled later by the scenario). */
export function runOptionsFrom(protocol: string, values: Values): RunOptions {
  // A schedule runs its own scenario, with the faults and holds it needs unless the command gives its own.
  const schedule = scheduleFor(protocol, values.schedule, values.backend);
  const crash = values.crash?.join(',') || schedule?.options?.crash;
  const pause = values.pause?.join(',') || schedule?.options?.pause;
  const hold = values.hold !== undefined && values.hold.length > 0 ? values.hold.join('; ') : schedule?.options?.hold;
  const workload = workloadFrom(protocol, values);
  return {
    protocol: schedule ? schedule.scenario.name : protocol,
    // Seeds are 0 or more on purpose: a seed names a run, and one spelling per run keeps replay commands unique.
    seed: integerOption('seed', values.seed, 1),
    ...(values.n !== undefined ? { n: integerOption('n', values.n, 0, 1, 1024, 'processes') } : {}),
    ...(values.memories !== undefined ? { memories: integerOption('memories', values.memories, 0, 0, 1024, 'memories') } : {}),
    latency: values.latency ?? 'unit',
    faults: choiceOption<FaultProfile>('faults', values.faults, faultProfiles, 'none'),
    ...(crash ? { crash } : {}),
    ...(pause ? { pause } : {}),
    ...(values.horizon !== undefined ? { horizon: numberOption('horizon', values.horizon, 0, { above: 0, unit: 'time units' }) } : {}),
    ...(values.mutant !== undefined ? { mutant: values.mutant } : {}),
    ...(values.ops !== undefined ? { ops: integerOption('ops', values.ops, 0, 1, 1_000_000, 'operations') } : {}),
    ...(values.f !== undefined ? { f: integerOption('f', values.f, 0, 0, 64, 'tolerated faults') } : {}),
    ...(values.adversary !== undefined ? { adversary: values.adversary } : {}),
    ...(workload !== undefined ? { workload } : {}),
    ...(values.log !== undefined ? { log: values.log } : {}),
    ...(values.slots !== undefined ? { slots: integerOption('slots', values.slots, 0, 1, 1_000_000, 'log slots') } : {}),
    ...(hold ? { hold } : {}),
    ...(values.tear !== undefined ? { tear: numberOption('tear', values.tear, 0, { above: 0 }) } : {}),
    ...(values.skew !== undefined ? { skew: numberOption('skew', values.skew, 0, { minimum: 0, unit: 'time units' }) } : {}),
    ...(values.drift !== undefined ? { drift: numberOption('drift', values.drift, 0, { minimum: 0, unit: 'parts per million' }) } : {}),
    ...(values.clients !== undefined ? { clients: integerOption('clients', values.clients, 0, 1, 1024, 'clients') } : {}),
    ...(values.window !== undefined ? { window: integerOption('window', values.window, 0, 1, 1024, 'entries in flight') } : {}),
    ...(values['value-bytes'] !== undefined ? { valueBytes: integerOption('value-bytes', values['value-bytes'], 0, 16, 65536, 'bytes (a multiple of 8)') } : {}),
    ...(values['crash-leader-at'] !== undefined ? { crashLeaderAt: numberOption('crash-leader-at', values['crash-leader-at'], 0, { minimum: 0, unit: 'time units' }) } : {}),
    ...(values['pause-leader-at'] !== undefined ? { pauseLeaderAt: numberOption('pause-leader-at', values['pause-leader-at'], 0, { minimum: 0, unit: 'time units' }) } : {}),
    ...(values.for !== undefined ? { pauseFor: numberOption('for', values.for, 0, { above: 0, unit: 'time units' }) } : {}),
    ...(values.backend !== undefined ? { backend: choiceOption('backend', values.backend, ['sim', 'shm', 'tcp'] as const, 'sim') } : {}),
  };
}

/** Contention levels of `--contention`, as the workloads they name. */
const contentionWorkloads = { low: 'uniform', high: 'contention' } as const;

/**
 * The workload a run asks for: `--workload`, or `--contention low|high`
 * (low = `uniform`: think times between operations; high = `contention`:
 * every client at once, no think time), for scenarios with both workloads.
 * Giving both, they must agree.
 */
function workloadFrom(protocol: string, values: Values): string | undefined {
  if (values.contention === undefined) return values.workload;
  const level = choiceOption('contention', values.contention, ['low', 'high'] as const, 'low');
  const workload = contentionWorkloads[level];
  const scenario = findScenario(protocol);
  const takes = (candidate: { readonly workloads?: readonly string[] }) => Object.values(contentionWorkloads).every((name) => candidate.workloads?.includes(name));
  if (scenario && !takes(scenario)) throw new UsageError(`--contention: ${protocol} takes no --contention (accepted by: ${scenarios.filter(takes).map((candidate) => candidate.name).join(', ') || 'none'})`);
  if (values.workload !== undefined && values.workload !== workload) throw new UsageError(`--contention ${level} is --workload ${workload}, which conflicts with --workload ${values.workload} (give one of them)`);
  return workload;
}

/** The `mnm run …` command that replays a run exactly (every option explicit). */
export function replayCommand(options: ResolvedOptions): string {
  const parts = ['mnm', 'run', ...(options.scenarioModule !== undefined ? ['--scenario', quoted(fileURLToPath(options.scenarioModule))] : protocolWords(options.protocol)), '--seed', String(options.seed)];
  if (options.f !== undefined) parts.push('--f', String(options.f));
  parts.push('--n', String(options.n), '--memories', String(options.memories), '--latency', options.latency, '--faults', options.faults);
  if (options.crash) parts.push('--crash', options.crash);
  if (options.pause) parts.push('--pause', options.pause);
  parts.push('--horizon', String(options.horizon), '--ops', String(options.ops));
  if (options.mutant) parts.push('--mutant', options.mutant);
  if (options.adversary) parts.push('--adversary', options.adversary);
  if (options.workload) parts.push('--workload', options.workload);
  if (options.log) parts.push('--log', options.log);
  if (options.slots !== undefined) parts.push('--slots', String(options.slots));
  if (options.tear !== undefined) parts.push('--tear', String(options.tear));
  if (options.skew !== undefined) parts.push('--skew', String(options.skew));
  if (options.drift !== undefined) parts.push('--drift', String(options.drift));
  if (options.hold) parts.push('--hold', JSON.stringify(options.hold));
  if (options.clients !== undefined) parts.push('--clients', String(options.clients));
  if (options.window !== undefined) parts.push('--window', String(options.window));
  if (options.valueBytes !== undefined) parts.push('--value-bytes', String(options.valueBytes));
  if (options.crashLeaderAt !== undefined) parts.push('--crash-leader-at', String(options.crashLeaderAt));
  if (options.pauseLeaderAt !== undefined) parts.push('--pause-leader-at', String(options.pauseLeaderAt), '--for', String(options.pauseFor));
  if (options.backend && options.backend !== 'sim') parts.push('--backend', options.backend);
  return parts.join(' ');
}

/** Whether a run replays: only simulator runs do (on a real backend the machine chose the interleaving). */
export function isReplayable(options: ResolvedOptions): boolean {
  return options.backend === undefined || options.backend === 'sim';
}

/** The `mnm run …` command with the same options on the simulator: a real-backend run's nearest deterministic equivalent. */
export function simulatorCommand(options: ResolvedOptions): string {
  const { backend: _backend, ...onSimulator } = options;
  return replayCommand(onSimulator);
}

/**
 * What a summary ends with: the command that replays a simulator run, or,
 * for a real-backend run, which cannot be replayed, the same options on the
 * simulator, labelled as such.
 */
export function replayLine(options: ResolvedOptions): string {
  return isReplayable(options) ? `replay: ${replayCommand(options)}` : `not replayable (real backend); same options on the simulator: ${simulatorCommand(options)}`;
}

/** A path as one shell word. */
function quoted(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
