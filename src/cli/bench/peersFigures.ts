import { percentiles } from '../plots/percentiles.js';
import type { PhaseSamples } from './ycsbDriver.js';
import type { YcsbWorkloadName } from './ycsbWorkload.js';

/**
 * The figures of `mnm bench peers` from the phases' samples: rows, the
 * ratios between systems, the issue's targets. Pure, so the arithmetic is
 * tested apart from any run (peers.test.ts).
 */

/** The sample at `q` of sorted samples, nearest rank (never past the last). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('a quantile of no samples');
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Two decimals: the bench's noise is percent-level. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}


export interface OpFigures {
  readonly count: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/** One system (and variant), one workload, one client count, over all trials. */
export interface PeerRow {
  readonly system: string;
  readonly variant: string;
  readonly workload: YcsbWorkloadName;
  readonly clients: number;
  /** Every call of every trial (gets and puts). */
  readonly p50Us: number;
  readonly p99Us: number;
  /** Calls per second: all trials' calls over their summed wall time. */
  readonly perSecond: number;
  /** How many calls were timed. */
  readonly samples: number;
  /** Per operation kind. */
  readonly ops: { readonly get: OpFigures | null; readonly put: OpFigures | null };
  /** The spread between trials: the lowest and highest trial p50 and rate. */
  readonly trialP50Us: { readonly min: number; readonly max: number };
  readonly trialPerSecond: { readonly min: number; readonly max: number };
  /** p50 over the floor measured in the same run (TCP ping-pong p50). */
  readonly p50VsFloor: number;
  /** SWARM-KV: mean round trips per get and per put, and the share of calls whose key was in the client's key cache (null for the others). */
  readonly protocol: { readonly getRoundTrips: number | null; readonly putRoundTrips: number | null; readonly keyCacheHits: number | null } | null;
  /** p0..p100 of every call (µs; index = percent, as every suite's `percentiles`): the CDF. */
  readonly percentilesUs: readonly number[];
  readonly note: string;
}

function opFigures(samples: readonly number[]): OpFigures | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: sorted.length, p50Us: round2(quantile(sorted, 0.5)), p99Us: round2(quantile(sorted, 0.99)) };
}

/** The phases' summed counters as means per call (SWARM-KV's observer, peersBodies.ts), or null without counters. */
export function protocolFigures(phases: readonly PhaseSamples[]): PeerRow['protocol'] {
  if (phases.every((phase) => phase.counters === undefined)) return null;
  const sum = (name: string) => phases.reduce((total, phase) => total + (phase.counters?.[name] ?? 0), 0);
  const per = (value: number, calls: number) => (calls === 0 ? null : round2(value / calls));
  return {
    getRoundTrips: per(sum('getRoundTrips'), sum('getCalls')),
    putRoundTrips: per(sum('putRoundTrips'), sum('putCalls')),
    keyCacheHits: per(sum('getCacheHits') + sum('putCacheHits'), sum('getCalls') + sum('putCalls')),
  };
}

