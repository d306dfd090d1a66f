import type { Prng } from '../sim/prng.js';
import { keyName, kvMixes, zipfianRank, type KvMix } from './kvWorkload.js';

/**
 * The clients' workload of the `swarm-kv` scenario (spec swarm.md §6): the
 * YCSB mixes of kvWorkload.ts over SWARM-KV's three calls. Keys `k0..` are
 * drawn by the same Zipfian law, so a few hot keys take most calls (where
 * writers contend and entries get reused) and the cold ones keep missing
 * the clients' key caches. An update is a put, or one time in ten a delete
 * (SWARM-KV has no append). Values name their writer and call, so every
 * put is distinct and a lost or resurrected one shows in a get.
 *
 * Workload names are `<mix>[/<pace>][+load]`:
 * - mix `ycsb-a` (50 % gets) or `ycsb-b` (95 %) over the key space, or
 *   `hot-key`: every call on `k0`, half puts (contention on one record,
 *   the entry logs wrap around);
 * - pace `think` (the default: a random think time before each call),
 *   `contention` (none: everyone at once) or `solo` (in turns: no two
 *   calls overlap, §7's "no contention");
 * - `+load`: before its drawn calls each client puts its share of the
 *   keys (key j for j ≡ client mod C) through the protocol, in the history
 *   (YCSB's load phase as writes; without it every key starts as "").
 * The SWARM register scenarios' names stand for YCSB-A (what `mnm table
 * swarm` asks every SWARM scenario for): `uniform` = `ycsb-a`, `contention`
 * = `ycsb-a/contention`, `solo` = `ycsb-a/solo`.
 */
export type SwarmKvOperation = 'get' | 'put' | 'delete';

export interface SwarmKvCall {
  readonly operation: SwarmKvOperation;
  readonly key: string;
  /** The put's value ("" for get and delete). */
  readonly value: string;
}

export interface SwarmKvWorkload {
  readonly mix: KvMix | 'hot-key';
  readonly pace: 'think' | 'contention' | 'solo';
  readonly load: boolean;
}

/** The store's own workloads: what a mixed sweep draws. */
export const swarmKvMixWorkloads = ['ycsb-a', 'ycsb-b', 'ycsb-a/contention', 'ycsb-b/contention', 'hot-key', 'hot-key/contention', 'ycsb-a+load'] as const;
/** Every accepted name: the store's own, then the register scenarios' (`mnm table swarm` asks for them). */
export const swarmKvWorkloads = [...swarmKvMixWorkloads, 'uniform', 'contention', 'solo'] as const;

/** The register scenarios' workload names, as YCSB-A at that pace. */
const registerWorkloads: Readonly<Record<string, string>> = { uniform: 'ycsb-a', contention: 'ycsb-a/contention', solo: 'ycsb-a/solo' };

/** The workload a name stands for, or a message saying what is accepted. */
export function parseSwarmKvWorkload(given: string): SwarmKvWorkload | string {
  const name = registerWorkloads[given] ?? given;
  const [body, ...extras] = name.split('+');
  if (extras.length > 1 || (extras.length === 1 && extras[0] !== 'load')) return `--workload ${name}: unknown suffix (accepted: +load)`;
  const [mixName, pace = 'think', ...rest] = body.split('/');
  if (rest.length > 0 || (pace !== 'think' && pace !== 'contention' && pace !== 'solo')) return `--workload ${name}: unknown pace (accepted: think, contention, solo)`;
  const mix = mixName === 'hot-key' ? 'hot-key' : kvMixes[mixName];
  if (mix === undefined) return `--workload ${name}: unknown mix (accepted: ${[...Object.keys(kvMixes), 'hot-key'].join(', ')})`;
  return { mix, pace, load: extras.length === 1 };
}

/** A value of `bytes` bytes naming who wrote it and when (distinct across a run). */
export function swarmKvValue(client: number, call: number | string, bytes: number): string {
  const label = `p${client}.${call}.`;
  if (label.length > bytes) throw new RangeError(`a value of ${bytes} bytes cannot name call ${call} of client ${client} (accepted: ${label.length} bytes or more)`);
  return label + '-'.repeat(bytes - label.length);
}

/** Client `client`'s `call`-th operation, drawn from its own stream. */
export function nextSwarmKvCall(random: Prng, workload: SwarmKvWorkload, cumulative: readonly number[], client: number, call: number, valueBytes: number): SwarmKvCall {
  const hot = workload.mix === 'hot-key';
  const key = hot ? keyName(0) : keyName(zipfianRank(cumulative, random.float()));
  const readFraction = hot ? 0.5 : (workload.mix as KvMix).readFraction;
  if (random.float() < readFraction) return { operation: 'get', key, value: '' };
  if (random.int(10) === 0) return { operation: 'delete', key, value: '' };
  return { operation: 'put', key, value: swarmKvValue(client, call, valueBytes) };
}

/** The load phase's puts of client `client` of `clients`: its share of the `keys` keys, named like any put. */
export function loadCalls(client: number, clients: number, keys: number, valueBytes: number): SwarmKvCall[] {
  const calls: SwarmKvCall[] = [];
  for (let rank = client; rank < keys; rank += clients) calls.push({ operation: 'put', key: keyName(rank), value: swarmKvValue(client, `load${rank}`, valueBytes) });
  return calls;
}
