import { getWord, setWord, type Fabric, type HistoryEvent, type NoteEvent, type OperationValue } from '../fabric/index.js';
import { AbdRegister } from '../protocols/swarm/abd.js';
import { DmAbdRegister, dmAbdRegions } from '../protocols/swarm/dmAbd.js';
import { TimestampsExhausted } from '../protocols/swarm/timestampClock.js';
import { ReliableMaxRegister, maxRegisterRegion } from '../protocols/swarm/maxRegister.js';
import { abdMutants, dmAbdMutants, maxRegisterMutants, type AbdMutant, type DmAbdMutant, type MaxRegisterMutant } from '../protocols/swarm/mutants.js';
import { recordRegisterRegion } from '../protocols/swarm/recordRegister.js';
import { swarmMemoryWatcher } from '../protocols/swarm/invariants.js';
import { checkMaxRegisterProperties } from '../check/maxRegisterProperties.js';
import { latencyModel } from '../sim/latency.js';
import type { Prng } from '../sim/prng.js';
import { checkRunLinearizable, linearizableVerdict } from './linearizable.js';
import type { ResolvedOptions, Scenario, Violation } from './scenario.js';

/**
 * The SWARM family's first scenarios (docs/swarm.md): `abd` (one writer,
 * the lecture's register with the read's write-back), `max-register` (the
 * reliable max register) and `dm-abd` (the multi-writer atomic register on
 * it). Clients are the `--n` processes; the memories are 2f+1 (`--memories`,
 * or `--f` with 3 clients). Every client runs `--ops` operations, reads and
 * writes drawn by its own random stream, with think times between them
 * (workload `uniform`), none (`contention`: everyone at once) or in turns
 * (`solo`, abd and the DM-ABDs: no two operations overlap, as Safe-Guess's
 * `solo` — `beforeOperation`; not drawn by the mixed sweep);
 * `max-register` also has `shared-buffers`, one buffer per memory for all
 * clients (T = 1 < C, so CASes fail and the loop must retry right).
 *
 * Checks: `abd` and `dm-abd` histories against the checker's `register`
 * model (linearizability); `max-register` histories for the lecture's three
 * properties (check/maxRegisterProperties.ts). Every operation notes its
 * round trips (`op-cost`), which the run's details sum up (p50/p99, share of
 * one-round-trip operations). Values travel as 16 bytes, the number and its
 * complement, so that a value torn between two writes shows as garbled.
 */
const defaultValueBytes = 16;

/** The values' size (`--value-bytes`, a multiple of 8, at least 16; default 16). */
export function valueBytesOf(options: ResolvedOptions): number {
  return options.valueBytes ?? defaultValueBytes;
}

/**
 * What a SWARM scenario spreads into itself to take `--clients C` (one
 * client per process: `--n C`) and `--value-bytes B` (read with
 * `valueBytesOf`): `{ ...swarmClientOptions, name: …, … }`.
 */
export const swarmClientOptions: Pick<Scenario, 'accepts' | 'clientsAreProcesses'> = { accepts: ['clients', 'value-bytes'], clientsAreProcesses: true };

/** `value` in `size` bytes: the number and its complement, alternating word by word (a tear shows as garbled). */
export function encodeRegisterValue(value: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 8) setWord(bytes, offset, offset % 16 === 0 ? BigInt(value) : ~BigInt(value));
  return bytes;
}

export function decodeRegisterValue(bytes: Uint8Array | null, size: number): OperationValue {
  if (bytes === null) return null;
  if (bytes.length === size) {
    const value = getWord(bytes, 0);
    let whole = true;
    for (let offset = 8; offset < size && whole; offset += 8) whole = getWord(bytes, offset) === (offset % 16 === 0 ? value : ~value & ((1n << 64n) - 1n));
    if (whole) return Number(value);
  }
  return `garbled:${Buffer.from(bytes).toString('hex')}`;
}

function faultsTolerated(options: ResolvedOptions): number {
  return (options.memories - 1) / 2;
}

function memoriesOf(options: ResolvedOptions): number[] {
  return Array.from({ length: options.memories }, (_, memory) => memory);
}

/** Think time bound between a client's operations: 4 minimum delays under `uniform`, none otherwise. */
export function thinkTime(options: ResolvedOptions): number {
  return options.workload === 'uniform' ? latencyModel(options.latency).minimum * 4 : 0;
}