/** A system's rows: its phases grouped by (workload, clients), trials pooled, the spread kept. */
export function peerRows(run: { readonly system: string; readonly variant: string; readonly note: string; readonly phases: readonly PhaseSamples[] }, floorP50Us: number): PeerRow[] {
  const groups = new Map<string, PhaseSamples[]>();
  for (const phase of run.phases) {
    const key = `${phase.workload}/${phase.clients}`;
    groups.set(key, [...(groups.get(key) ?? []), phase]);
  }
  const rows: PeerRow[] = [];
  for (const phases of groups.values()) {
    const all = phases.flatMap((phase) => [...phase.getUs, ...phase.putUs]);
    const sorted = [...all].sort((a, b) => a - b);
    const trialP50 = phases.map((phase) => quantile([...phase.getUs, ...phase.putUs].sort((a, b) => a - b), 0.5));
    const trialRate = phases.map((phase) => (phase.getUs.length + phase.putUs.length) / phase.seconds);
    const seconds = phases.reduce((sum, phase) => sum + phase.seconds, 0);
    const p50 = quantile(sorted, 0.5);
    rows.push({
      system: run.system,
      variant: run.variant,
      workload: phases[0].workload,
      clients: phases[0].clients,
      p50Us: round2(p50),
      p99Us: round2(quantile(sorted, 0.99)),
      perSecond: Math.round(all.length / seconds),
      samples: all.length,
      ops: { get: opFigures(phases.flatMap((phase) => phase.getUs)), put: opFigures(phases.flatMap((phase) => phase.putUs)) },
      trialP50Us: { min: round2(Math.min(...trialP50)), max: round2(Math.max(...trialP50)) },
      trialPerSecond: { min: Math.round(Math.min(...trialRate)), max: Math.round(Math.max(...trialRate)) },
      p50VsFloor: round2(p50 / floorP50Us),
      protocol: protocolFigures(phases),
      percentilesUs: percentiles(all, 1),
      note: run.note,
    });
  }
  return rows;
}

/** A system as the ratios name it. */
export interface SystemRef {
  readonly system: string;
  readonly variant: string;
}

/** The comparisons the issue asks for: `a`'s figure over `b`'s (a p50 ratio below 1 and a throughput ratio above 1: `a` ahead). */
export const ratioPairs: readonly { readonly name: string; readonly a: SystemRef; readonly b: SystemRef }[] = [
  { name: 'Mu/etcd, no fsync', a: { system: 'mu-kv', variant: 'no fsync' }, b: { system: 'etcd', variant: 'no fsync' } },
  { name: 'Mu/etcd, fsync', a: { system: 'mu-kv', variant: 'fsync' }, b: { system: 'etcd', variant: 'fsync' } },
  { name: 'SWARM-KV/Redis', a: { system: 'swarm-kv', variant: '3 memories' }, b: { system: 'redis', variant: 'no persistence' } },
  { name: 'SWARM-KV (m2 crashed)/Redis', a: { system: 'swarm-kv', variant: 'm2 crashed' }, b: { system: 'redis', variant: 'no persistence' } },
  { name: 'Mu/Multi-Paxos', a: { system: 'mu-kv', variant: 'no fsync' }, b: { system: 'multi-paxos-kv', variant: 'no fsync' } },
];

export interface PeerRatio {
  /** e.g. "Mu/etcd, no fsync". */
  readonly name: string;
  readonly a: SystemRef;
  readonly b: SystemRef;
  readonly workload: YcsbWorkloadName;
  readonly clients: number;
  /** Which calls the latency ratios are over: gets, puts, or all. */
  readonly op: 'get' | 'put' | 'all';
  /** a's p50 / b's p50, a's p99 / b's p99 (below 1: a is faster). */
  readonly p50: number | null;
  readonly p99: number | null;
  /** a's calls per second / b's (the whole mix; above 1: a is ahead). */
  readonly throughput: number | null;
}

/** `a / b`, two decimals; null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return round2(a / b);
}

export function findRow(rows: readonly PeerRow[], ref: SystemRef, workload: YcsbWorkloadName, clients: number): PeerRow | undefined {
  return rows.find((row) => row.system === ref.system && row.variant === ref.variant && row.workload === workload && row.clients === clients);
}

/** Every pair's ratios for each (workload, clients) both systems have, per op kind and over all calls. */
export function peerRatios(rows: readonly PeerRow[]): PeerRatio[] {
  const ratios: PeerRatio[] = [];
  for (const pair of ratioPairs) {
    for (const row of rows.filter((candidate) => candidate.system === pair.a.system && candidate.variant === pair.a.variant)) {
      const other = findRow(rows, pair.b, row.workload, row.clients);
      if (!other) continue;
      for (const op of ['get', 'put', 'all'] as const) {
        const of = (figures: PeerRow) => (op === 'all' ? { p50Us: figures.p50Us, p99Us: figures.p99Us } : figures.ops[op]);
        ratios.push({ name: pair.name, a: pair.a, b: pair.b, workload: row.workload, clients: row.clients, op, p50: ratio(of(row)?.p50Us, of(other)?.p50Us), p99: ratio(of(row)?.p99Us, of(other)?.p99Us), throughput: ratio(row.perSecond, other.perSecond) });
      }
    }
  }
  return ratios;
}

