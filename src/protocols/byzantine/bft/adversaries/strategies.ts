import type { BftReplicaAdversary } from '../adversaryCatalogue.js';
import type { BftReplicaBehaviour } from './behaviour.js';
import { BadNewView, CensoringLeader, EquivocatingLeader, ForgingLeader, SkippingLeader, StaleLeader } from './leaderStrategies.js';
import { BadState, DoublePromise, EarlySender, FalseCheckpoint, FatState, ForgedCertificate, LateCommit, LeaderFavouring, LeaderOnlyFast, Replayer, SealFlooder, Withholder } from './followerStrategies.js';

/**
 * The Byzantine replica strategies of bft built so far, by where each sits:
 * a leader strategy at the leader of the view it attacks (view 0, except
 * `bad-new-view`: view 1), a follower strategy at a follower of view 0.
 * `silent` is no behaviour of a BftReplica: its process runs no replica at
 * all (silent.ts).
 */
export const bftLeaderStrategies = ['equivocating-leader', 'skipping-leader', 'censoring-leader', 'forging-leader', 'stale-leader'] as const satisfies readonly BftReplicaAdversary[];
export const bftNewLeaderStrategies = ['bad-new-view'] as const satisfies readonly BftReplicaAdversary[];
export const bftFollowerStrategies = ['double-promise', 'leader-only-fast', 'leader-favouring', 'forged-certificate', 'late-commit', 'withholder', 'early-sender', 'replayer', 'seal-flooder', 'fat-state', 'false-checkpoint', 'bad-state', 'silent'] as const satisfies readonly BftReplicaAdversary[];

export type BuiltBftReplicaStrategy = (typeof bftLeaderStrategies)[number] | (typeof bftNewLeaderStrategies)[number] | (typeof bftFollowerStrategies)[number];

export const builtBftReplicaStrategies: readonly BuiltBftReplicaStrategy[] = [...bftLeaderStrategies, ...bftNewLeaderStrategies, ...bftFollowerStrategies];

export function isBuiltBftReplicaStrategy(name: string): name is BuiltBftReplicaStrategy {
  return (builtBftReplicaStrategies as readonly string[]).includes(name);
}

export interface StrategyOptions {
  /** V: views the streams hold (the seal flooder stays below it). */
  readonly views: number;
}

/** A fresh behaviour for `name` (one per Byzantine replica); undefined for `silent`, which runs no replica. */
export function bftReplicaBehaviour(name: BuiltBftReplicaStrategy, options: StrategyOptions): BftReplicaBehaviour | undefined {
  switch (name) {
    case 'equivocating-leader':
      return new EquivocatingLeader();
    case 'skipping-leader':
      return new SkippingLeader();
    case 'censoring-leader':
      return new CensoringLeader();
    case 'forging-leader':
      return new ForgingLeader();
    case 'stale-leader':
      return new StaleLeader();
    case 'bad-new-view':
      return new BadNewView();
    case 'double-promise':
      return new DoublePromise();
    case 'leader-only-fast':
      return new LeaderOnlyFast();
    case 'leader-favouring':
      return new LeaderFavouring();
    case 'forged-certificate':
      return new ForgedCertificate();
    case 'late-commit':
      return new LateCommit();
    case 'withholder':
      return new Withholder();
    case 'early-sender':
      return new EarlySender();
    case 'replayer':
      return new Replayer();
    case 'seal-flooder':
      return new SealFlooder(options.views);
    case 'fat-state':
      return new FatState();
    case 'false-checkpoint':
      return new FalseCheckpoint();
    case 'bad-state':
      return new BadState();
    case 'silent':
      return undefined;
  }
}