/** A round trip of the run's latency model: two mean one-way delays. */
export function roundTripTime(options: ResolvedOptions): number {
  return 2 * latencyModel(options.latency).mean;
}

/** A `solo` turn: 10 round trips, ample for the slowest uncontended operation and its background work (Safe-Guess's promotion). */
function soloTurn(options: ResolvedOptions): number {
  return 10 * roundTripTime(options);
}

/**
 * Waits before client `process`'s `index`-th operation (from 1). Workload
 * `solo`: until true time ((index−1)·n + process) turns, so that no two
 * operations overlap — the uncontended case of spec §7 (the driver, not the
 * protocol, reads true time); otherwise a think time drawn in [0, think]
 * (none for 0). Shared by the SWARM scenarios, Safe-Guess's included, so
 * that `mnm table swarm` compares them on one workload.
 */
export function beforeOperation(fabric: Fabric, options: ResolvedOptions, process: number, index: number, think: number): Promise<void> {
  if (options.workload === 'solo') return fabric.sleep(Math.max(0, soloTurn(options) * ((index - 1) * options.n + process) - fabric.now()));
  return fabric.sleep(Math.round(fabric.random() * think));
}

/** The horizon a `solo` run needs (every turn, plus two), 0 for other workloads. */
export function soloHorizon(options: ResolvedOptions): number {
  return options.workload === 'solo' ? (options.ops * options.n + 2) * soloTurn(options) : 0;
}

/** What the three scenarios share: sizes, tolerance, workloads drawn, the round trips' summary. */
function swarmScenario(parts: Pick<Scenario, 'name' | 'summary' | 'mutants' | 'regions' | 'body' | 'check'> & Partial<Pick<Scenario, 'memoryWatcher' | 'accepts' | 'linearizable'>> & { readonly workloads: readonly string[]; readonly minimumClients: number }): Scenario {
  return {
    // One client per process: --clients C is --n C; values of --value-bytes (not the max register's words).
    ...swarmClientOptions,
    ...parts,
    // Two copies per client record (recordCopy.ts); the max register's buffers are single words.
    cutShortWrites: true,
    defaults: { n: 3, memories: 3, ops: 10 },
    // The mixed sweep draws among the workloads it drew before `solo` came (the same draw, so every seed keeps its configuration).
    mixWorkload(random: Prng) {
      const mixed = parts.workloads.filter((workload) => workload !== 'solo');
      return mixed[random.int(mixed.length)];
    },
    minimumHorizon: soloHorizon,
    sizeFor: (f) => ({ n: 3, memories: 2 * f + 1 }),
    mixSizes(random: Prng) {
      const f = 1 + random.int(2);
      return { n: parts.minimumClients + random.int(4), memories: 2 * f + 1 };
    },
    validate(options) {
      if (options.adversary !== undefined) throw new Error(`--adversary: ${parts.name} tolerates crashes only (no Byzantine adversaries)`);
      if (options.memories < 1 || options.memories % 2 === 0) throw new Error(`--memories ${options.memories}: ${parts.name} runs on 2f+1 memories (accepted: an odd number, 1 or more)`);
      if (options.n < parts.minimumClients || options.n > 4096) throw new Error(`--n ${options.n}: ${parts.name} needs ${parts.minimumClients} to 4096 clients`);
      if (options.ops < 1 || options.ops > 999) throw new Error(`--ops ${options.ops} (accepted: 1..999 per client)`);
      if (!parts.workloads.includes(options.workload ?? '')) throw new Error(`--workload ${options.workload}: unknown (accepted: ${parts.workloads.join(', ')})`);
    },
    tolerance(options) {
      return { processes: options.n - 1, memories: faultsTolerated(options) };
    },
    details(history, _options, notes) {
      return roundTripSummary(history, notes);
    },
  };
}

/** Notes an operation's round trips (what the details sum up). */
/** An atomic register as the client loop sees it. */
interface ClientRegister {
  write(value: Uint8Array): Promise<void>;
  read(): Promise<Uint8Array | null>;
  readonly lastRoundTrips: number;
}

