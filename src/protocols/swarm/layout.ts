import type { ProcessId, RegionSpec } from '../../fabric/index.js';
import type { SwarmLayoutConfig } from './memorySet.js';
import { slotMax, writerMax } from './word.js';

/**
 * Where SWARM's words and entries live (spec swarm.md §3), per memory:
 *
 * - `<region>.rec` (open): record j at j·REC, REC = H + ENT + 8C, with
 *   `meta[i]` at 8i (writer i's buffer word), `KEY` at 8C (len u32, pad,
 *   key bytes; SWARM-KV), `IP` at H (an entry, In-n-Out), `notif[i]` at
 *   H + ENT + 8i; ENT = 24 + valueMax, H = 8C + 8 + keyMax.
 * - `<region>.log.<c>` (single-writer, owner: writer c's process): entry
 *   (j, e) at (j·E + e)·ENT.
 *
 * A scan is one READ of a record's first H + ENT bytes (meta, KEY, IP) or
 * of its first H when not in place: the buffers and IP come from one READ,
 * each word atomic.
 *
 * **Writers and processes.** Writer c's log is owned by process c (by
 * default; `ownerOf` maps otherwise): the scenarios run client c as
 * process c with writer id c, and no client restarts in a simulated run.
 * The single-writer policy is what Invariant D's "nobody writes another's
 * entry" rests on, enforced by the memory rather than by convention.
 */
export interface SwarmLayout {
  readonly config: SwarmLayoutConfig;
  /** ENT: one entry (word, checksum, len, value). */
  readonly entrySize: number;
  /** H: meta[0..C−1] and KEY. */
  readonly headerSize: number;
  /** REC: one record in `rec`. */
  readonly recordSize: number;
  /** Bytes one scan READs at a record's start (H + ENT in place, H otherwise). */
  readonly scanLength: number;
  readonly recordRegion: string;
  logRegion(writer: number): string;
  metaOffset(record: number, writer: number): number;
  keyOffset(record: number): number;
  inPlaceOffset(record: number): number;
  notifOffset(record: number, writer: number): number;
  /** Offset of entry (record, slot) inside a writer's log region. */
  entryOffset(record: number, slot: number): number;
}

/** Largest accepted values (spec §3): writer ids fit 12 bits, slots 11. */
export const clientsMax = writerMax + 1;
export const entriesMax = slotMax + 1;
/** E = 1 breaks Invariant D: the entry a buffer names would be rewritten by the next publish before its CAS. */
export const entriesMin = 2;

/** Throws a RangeError naming the first field out of range (spec §3: C ≤ 4096, 2 ≤ E ≤ 2048, multiples of 8, 2f+1 memories). */
export function checkLayoutConfig(config: SwarmLayoutConfig): void {
  const { f, memories, clients, records, entries, valueMax, keyMax } = config;
  if (!Number.isInteger(f) || f < 0 || memories.length !== 2 * f + 1) throw new RangeError(`${memories.length} memories do not tolerate f = ${f} (accepted: 2f+1 memories)`);
  if (new Set(memories).size !== memories.length) throw new RangeError(`memories ${JSON.stringify(memories)} repeat one (accepted: 2f+1 distinct memories)`);
  if (!Number.isInteger(clients) || clients < 1 || clients > clientsMax) throw new RangeError(`${clients} clients (accepted: 1..${clientsMax})`);
  if (!Number.isInteger(records) || records < 1) throw new RangeError(`${records} records (accepted: 1 or more)`);
  if (!Number.isInteger(entries) || entries < entriesMin || entries > entriesMax) throw new RangeError(`${entries} entries per log (accepted: ${entriesMin}..${entriesMax}; E = 1 breaks Invariant D)`);
  if (!Number.isInteger(valueMax) || valueMax < 0 || valueMax % 8 !== 0) throw new RangeError(`valueMax ${valueMax} (accepted: a multiple of 8)`);
  if (!Number.isInteger(keyMax) || keyMax < 0 || keyMax % 8 !== 0) throw new RangeError(`keyMax ${keyMax} (accepted: a multiple of 8)`);
  if (!config.region) throw new RangeError('the region name is empty');
}

export function swarmLayout(config: SwarmLayoutConfig): SwarmLayout {
  checkLayoutConfig(config);
  const { clients, entries, valueMax, keyMax, region } = config;
  const entrySize = 24 + valueMax;
  const headerSize = 8 * clients + 8 + keyMax;
  const recordSize = headerSize + entrySize + 8 * clients;
  const recordAt = (record: number) => {
    if (!Number.isInteger(record) || record < 0 || record >= config.records) throw new RangeError(`record ${record} (accepted: 0..${config.records - 1})`);
    return record * recordSize;
  };
  const checkWriter = (writer: number) => {
    if (!Number.isInteger(writer) || writer < 0 || writer >= clients) throw new RangeError(`writer ${writer} (accepted: 0..${clients - 1})`);
  };
  return {
    config,
    entrySize,
    headerSize,
    recordSize,
    scanLength: config.inPlace ? headerSize + entrySize : headerSize,
    recordRegion: `${region}.rec`,
    logRegion(writer) {
      checkWriter(writer);
      return `${region}.log.${writer}`;
    },
    metaOffset(record, writer) {
      checkWriter(writer);
      return recordAt(record) + 8 * writer;
    },
    keyOffset: (record) => recordAt(record) + 8 * clients,
    inPlaceOffset: (record) => recordAt(record) + headerSize,
    notifOffset(record, writer) {
      checkWriter(writer);
      return recordAt(record) + headerSize + entrySize + 8 * writer;
    },
    entryOffset(record, slot) {
      if (!Number.isInteger(slot) || slot < 0 || slot >= entries) throw new RangeError(`entry ${slot} (accepted: 0..${entries - 1})`);
      return (recordAt(record) / recordSize) * entries * entrySize + slot * entrySize;
    },
  };
}

/**
 * The regions a deployment creates on each of its memories: `rec` (open)
 * and one single-writer log per writer, owned by `ownerOf(writer)` (the
 * process running that writer; identity by default, see SwarmLayout).
 */
export function swarmRegions(config: SwarmLayoutConfig, ownerOf: (writer: number) => ProcessId = (writer) => writer): RegionSpec[] {
  const layout = swarmLayout(config);
  const memories = [...config.memories];
  const logs = Array.from({ length: config.clients }, (_, writer): RegionSpec => ({
    name: layout.logRegion(writer),
    size: config.records * config.entries * layout.entrySize,
    policy: 'single-writer',
    owner: ownerOf(writer),
    // Everyone fetches from everyone's log.
    defaultAccess: 'read',
    memories,
  }));
  return [{ name: layout.recordRegion, size: config.records * layout.recordSize, policy: 'open', memories }, ...logs];
}
