import { getWord, type Fabric, type HistoryEvent, type NoteEvent } from '../fabric/index.js';
import { dmAbdMutants, safeGuessMutants, type DmAbdMutant, type SafeGuessMutant } from '../protocols/swarm/mutants.js';
import { TimestampsExhausted } from '../protocols/swarm/timestampClock.js';
import { swarmMemoryWatcher, type WatchedChange } from '../protocols/swarm/invariants.js';
import { buildIndex } from '../protocols/swarm/keyIndex.js';
import { swarmLayout } from '../protocols/swarm/layout.js';
import type { SwarmLayoutConfig } from '../protocols/swarm/memorySet.js';
import { swarmKvAlgorithms, swarmKvLayoutConfig, swarmKvRegions, SwarmKv, type SwarmKvAlgorithm, type SwarmKvLayout } from '../protocols/swarm/swarmKv.js';
import { latencyModel } from '../sim/latency.js';
import { Prng } from '../sim/prng.js';
import { keyName, zipfianCumulative } from './kvWorkload.js';
import { checkRunLinearizable, linearizableVerdict } from './linearizable.js';
import type { ResolvedOptions, Scenario } from './scenario.js';
import { roundTripSummary, swarmClientOptions } from './swarm.js';
import { loadCalls, nextSwarmKvCall, parseSwarmKvWorkload, swarmKvMixWorkloads, swarmKvWorkloads, type SwarmKvCall, type SwarmKvWorkload } from './swarmKvWorkload.js';

/**
 * `swarm-kv`: SWARM-KV v1 (spec swarm.md §6; protocols/swarm/swarmKv.ts), a
 * key-value store of `keyCount` keys over 2f+1 memories, each key an atomic
 * register — Safe-Guess, or DM-ABD for comparison (`--log safe-guess |
 * dm-abd | dm-abd-out-of-place`: the register under the store; `--mutant`
 * breaks that register under every key). Clients are the `--n` (or
 * `--clients`) processes, writer id = process id; each makes `--ops` calls
 * drawn from its workload (swarmKvWorkload.ts: YCSB-A/-B or one hot key,
 * Zipfian keys, `--value-bytes` values (64), think times, none, or solo
 * turns, optionally a load phase of puts). `--slots` sets E, the entries
 * per (writer, key) log (default 8; small E makes hot keys reuse entries
 * under readers).
 *
 * **The load.** The key space `k0..k(K−1)` (record j holds key kj) is
 * loaded before the run, like YCSB's load phase: the index and every
 * record's KEY at every memory. Regions start zeroed in mnm, so each client
 * writes that image itself before its first call (`SwarmKv.load`): the
 * image is the same bytes from every loader and nothing else writes there,
 * and one client's verbs to one memory take effect in issue order, so its
 * own later READs see the image whatever the others did — no barrier, no
 * timing. These writes are outside the history and before any call; the
 * calls' round trips do not include them. Unwritten keys read "".
 *
 * Checks: the history per key against the checker's `kv` model (a delete
 * is recorded as the put of ""), and on the simulator §9's memory
 * invariants after every change (invariants.ts's watcher). Faults: ≤ f memories and any clients
 * crash; the writes a crash cuts short stay torn (`cutShortWrites`: every
 * SWARM entry is checksummed and a torn one is never taken). Every call
 * notes `op-cost` {f: get | put, roundTrips, cache: hit | miss} (a delete
 * is a put, with `delete: true`); the details sum them per call and per
 * call and cache outcome.
 */
export const keyCount = 16;
export const defaultValueBytes = 64;
const region = 'swarm-kv';

function memoriesOf(options: ResolvedOptions): number[] {
  return Array.from({ length: options.memories }, (_, memory) => memory);
}

function algorithmOf(options: ResolvedOptions): SwarmKvAlgorithm {
  return (options.log ?? swarmKvAlgorithms[0]) as SwarmKvAlgorithm;
}

