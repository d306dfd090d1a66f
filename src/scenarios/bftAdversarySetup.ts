import { bftFollowerStrategies, bftLeaderStrategies, bftNewLeaderStrategies, builtBftReplicaStrategies, isBuiltBftReplicaStrategy, type BuiltBftReplicaStrategy } from '../protocols/byzantine/bft/adversaries/strategies.js';
import { Prng } from '../sim/prng.js';
import type { ResolvedOptions } from './scenario.js';
import { bftClientAdversaries, type BftClientAdversary } from '../protocols/byzantine/bft/adversaryCatalogue.js';
import { parseBftAdversaries } from './bftByzantineClients.js';
import { isStreamStrategy, streamStrategyNames } from './bftByzantineStreams.js';
import { streamAdversaries } from '../protocols/byzantine/bft/byzantineStream.js';
import { clientCountOf } from './bftSetup.js';

/**
 * Where the Byzantine replicas of a `bft` run sit and what each runs
 * (`--adversary`): a leader strategy at leader(0) = p0, `bad-new-view` at
 * leader(1) = p1, follower strategies from p(n−1) down; never at a replica
 * `--crash` names, and at most f Byzantine and crashed replicas together.
 * `--adversary all` draws a combination per seed.
 */
export interface BftByzantinePlacement {
  readonly process: number;
  readonly adversary: BuiltBftReplicaStrategy;
}

const leaderSide: readonly string[] = bftLeaderStrategies;
const newLeaderSide: readonly string[] = bftNewLeaderStrategies;

/** Replicas that `--crash` names (p<i>@t, h<i>@t), read from the text (a worker must not load the simulator's parser). */
export function crashedReplicas(crash: string | undefined, replicas: number): Set<number> {
  const processes = new Set<number>();
  for (const match of (crash ?? '').matchAll(/(?:^|,)\s*[ph](\d+)(?:@|,|$)/g)) if (Number(match[1]) < replicas) processes.add(Number(match[1]));
  return processes;
}

/** Places `names` (already known to be built strategies) on n = 2f+1 replicas; throws a one-line message when it cannot. */
export function placeBftAdversaries(names: readonly BuiltBftReplicaStrategy[], f: number, crashed: ReadonlySet<number>): BftByzantinePlacement[] {
  const n = 2 * f + 1;
  const accepted = `accepted: none, all, ${builtBftReplicaStrategies.join(', ')}`;
  const leaders = names.filter((name) => leaderSide.includes(name));
  if (leaders.length > 1) throw new Error(`--adversary: at most one leader strategy (they all sit at p0, the leader of view 0), got ${leaders.join(', ')}`);
  if (names.filter((name) => newLeaderSide.includes(name)).length > 1) throw new Error('--adversary: bad-new-view sits at p1 (the leader of view 1): give it once');
  if (names.length + crashed.size > f) throw new Error(`--adversary: ${names.length} Byzantine and ${crashed.size} crashed replica(s) exceed f = ${f} (${accepted})`);
  const placed: BftByzantinePlacement[] = [];
  const taken = new Set<number>();
  const put = (process: number, adversary: BuiltBftReplicaStrategy) => {
    if (crashed.has(process)) throw new Error(`--adversary ${adversary} sits at p${process}, which --crash names: a replica is either Byzantine or crashed`);
    taken.add(process);
    placed.push({ process, adversary });
  };
  for (const name of names) if (leaderSide.includes(name)) put(0, name);
  for (const name of names) if (newLeaderSide.includes(name)) put(1, name);
  let next = n - 1;
  for (const name of names) {
    if (leaderSide.includes(name) || newLeaderSide.includes(name)) continue;
    while (next > 0 && (taken.has(next) || crashed.has(next) || (next === 1 && names.some((other) => newLeaderSide.includes(other))))) next--;
    if (next <= 0) throw new Error(`--adversary: no follower left for ${name}`);
    put(next--, name);
  }
  return placed.sort((a, b) => a.process - b.process);
}

/**
 * A draw of Byzantine strategies for f and the crashed replicas: up to
 * f − crashed of them (at least one when any may be), maybe one leader
 * strategy (if p0 is up), maybe `bad-new-view` (if p1 is up), followers for
 * the rest.
 */
export function drawBftAdversaries(random: Prng, f: number, crashed: ReadonlySet<number>, atLeastOne: boolean): BuiltBftReplicaStrategy[] {
  const room = f - crashed.size;
  const leaderDraw = random.chance(0.4);
  const leader = bftLeaderStrategies[random.int(bftLeaderStrategies.length)];
  const newLeaderDraw = random.chance(0.15);
  const count = atLeastOne ? 1 + random.int(Math.max(room, 1)) : random.int(room + 1);
  const followers = Array.from({ length: f }, () => bftFollowerStrategies[random.int(bftFollowerStrategies.length)]);
  if (room <= 0) return [];
  const names: BuiltBftReplicaStrategy[] = [];
  if (leaderDraw && !crashed.has(0) && names.length < count) names.push(leader);
  if (newLeaderDraw && f >= 2 && !crashed.has(1) && names.length < count) names.push('bad-new-view');
  // Followers of view 0 (p1..p(n−1), p1 unless it leads view 1 here) that no crash names.
  let free = Array.from({ length: 2 * f }, (_, index) => index + 1).filter((process) => !crashed.has(process) && !(process === 1 && names.includes('bad-new-view'))).length;
  for (const name of followers) {
    if (names.length >= count || free === 0) break;
    names.push(name);
    free--;
  }
  return names;
}

const clientStrategies = Object.keys(bftClientAdversaries) as BftClientAdversary[];