/**
 * One client's `ops` calls, each after its wait (`beforeOperation`: a think time, or its solo turn): a write of the
 * value `writeOf(index)` names, or a read where it names none; every call
 * recorded in the history and its round trips noted.
 */
async function registerClient(fabric: Fabric, register: ClientRegister, options: ResolvedOptions, process: number, writeOf: (index: number) => number | undefined, valueBytes = defaultValueBytes): Promise<void> {
  const think = thinkTime(options);
  for (let index = 1; index <= options.ops; index++) {
    await beforeOperation(fabric, options, process, index, think);
    const value = writeOf(index);
    if (value !== undefined) {
      const op = fabric.history.invoke('write', value);
      try {
        await register.write(encodeRegisterValue(value, valueBytes));
      } catch (error) {
        // Spec §3: a write whose y would need a timestamp past 40 bits ends with an unknown outcome (its scan went out) and the client fail-stops.
        if (!(error instanceof TimestampsExhausted)) throw error;
        fabric.history.info(op, value);
        return;
      }
      fabric.history.ok(op, value);
      noteCost(fabric, 'write', register.lastRoundTrips);
    } else {
      const op = fabric.history.invoke('read', null);
      const read = decodeRegisterValue(await register.read(), valueBytes);
      fabric.history.ok(op, read);
      noteCost(fabric, 'read', register.lastRoundTrips);
    }
  }
}

function noteCost(fabric: Fabric, f: string, roundTrips: number): void {
  fabric.note('op-cost', { f, roundTrips });
}

/** Round trips per kind of operation: count, p50, p99, max and the share of one-round-trip operations. */
export function roundTripSummary(history: readonly HistoryEvent[], notes: readonly NoteEvent[]): Record<string, unknown> {
  const byFunction = new Map<string, number[]>();
  for (const note of notes) {
    if (note.kind !== 'op-cost') continue;
    const f = String(note.detail?.f);
    const list = byFunction.get(f) ?? [];
    list.push(Number(note.detail?.roundTrips));
    byFunction.set(f, list);
  }
  const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const roundTrips: Record<string, unknown> = {};
  for (const [f, list] of [...byFunction].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...list].sort((a, b) => a - b);
    roundTrips[f] = { count: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1], oneRoundTrip: sorted.filter((value) => value <= 1).length / sorted.length };
  }
  const outcomes: Record<string, number> = { ok: 0, fail: 0, info: 0 };
  for (const event of history) if (event.type !== 'invoke') outcomes[event.type]++;
  return { roundTrips, outcomes };
}

function linearizable(history: readonly HistoryEvent[]): Violation[] {
  const result = checkRunLinearizable(history, 'register');
  if (result.verdict !== 'not-linearizable') return [];
  return [{ property: 'linearizability', detail: result.explanation }];
}

export const abdScenario = swarmScenario({
  name: 'abd',
  summary: "ABD with one writer: the lecture's replicated register plus the read's write-back (atomic), over 2f+1 memories",
  mutants: abdMutants,
  workloads: ['uniform', 'contention', 'solo'],
  minimumClients: 2,
  regions: (options) => [recordRegisterRegion({ region: 'abd', memories: memoriesOf(options), clients: options.n, valueMax: valueBytesOf(options) })],
  body(options, process) {
    const config = { region: 'abd', memories: memoriesOf(options), f: faultsTolerated(options), clients: options.n, client: process, valueMax: valueBytesOf(options), writer: 0, ...(options.mutant ? { mutant: options.mutant as AbdMutant } : {}) };
    // The writer writes 1, 2, 3…; every other client reads.
    return (fabric) => registerClient(fabric, new AbdRegister(fabric, config), options, process, (index) => (process === config.writer ? index : undefined), config.valueMax);
  },
  check: linearizable,
  linearizable: (history) => linearizableVerdict(history, 'register'),
});

/**
 * E in the DM-ABD scenarios: small, so that entries are reused within a run
 * and a fetch may read one being rewritten (Invariant D and the checksums
 * under test); 2048 is the library's default (wait-freedom below E
 * publishes per client during an operation).
 */
const dmAbdEntries = 4;

/** The spec's fetch timeout: 4 round trips of the run's latency model (a round trip = two mean delays). */
function fetchTimeoutOf(options: ResolvedOptions): number {
  return 4 * 2 * latencyModel(options.latency).mean;
}