function workloadOf(options: ResolvedOptions): SwarmKvWorkload {
  const parsed = parseSwarmKvWorkload(options.workload ?? swarmKvWorkloads[0]);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

/** Value bytes of the puts: `--value-bytes` (a multiple of 8, checked by the runner), else 64. */
function valueBytesOf(options: ResolvedOptions): number {
  return options.valueBytes ?? defaultValueBytes;
}

/** A `solo` turn: 10 round trips, ample for the slowest uncontended call (a miss put: 3) and its background promotion. */
function soloTurn(options: ResolvedOptions): number {
  return 20 * latencyModel(options.latency).mean;
}

/** Every client's calls: the load phase's puts (`+load`), then `--ops` drawn ones. */
function callCount(options: ResolvedOptions): number {
  return options.ops + (workloadOf(options).load ? Math.ceil(keyCount / options.n) : 0);
}

function layoutOf(options: ResolvedOptions): SwarmKvLayout {
  return {
    region,
    memories: memoriesOf(options),
    f: (options.memories - 1) / 2,
    clients: options.n,
    keyCount,
    // Room for the largest value, in whole words.
    valueMax: Math.ceil(valueBytesOf(options) / 8) * 8,
    algorithm: algorithmOf(options),
    ...(options.slots !== undefined ? { entries: options.slots } : {}),
  };
}

/** The key space: record j holds key kj (the workload's names). */
export function keySpace(): string[] {
  return Array.from({ length: keyCount }, (_, rank) => keyName(rank));
}

async function runClient(fabric: Fabric, options: ResolvedOptions, process: number): Promise<void> {
  const latency = latencyModel(options.latency);
  const store = new SwarmKv(fabric, { ...layoutOf(options), client: process, roundTrip: 2 * latency.mean, ...(options.mutant ? { mutant: options.mutant as SafeGuessMutant | DmAbdMutant } : {}) });
  await store.load(keySpace());
  const workload = workloadOf(options);
  const valueBytes = valueBytesOf(options);
  const think = workload.pace === 'think' ? 4 * latency.minimum : 0;
  const random = new Prng(options.seed, `swarm-kv-client:${process}`);
  const cumulative = zipfianCumulative(keyCount);
  const calls: SwarmKvCall[] = workload.load ? loadCalls(process, options.n, keyCount, valueBytes) : [];
  for (let call = 0; call < options.ops; call++) calls.push(nextSwarmKvCall(random, workload, cumulative, process, call, valueBytes));
  for (const [index, { operation, key, value }] of calls.entries()) {
    if (think > 0) await fabric.sleep(Math.round(fabric.random() * think));
    // The driver, not the protocol, reads true time: solo turns are slots of it, one client's call per slot.
    if (workload.pace === 'solo') await fabric.sleep(Math.max(0, soloTurn(options) * (index * options.n + process + 1) - fabric.now()));
    try {
      if (operation === 'get') await store.get(key);
      else if (operation === 'put') await store.put(key, value);
      else await store.delete(key);
    } catch (error) {
      // Out of 40-bit timestamps (spec §3): the put's outcome is unknown (recorded as info) and the client fail-stops.
      if (error instanceof TimestampsExhausted) break;
      throw error;
    }
    // A delete is the put of "" (§6), in the notes as in the history: tables and benches see gets and puts.
    fabric.note('op-cost', { f: operation === 'get' ? 'get' : 'put', roundTrips: store.lastRoundTrips, cache: store.lastCacheHit ? 'hit' : 'miss', ...(operation === 'delete' ? { delete: true } : {}) });
  }
}

/**
 * For the memory watcher: whether every KEY word a change touched held, before and after, either 0 or the loaded
 * key's own bytes there (a load landing, or a load cut short), so the change bound no record to another key.
 */
function loadedKeyWords(config: SwarmLayoutConfig & { readonly buckets: number }, keys: readonly string[]): (change: WatchedChange) => boolean {
  const layout = swarmLayout(config);
  const fields = buildIndex(keys, config.buckets, config.keyMax).keyFields ?? [];
  const fieldBytes = 8 + config.keyMax;
  return (change) => {
    if (change.region !== layout.recordRegion) return false;
    // Whole words of the change (SWARM's writes and cuts are word-aligned).
    for (let offset = change.offset + ((8 - (change.offset % 8)) % 8); offset + 8 <= change.offset + change.length; offset += 8) {
      const record = Math.floor(offset / layout.recordSize);
      if (record >= keys.length) continue;
      const within = offset - layout.keyOffset(record);
      if (within < 0 || within >= fieldBytes) continue;
      const image = getWord(fields[record], within);
      for (const word of [getWord(change.before, offset - change.offset), getWord(change.after, offset - change.offset)]) if (word !== 0n && word !== image) return false;
    }
    return true;
  };
}

/** Round trips per call (`roundTrips`) and per call and cache outcome (`byCache`, e.g. `get/miss`). */
export function swarmKvDetails(history: readonly HistoryEvent[], notes: readonly NoteEvent[]): Record<string, unknown> {
  const byCache = notes.map((note) => (note.kind === 'op-cost' ? { ...note, detail: { ...note.detail, f: `${String(note.detail?.f)}/${String(note.detail?.cache)}` } } : note));
  return { keys: keyCount, ...roundTripSummary(history, notes), byCache: roundTripSummary(history, byCache).roundTrips };
}

export const swarmKvScenario: Scenario = {
  name: 'swarm-kv',
  summary: 'SWARM-KV v1: a key-value store of 16 loaded keys, each a Safe-Guess register (or DM-ABD: --log dm-abd | dm-abd-out-of-place) over 2f+1 memories; YCSB clients, 1-round-trip gets and puts on cache hits',
  // The registers' mutants, under every key: Safe-Guess's with --log safe-guess, DM-ABD's with a DM-ABD log.
  mutants: { ...safeGuessMutants, ...dmAbdMutants },
  // --clients C sets the processes (one client each), --value-bytes the puts' values.
  ...swarmClientOptions,
  defaults: { n: 3, memories: 3, ops: 10 },
  // Entries and IP are checksummed, so a write a crash cut short stays torn harmlessly (never taken for a value).
  cutShortWrites: true,
  workloads: swarmKvWorkloads,
  logs: swarmKvAlgorithms,
  sizeFor: (f) => ({ n: 3, memories: 2 * f + 1 }),
  mixSizes(random: Prng) {
    const f = 1 + random.int(2);
    return { n: 2 + random.int(4), memories: 2 * f + 1 };
  },
  // The sweep draws the store's own workloads (the register scenarios' names are aliases of YCSB-A, and solo turns are for tables).
  mixWorkload: (random) => swarmKvMixWorkloads[random.int(swarmKvMixWorkloads.length)],
  mixSlots(random) {
    // Small logs often: entry reuse under readers is where a fetch can fail.
    return [undefined, 2, 3, 8][random.int(4)];
  },
  validate(options) {
    if (options.adversary !== undefined) throw new Error('--adversary: swarm-kv tolerates crashes only (no Byzantine adversaries)');
    if (options.memories < 1 || options.memories % 2 === 0) throw new Error(`--memories ${options.memories}: swarm-kv runs on 2f+1 memories (accepted: an odd number, 1 or more)`);
    if (options.n < 1 || options.n > 4096) throw new Error(`--n ${options.n}: swarm-kv needs 1 to 4096 clients`);
    if (options.ops < 1 || options.ops > 999) throw new Error(`--ops ${options.ops} (accepted: 1..999 per client)`);
    if (options.slots !== undefined && (options.slots < 2 || options.slots > 2048)) throw new Error(`--slots ${options.slots}: entries per (writer, key) log (accepted: 2..2048; E = 1 breaks Invariant D)`);
    workloadOf(options);
    const mutants: Readonly<Record<string, string>> = algorithmOf(options) === 'safe-guess' ? safeGuessMutants : dmAbdMutants;
    if (options.mutant !== undefined && !(options.mutant in mutants)) throw new Error(`--mutant ${options.mutant}: not a mutant of ${algorithmOf(options)} (accepted: ${Object.keys(mutants).join(', ')})`);
  },
  minimumHorizon(options) {
    // Solo turns spread the calls over time: every turn, then room for the last call's stragglers.
    return workloadOf(options).pace === 'solo' ? (callCount(options) * options.n + 4) * soloTurn(options) : 0;
  },
  tolerance(options) {
    return { processes: options.n - 1, memories: (options.memories - 1) / 2 };
  },
  regions: (options) => swarmKvRegions(layoutOf(options)),
  memoryWatcher(options) {
    // §9's invariants after every change to a memory: buffers only grow, notif never decreases, fields in range, Invariant D, KEY read-only.
    const config = swarmKvLayoutConfig(layoutOf(options));
    const watch = swarmMemoryWatcher(config);
    const loaded = loadedKeyWords(config, keySpace());
    // KEY read-only assumes a KEY appears once, over zeros. Here the clients load during the run, so a KEY word may also
    // go back to 0 (a load write cut short by its writer's crash, where no other load had landed) and come back (the
    // next load). No client reads a KEY at a memory before its own load landed there (one queue pair per client and
    // memory), so such changes are no rebinding. What stays a finding: a KEY word ever holding anything but 0 or its key's bytes.
    return (change) => watch(change).filter((finding) => finding.property !== 'key-read-only' || !loaded(change));
  },
  body(options, process) {
    return (fabric) => runClient(fabric, options, process);
  },
  check(history) {
    const result = checkRunLinearizable(history, 'kv');
    return result.verdict === 'not-linearizable' ? [{ property: 'linearizability', detail: result.explanation }] : [];
  },
  linearizable: (history) => linearizableVerdict(history, 'kv'),
  details: (history, _options, notes) => swarmKvDetails(history, notes),
};
