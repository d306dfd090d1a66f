import { latencyModel, Prng } from '../../sim/index.js';
import { mixedLatencies, type FixedOptions } from '../../scenarios/mix.js';
import type { RunOptions } from '../../scenarios/index.js';
import { crashedReplicas, drawBftAdversaries, drawBftCatalogueExtras } from '../../scenarios/bftAdversarySetup.js';

/**
 * The configuration a mixed `mnm sweep bft` draws per seed. The generic mix
 * (scenarios/mix.ts) draws a fault profile, and a drawn profile waives
 * liveness (bft owes it only for explicit crashes within tolerance); this
 * draw names every fault as an explicit `--crash` list instead, so each seed
 * is judged on agreement, validity, integrity, KV linearizability *and*
 * liveness, and its replay command names every crash.
 *
 * Drawn: the latency model (the generic mix's list), f (1 or 2 unless
 * fixed), memories (3 or 5), up to f follower crashes and up to a minority
 * of memory crashes at times within the run's first stretch (some at 0),
 * clients (1..3), the window W (2, 4 or 8), ops per client (1..6), and clock
 * skew and drift for 3 seeds in 10, and 0..f Byzantine replica strategies
 * minus the crashed replicas (scenarios/bftAdversarySetup.ts places them),
 * the rest of the catalogue (a stream-level replica, a Byzantine client:
 * drawBftCatalogueExtras), and in 1 seed in 5 a pause at a decision
 * (drawDecisionPause).
 * With `leaderCrashes` (on: the view change is built) the leader p0 is
 * crashable too, and half the seeds crash a chain of leaders p0..p(k-1),
 * k ≤ f, the later ones at times spread over the view changes that would
 * install them (before, during, after).
 */

/** What the bft draw may do beyond the normal case: leader crashes once view change exists. */
export interface BftMixRules {
  readonly leaderCrashes: boolean;
}

export const bftMixRules: BftMixRules = { leaderCrashes: true };

const windows = [2, 4, 8] as const;
const skews = [0.5, 2, 10, 50] as const;
const drifts = [0, 10, 100, 10_000] as const;

/** Crash times are drawn within this many typical delays from the start (a fast-path decision takes ~12). */
const crashWithinDelays = 60;

/** A view change in the draw's reach: the k-th leader of a chain crashes within k times this many typical delays. */
const viewChangeWithinDelays = 500;

function chainTime(random: Prng, leader: number, mean: number): number {
  return random.chance(0.25) ? 0 : Math.round(random.float() * leader * viewChangeWithinDelays * mean * 100) / 100;
}

/** The crashes of one seed, as a `--crash` list: processes p1..p(2f) are followers (p0 leads view 0). */
export function drawBftCrashes(random: Prng, f: number, memories: number, mean: number, rules: BftMixRules): string {
  const replicas = 2 * f + 1;
  const time = () => (random.chance(0.25) ? 0 : Math.round(random.float() * crashWithinDelays * mean * 100) / 100);
  const crashable = Array.from({ length: replicas }, (_, replica) => replica).filter((replica) => rules.leaderCrashes || replica !== 0);
  // With leader crashes, half the seeds crash the leaders of views 0..k-1 in turn (k ≤ f): leader(v) = p(v mod n).
  const leaderChain = rules.leaderCrashes && random.chance(0.5);
  const processCrashes = leaderChain ? 1 + random.int(f) : random.int(Math.min(f, crashable.length) + 1);
  const memoryCrashes = random.int(Math.floor((memories - 1) / 2) + 1);
  const tokens: string[] = [];
  if (leaderChain) {
    // The next leader crashes before, during or after the view change that would install it (one takes ~Treq + 2D′, a few hundred delays).
    for (let leader = 0; leader < processCrashes; leader++) tokens.push(`p${leader}@${leader === 0 ? time() : chainTime(random, leader, mean)}`);
  } else for (const process of random.sample(crashable, processCrashes)) tokens.push(`p${process}@${time()}`);
  const allMemories = Array.from({ length: memories }, (_, memory) => memory);
  for (const memory of random.sample(allMemories, memoryCrashes)) tokens.push(`m${memory}@${time()}`);
  return tokens.join(',');
}

/**
 * In 1 seed in 5, a replica (the leader p0 in half of them) pauses right
 * after one of its first decisions (`pN@note:bft-decide#K+D`), for 200 to
 * 3,000 typical delays: long enough for the others to leave the view. It is
 * §6's "p0 decides, pauses", a moment a timed pause hits only by luck. A
 * paused run owes safety only (bft.ts, livenessOwed).
 */
export function drawDecisionPause(random: Prng, f: number, mean: number): string | undefined {
  const drawn = random.chance(0.2);
  const replica = random.chance(0.5) ? 0 : random.int(2 * f + 1);
  const decision = 1 + random.int(3);
  const duration = Math.round(mean * (200 + random.float() * 2800));
  return drawn ? `p${replica}@note:bft-decide${decision === 1 ? '' : `#${decision}`}+${duration}` : undefined;
}

/** The run options of seed `seed` of a mixed bft sweep; what the caller fixed stays. */
export function bftMixedRunOptions(seed: number, fixed: FixedOptions, rules: BftMixRules = bftMixRules): RunOptions {
  const random = new Prng(seed, 'mix-bft');
  const pick = <T>(items: readonly T[]): T => items[random.int(items.length)];
  // Every draw happens whether or not it is used, so fixing one option leaves the others' draws unchanged.
  const latency = pick(mixedLatencies);
  const drawnF = 1 + random.int(2);
  const drawnMemories = random.chance(0.5) ? 3 : 5;
  const clients = 1 + random.int(3);
  const window = pick(windows);
  const ops = 1 + random.int(6);
  const clocked = random.chance(0.3);
  const skew = pick(skews) * latencyModel(fixed.latency ?? latency).mean;
  const drift = pick(drifts);
  const f = fixed.f ?? drawnF;
  const memories = fixed.memories ?? drawnMemories;
  const crash = drawBftCrashes(random, f, memories, latencyModel(fixed.latency ?? latency).mean, rules);
  // Byzantine replicas: 0..f minus the crashed ones (drawn last, so the draws above stay as they were).
  const crashed = crashedReplicas(fixed.crash ?? crash, 2 * f + 1);
  const behaviours = drawBftAdversaries(random, f, crashed, false);
  // The rest of the catalogue (stream-level replicas, Byzantine clients), then a pause at a decision: drawn after the above, which stay as they were.
  const adversary = drawBftCatalogueExtras(random, behaviours, f, crashed, fixed.clients ?? clients).join(',');
  const pause = drawDecisionPause(random, f, latencyModel(fixed.latency ?? latency).mean);
  return {
    protocol: 'bft',
    seed,
    latency,
    f,
    memories,
    clients,
    window,
    ops,
    faults: 'none',
    ...(crash ? { crash } : {}),
    ...(adversary ? { adversary } : {}),
    ...(pause ? { pause } : {}),
    ...(clocked ? { skew, drift } : {}),
    ...definedOnly(fixed),
  };
}

function definedOnly(fixed: FixedOptions): FixedOptions {
  return Object.fromEntries(Object.entries(fixed).filter(([, value]) => value !== undefined)) as FixedOptions;
}