/**
 * The rest of the catalogue, drawn on top of the behaviour strategies
 * `names` (from its own stream, so their draw stays as it was): in about 3
 * seeds in 10 a stream-level strategy (a replica writing its CB stream by
 * hand: bftByzantineStreams.ts) — in a free replica if f leaves room, else
 * in place of a follower strategy — and in about 3 in 10 a Byzantine client
 * in place of the first client, when one correct client remains. The CB
 * catalogue's strategies on a replica's stream (`cb:NAME`) are not drawn: a
 * run costs a minute of CPU, and the broadcast sweeps draw them on the CB
 * itself.
 */
export function drawBftCatalogueExtras(random: Prng, names: readonly string[], f: number, crashed: ReadonlySet<number>, clientCount: number): string[] {
  const streamDraw = random.chance(0.3);
  const stream = streamAdversaries[random.int(streamAdversaries.length)];
  const clientDraw = random.chance(0.3);
  const client = clientStrategies[random.int(clientStrategies.length)];
  const drawn = [...names];
  if (streamDraw) {
    const followers = drawn.flatMap((name, index) => (leaderSide.includes(name) || newLeaderSide.includes(name) ? [] : [index]));
    const follower = followers.length > 0 ? followers[followers.length - 1] : -1;
    if (drawn.length + crashed.size < f) drawn.push(stream);
    else if (follower >= 0) drawn[follower] = stream;
  }
  if (clientDraw && clientCount >= 2) drawn.push(client);
  return drawn;
}

/**
 * `--adversary all` for one seed: behaviour strategies (drawBftAdversaries,
 * at least one when the crashes leave room), then the rest of the catalogue
 * (drawBftCatalogueExtras).
 */
export function drawBftCatalogue(seed: number, f: number, crashed: ReadonlySet<number>, clientCount: number): string[] {
  const behaviours = drawBftAdversaries(new Prng(seed, 'bft-adversaries'), f, crashed, true);
  return drawBftCatalogueExtras(new Prng(seed, 'bft-adversaries-catalogue'), behaviours, f, crashed, clientCount);
}

/** --adversary of a bft run, placed; throws a one-line message listing the accepted names. */
export function bftAdversariesOf(options: ResolvedOptions, f: number): BftByzantinePlacement[] {
  const given = options.adversary;
  if (given === undefined || given === '' || given === 'none') return [];
  const crashed = crashedReplicas(options.crash, 2 * f + 1);
  if (given === 'all') return placeBftAdversaries(drawBftAdversaries(new Prng(options.seed, 'bft-adversaries'), f, crashed, true), f, crashed);
  const names = given.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!isBuiltBftReplicaStrategy(name)) throw new Error(`--adversary: '${name}' is not a Byzantine replica strategy of bft built yet (accepted: none, all, ${builtBftReplicaStrategies.join(', ')})`);
  }
  return placeBftAdversaries(names as BuiltBftReplicaStrategy[], f, crashed);
}

/** Every Byzantine process of a bft run: replicas running a behaviour strategy, replicas writing a Byzantine stream, clients. */
export interface BftByzantine {
  readonly replicas: readonly BftByzantinePlacement[];
  /** Stream-level strategies (bftByzantineStreams.ts), by process. */
  readonly streams: ReadonlyMap<number, string>;
  readonly clients: readonly BftClientAdversary[];
}

const noByzantine: BftByzantine = { replicas: [], streams: new Map(), clients: [] };

/**
 * --adversary of a bft run, split and placed: client strategies replace the
 * first clients; behaviour strategies sit as placeBftAdversaries says;
 * stream strategies take the first replica left of p0, p(2f), p(2f−1), …
 * Byzantine and crashed replicas together are at most f. `all` draws
 * the catalogue per seed (drawBftCatalogue). Throws a one-line message naming the
 * accepted strategies.
 */
export function bftByzantineOf(options: ResolvedOptions, f: number): BftByzantine {
  const given = options.adversary;
  if (given === undefined || given === '' || given === 'none') return noByzantine;
  const list = given === 'all' ? drawBftCatalogue(options.seed, f, crashedReplicas(options.crash, 2 * f + 1), clientCountOf(options)).join(',') : given;
  if (list === '') return noByzantine;
  const { replica, client } = parseBftAdversaries(list, streamStrategyNames);
  const streamNames = replica.filter(isStreamStrategy);
  const behaviourNames = replica.filter((name) => !isStreamStrategy(name));
  const accepted = `accepted: none, all, ${[...builtBftReplicaStrategies, ...streamStrategyNames, ...Object.keys(bftClientAdversaries)].join(', ')}`;
  for (const name of behaviourNames) if (!isBuiltBftReplicaStrategy(name)) throw new Error(`--adversary: '${name}' is not a Byzantine strategy of bft built yet (${accepted})`);
  const crashed = crashedReplicas(options.crash, 2 * f + 1);
  if (replica.length + crashed.size > f) throw new Error(`--adversary: ${replica.length} Byzantine and ${crashed.size} crashed replica(s) exceed f = ${f}`);
  const placed = placeBftAdversaries(behaviourNames as BuiltBftReplicaStrategy[], f, crashed);
  const taken = new Set(placed.map((placement) => placement.process));
  const order = [0, ...Array.from({ length: 2 * f }, (_, index) => 2 * f - index)];
  const streams = new Map<number, string>();
  for (const name of streamNames) {
    const process = order.find((candidate) => !taken.has(candidate) && !crashed.has(candidate));
    if (process === undefined) throw new Error(`--adversary: no replica left for ${name}`);
    taken.add(process);
    streams.set(process, name);
  }
  return { replicas: placed, streams, clients: client };
}