export interface PeerTarget {
  readonly name: string;
  /** The target, in words and as a bound on `measured`. */
  readonly target: string;
  /** The measured figure, or null when a system it needs did not run. */
  readonly measured: number | null;
  readonly met: boolean;
  /** What was measured, or why it could not be. */
  readonly detail: string;
}

/** The targets are judged on the sequential client (one call at a time), YCSB-A: its puts, and its gets for SWARM-KV. */
export const targetWorkload: YcsbWorkloadName = 'ycsb-a';

/**
 * The issue's three targets on one run's rows: (1) etcd's put p50 without
 * fsync over Mu's ≥ 10; (2) SWARM-KV with memory m2 crashed, get and put p50
 * over unreplicated Redis's ≤ 1.5 (the worse of the two); (3) etcd's put p50
 * with fsync over Mu's with fsync > 1.
 */
export function peerTargets(rows: readonly PeerRow[]): PeerTarget[] {
  const put = (ref: SystemRef) => findRow(rows, ref, targetWorkload, 1)?.ops.put?.p50Us;
  const missing = (...refs: SystemRef[]) => refs.filter((ref) => !findRow(rows, ref, targetWorkload, 1)).map((ref) => `${ref.system} ${ref.variant}`);
  const verdict = (name: string, target: string, measured: number | null, met: (value: number) => boolean, detail: string, needs: SystemRef[]): PeerTarget => {
    const absent = missing(...needs);
    if (measured === null) return { name, target, measured: null, met: false, detail: `not measured: ${absent.length > 0 ? `no ${absent.join(', ')} row` : 'no such calls'}` };
    return { name, target, measured, met: met(measured), detail };
  };
  const [mu, etcd, muFsync, etcdFsync] = [ratioPairs[0].a, ratioPairs[0].b, ratioPairs[1].a, ratioPairs[1].b];
  const swarmCrashed = ratioPairs[3].a;
  const redis = ratioPairs[3].b;
  const first = ratio(put(etcd), put(mu));
  const swarmRow = findRow(rows, swarmCrashed, targetWorkload, 1);
  const redisRow = findRow(rows, redis, targetWorkload, 1);
  const getRatio = ratio(swarmRow?.ops.get?.p50Us, redisRow?.ops.get?.p50Us);
  const putRatio = ratio(swarmRow?.ops.put?.p50Us, redisRow?.ops.put?.p50Us);
  const second = getRatio === null || putRatio === null ? null : Math.max(getRatio, putRatio);
  const third = ratio(put(etcdFsync), put(muFsync));
  return [
    verdict('Mu put p50 ≥ 10× lower than etcd without fsync', 'etcd put p50 / Mu put p50 >= 10', first, (value) => value >= 10, `etcd ${put(etcd)} µs / Mu ${put(mu)} µs, ${targetWorkload}, sequential client`, [mu, etcd]),
    verdict('SWARM-KV get/put p50 within 1.5× of unreplicated Redis, one memory node crashed', 'max(get, put) SWARM-KV p50 / Redis p50 <= 1.5', second, (value) => value <= 1.5, `get ${getRatio}x, put ${putRatio}x (SWARM-KV m2 crashed over Redis no persistence), ${targetWorkload}, sequential client`, [swarmCrashed, redis]),
    verdict('Mu with fsync ahead of etcd with fsync', 'etcd fsync put p50 / Mu fsync put p50 > 1', third, (value) => value > 1, `etcd ${put(etcdFsync)} µs / Mu ${put(muFsync)} µs, ${targetWorkload}, sequential client`, [muFsync, etcdFsync]),
  ];
}