function dmAbdScenarioOf(name: string, inPlace: boolean, summary: string): Scenario {
  const layout = (options: ResolvedOptions) => ({ region: name, memories: memoriesOf(options), f: faultsTolerated(options), clients: options.n, valueMax: valueBytesOf(options), inPlace, entries: dmAbdEntries });
  return swarmScenario({
    name,
    summary,
    mutants: dmAbdMutants,
    workloads: ['uniform', 'contention', 'solo'],
    minimumClients: 1,
    // Writer c is process c: it owns log c (single-writer) on every memory.
    regions: (options) => dmAbdRegions(layout(options)),
    // Spec §9: after every verb, buffers only grow, notif never decreases, Invariant D, fields in range.
    memoryWatcher: (options) => swarmMemoryWatcher({ ...layout(options), records: 1, keyMax: 0 }),
    body(options, process) {
      const config = { ...layout(options), client: process, fetchTimeout: fetchTimeoutOf(options), ...(options.mutant ? { mutant: options.mutant as DmAbdMutant } : {}) };
      // Half writes, half reads; values name their writer and operation (unique across the run).
      return (fabric) => registerClient(fabric, new DmAbdRegister(fabric, config), options, process, (index) => (fabric.random() < 0.5 ? 1000 * (process + 1) + index : undefined), config.valueMax);
    },
    check: linearizable,
    linearizable: (history) => linearizableVerdict(history, 'register'),
  });
}

export const dmAbdScenario = dmAbdScenarioOf(
  'dm-abd',
  true,
  "DM-ABD In-n-Out: the multi-writer atomic register on SWARM's memory layer, values also in place (2-round-trip writes, 1-round-trip reads uncontended), over 2f+1 memories",
);

export const dmAbdOutOfPlaceScenario = dmAbdScenarioOf(
  'dm-abd-out-of-place',
  false,
  "DM-ABD out of place, the SWARM paper's baseline: values only in the writers' logs, so every read fetches (2-round-trip writes and reads), over 2f+1 memories",
);

export const maxRegisterScenario = swarmScenario({
  name: 'max-register',
  summary: 'the reliable max register over 2f+1 memories (CAS loops on per-client buffers; reads write back), checked for validity and read-read / write-read monotonicity',
  mutants: maxRegisterMutants,
  workloads: ['uniform', 'contention', 'shared-buffers'],
  minimumClients: 1,
  accepts: ['clients'],
  regions: (options) => [maxRegisterRegion({ region: 'max-register', memories: memoriesOf(options), buffers: buffersOf(options) })],
  body(options, process) {
    const config = { region: 'max-register', memories: memoriesOf(options), buffers: buffersOf(options), client: process, f: faultsTolerated(options), ...(options.mutant ? { mutant: options.mutant as MaxRegisterMutant } : {}) };
    const think = thinkTime(options);
    return async (fabric) => {
      const register = new ReliableMaxRegister(fabric, config);
      for (let index = 1; index <= options.ops; index++) {
        await fabric.sleep(Math.round(fabric.random() * think));
        if (fabric.random() < 0.5) {
          // Values rise with the clients' progress and overlap between clients, so the maximum keeps moving.
          const value = 10 * index + 1 + Math.floor(fabric.random() * 30);
          const op = fabric.history.invoke('write', value);
          await register.write(BigInt(value));
          fabric.history.ok(op, value);
          noteCost(fabric, 'write', register.lastRoundTrips);
        } else {
          const op = fabric.history.invoke('read', null);
          const value = Number(await register.read());
          fabric.history.ok(op, value);
          noteCost(fabric, 'read', register.lastRoundTrips);
        }
      }
    };
  },
  check(history) {
    return checkMaxRegisterProperties(history).map((violation) => ({
      property: violation.property,
      detail: violation.detail,
      involved: { operations: violation.calls.map((index) => history[index].op) },
    }));
  },
});

/** T: one buffer per client, or one shared by all (`shared-buffers`). */
function buffersOf(options: ResolvedOptions): number {
  return options.workload === 'shared-buffers' ? 1 : options.n;
}

export const swarmScenarios: readonly Scenario[] = [abdScenario, maxRegisterScenario, dmAbdScenario, dmAbdOutOfPlaceScenario];
