import { getWord, setWord, type Fabric, type HistoryEvent, type OperationValue } from '../fabric/index.js';
import { RawRegister, rawRegisterRegion } from '../protocols/swarm/rawRegister.js';
import type { ResolvedOptions, Scenario, Violation } from './scenario.js';
import { beforeOperation, roundTripSummary, soloHorizon, swarmClientOptions, thinkTime, valueBytesOf } from './swarm.js';

/**
 * `raw`: the unreplicated reference of the SWARM family (spec swarm.md §7,
 * "RAW: one memory, IP only (unchecked)"): every client reads and writes one
 * value in place on one memory, each operation one verb (rawRegister.ts).
 * It is the latency floor `mnm table swarm` and `mnm bench swarm` set the
 * replicated registers against, with the same clients, workloads
 * (`uniform`, `contention` — `--contention low|high` — and `solo`: client
 * p's k-th operation at true time ((k−1)·n + p) turns of 10 round trips, so
 * that no two overlap, as safe-guess's), value sizes
 * (`--value-bytes`) and `op-cost` notes as dm-abd.
 *
 * What it promises, and so all its check asks: **validity at word
 * granularity** — every 8-byte word a read returns is a word of the initial
 * value or of a write invoked before the read returned. It is *not*
 * linearizable, nor even regular: a READ that overlaps a WRITE may return a
 * value torn between writes (words of two values). Such reads are counted
 * (`details.tornReads`), not judged violations: that is what "unchecked"
 * means. Nor does it tolerate a memory crash (one memory): with m0 crashed
 * every client blocks, which the runner reports as blocked, not failed.
 */
const mask = (1n << 64n) - 1n;

/** `value` in `size` bytes, word by word the number and its complement (as the SWARM scenarios write it): never a zero word. */
export function encodeRawValue(value: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 8) setWord(bytes, offset, offset % 16 === 0 ? BigInt(value) : ~BigInt(value) & mask);
  return bytes;
}

/**
 * A read's value for the history: null (never written), the number when
 * every word agrees, else `torn:` and each word's number (`0` for a word of
 * the initial, all-zero value), e.g. `torn:1003,2001`.
 */
export function decodeRawValue(bytes: Uint8Array | null): OperationValue {
  if (bytes === null) return null;
  const words: string[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; offset += 8) {
    const word = getWord(bytes, offset);
    words.push(word === 0n ? '0' : String(offset % 16 === 0 ? word : ~word & mask));
  }
  if (words.length > 0 && words.every((word) => word === words[0]) && words[0] !== '0') return Number(words[0]);
  return `torn:${words.join(',')}`;
}

/**
 * Validity at word granularity: each word of each read names the initial
 * value (0) or a write invoked before the read returned. Returns the
 * violations and the number of torn reads (allowed).
 */
export function checkRawValidity(history: readonly HistoryEvent[]): { violations: Violation[]; tornReads: number } {
  const invokedAt = new Map<string, number>();
  for (const event of history) if (event.type === 'invoke' && event.f === 'write' && !invokedAt.has(String(event.value))) invokedAt.set(String(event.value), event.time);
  const violations: Violation[] = [];
  let tornReads = 0;
  for (const event of history) {
    if (event.type !== 'ok' || event.f !== 'read' || event.value === null) continue;
    const torn = typeof event.value === 'string' && event.value.startsWith('torn:');
    if (torn) tornReads++;
    const words = torn ? (event.value as string).slice('torn:'.length).split(',') : [String(event.value)];
    const bad = words.find((word) => word !== '0' && !(invokedAt.has(word) && (invokedAt.get(word) as number) <= event.time));
    if (bad !== undefined || (!torn && typeof event.value !== 'number')) {
      violations.push({
        property: 'validity',
        detail: `p${event.process}'s read returned ${JSON.stringify(event.value)}: ${bad === undefined ? 'not a value' : `word ${bad} is no write's invoked before the read returned (nor the initial value)`}`,
        involved: { processes: [event.process], operations: [event.op] },
      });
    }
  }
  return { violations, tornReads };
}


async function rawClient(fabric: Fabric, register: RawRegister, options: ResolvedOptions, process: number): Promise<void> {
  const think = thinkTime(options);
  const size = valueBytesOf(options);
  for (let index = 1; index <= options.ops; index++) {
    await beforeOperation(fabric, options, process, index, think);
    if (fabric.random() < 0.5) {
      // Values name their writer and operation (unique across the run), as dm-abd's.
      const value = 1000 * (process + 1) + index;
      const op = fabric.history.invoke('write', value);
      await register.write(encodeRawValue(value, size));
      fabric.history.ok(op, value);
      fabric.note('op-cost', { f: 'write', roundTrips: register.lastRoundTrips });
    } else {
      const op = fabric.history.invoke('read', null);
      const value = decodeRawValue(await register.read());
      fabric.history.ok(op, value);
      fabric.note('op-cost', { f: 'read', roundTrips: register.lastRoundTrips });
    }
  }
}

const workloads = ['uniform', 'contention', 'solo'] as const;

export const rawScenario: Scenario = {
  name: 'raw',
  summary: 'the unreplicated store, a latency floor: one memory, each read one READ and each write one WRITE of the value in place, unchecked (torn reads counted, not judged)',
  mutants: {},
  defaults: { n: 3, memories: 1, ops: 10 },
  workloads,
  ...swarmClientOptions,
  validate(options) {
    if (options.adversary !== undefined) throw new Error('--adversary: raw has no Byzantine adversaries');
    if (options.memories !== 1) throw new Error(`--memories ${options.memories}: raw runs on one memory (accepted: 1)`);
    if (options.n > 4096) throw new Error(`--n ${options.n}: raw needs 1 to 4096 clients`);
    if (options.ops < 1 || options.ops > 999) throw new Error(`--ops ${options.ops} (accepted: 1..999 per client)`);
  },
  // Any client may crash; the one memory may not.
  tolerance: (options) => ({ processes: options.n - 1, memories: 0 }),
  regions: (options) => [rawRegisterRegion({ region: 'raw', memory: 0, valueMax: valueBytesOf(options) })],
  body(options, process) {
    return (fabric) => rawClient(fabric, new RawRegister(fabric, { region: 'raw', memory: 0, valueMax: valueBytesOf(options) }), options, process);
  },
  minimumHorizon: soloHorizon,
  check: (history) => checkRawValidity(history).violations,
  details(history, _options, notes) {
    return { ...roundTripSummary(history, notes), tornReads: checkRawValidity(history).tornReads };
  },
};
