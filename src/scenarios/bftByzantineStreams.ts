import type { Fabric, ProcessMain } from '../fabric/index.js';
import type { KeySource, SignatureCosts } from '../crypto/index.js';
import { adversaryBody, adversaryCatalogue, type AdversaryName } from '../protocols/byzantine/adversaries.js';
import { byzantineStreamFor, isStreamAdversary, streamAdversaries, withoutCommitFast, type StreamAdversary } from '../protocols/byzantine/bft/byzantineStream.js';
import type { BftReplicaConfig } from '../protocols/byzantine/bft/replica.js';
import type { ResolvedOptions } from './scenario.js';
import { shortestDelay } from './byzantine/setup.js';
import type { BftSetup } from './bftSetup.js';

/**
 * Stream-level Byzantine replicas in the `bft` scenario (§6): the bft
 * catalogue's stream strategies (a replica with correct logic whose own CB
 * stream is written by hand: protocols/byzantine/bft/byzantineStream.ts)
 * and the CB catalogue (`cb:NAME`, protocols/byzantine/adversaries.ts) run
 * by a replica process on the run's stream layout — silent in consensus,
 * lying in its registers. Placement: the first on p0 (leader of view 0: its
 * stream carries the PREPAREs, so a stream strategy there matters most),
 * the next ones on p2f, p2f−1, …; at most f in all.
 */

/** The CB catalogue's names as bft strategies. */
export const cbStreamNames: readonly string[] = Object.keys(adversaryCatalogue).map((name) => `cb:${name}`);

/** Replica strategies this module places. */
export const streamStrategyNames: readonly string[] = [...streamAdversaries, ...cbStreamNames];

export function isStreamStrategy(name: string): boolean {
  return streamStrategyNames.includes(name);
}

/** Byzantine replicas per process: the first on p0, then p(2f), p(2f−1), … ; throws past f. */
export function placeStreamStrategies(names: readonly string[], f: number): Map<number, string> {
  if (names.length > f) throw new Error(`--adversary: ${names.length} Byzantine replicas exceed f = ${f}`);
  return new Map(names.map((name, index) => [index === 0 ? 0 : 2 * f + 1 - index, name]));
}

/** CB broadcasts a `cb:` adversary lies about, per sender (the run's first ones: each round it reads them all). */
export const cbAdversaryMessages = 8;

/** The body of a replica process running a CB-catalogue strategy on the bft stream layout, until the replicas' safety net. */
export function cbStreamReplicaBody(name: string, process: number, setup: BftSetup, run: { readonly options: ResolvedOptions; readonly keys: KeySource; readonly costs: SignatureCosts }): ProcessMain {
  const strategy = name.slice('cb:'.length) as AdversaryName;
  const layout = { ...setup.layout, messages: Math.min(setup.layout.messages, cbAdversaryMessages) };
  return adversaryBody(strategy, { mode: 'cb', layout, f: setup.f, byzantine: [process], costs: run.costs, keys: run.keys, pace: shortestDelay(run.options) }, setup.giveUpAt);
}

/** For a replica running a bft stream strategy: its fabric (a stream burner sends no COMMIT-FAST) and its stream option. */
export function streamReplicaOf(name: string, fabric: Fabric, setup: BftSetup, run: { readonly options: ResolvedOptions; readonly keys: KeySource; readonly costs: SignatureCosts }): { fabric: Fabric; config: Pick<BftReplicaConfig, 'stream'> } {
  if (!isStreamAdversary(name)) throw new Error(`not a stream strategy: ${name}`);
  const strategy: StreamAdversary = name;
  const stream = byzantineStreamFor(strategy, { f: setup.f, keys: run.keys, costs: run.costs, pace: shortestDelay(run.options), window: setup.window, batchLimit: setup.batchLimit });
  return { fabric: strategy === 'stream-burner' ? withoutCommitFast(fabric) : fabric, config: { stream } };
}
