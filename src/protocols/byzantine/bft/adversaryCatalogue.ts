/**
 * The adversary catalogue of Byzantine consensus on consistent broadcast
 * (specs/bft-consensus.md §6), by name: what each Byzantine replica or
 * client does. Each strategy reports through a note `adversary-effect` when
 * it sees that it had an effect; the checkers never read those notes.
 */
export const bftReplicaAdversaries = {
  'equivocating-leader': 'leader sending different PREPAREs for one (v, i) towards different followers',
  'skipping-leader': 'leader leaving gaps in its instance numbers',
  'censoring-leader': "leader never proposing one client's requests",
  'forging-leader': 'leader proposing requests with forged client signatures',
  'stale-leader': 'leader proposing in a view it has already sealed',
  'double-promise': 'follower promising two different batches for one (v, i)',
  'leader-only-fast': 'replica sending PROMISE and COMMIT-FAST to the leader only',
  'leader-favouring': 'replica sending its PROMISEs, COMMIT-FASTs and SHAREs to the leader only, and writing no COMMIT',
  'forged-certificate': 'replica writing COMMITs with forged or short prepare certificates',
  'late-commit': 'replica writing COMMITs after its SEAL of that view',
  withholder: 'replica withholding its SEAL, VC-SHAREs and shares',
  'early-sender': 'replica sending messages for views and instances far ahead',
  'bad-new-view': 'leader of a new view omitting a decided value from NEW_VIEW or forging its states',
  replayer: 'replica replaying old messages of other views and instances',
  'stream-splitter': 'replica writing different stream records to different memories',
  'seal-flooder': 'replica sealing view after view to exhaust others',
  'fat-state': 'replica sending oversized states and snapshots',
  'torn-writer': 'replica leaving its stream records torn (half written)',
  'ahead-writer': 'replica writing stream records past its next k',
  'hash-swapper': 'replica rewriting m after the echoes of H(m)',
  'stream-burner': 'leader spending batches without COMMIT-FAST, burning the stream',
  'false-checkpoint': 'replica sending CKPT-SHAREs of a wrong digest',
  'bad-state': 'replica answering FETCH with a STATE whose snapshot does not match its CP',
  silent: 'replica that never sends nor writes anything',
} as const;

export const bftClientAdversaries = {
  'replaying-client': 'client resending old signed requests',
  'conflicting-client': 'client signing two different ops under one (c, s)',
  'big-client': 'client sending ops larger than the limit',
  'leader-dodging-client': 'client sending its request to followers only',
  'forging-client': "client signing requests as another client",
  'flooding-client': 'client whose sequence numbers jump to 10^6',
} as const;

export type BftReplicaAdversary = keyof typeof bftReplicaAdversaries;
export type BftClientAdversary = keyof typeof bftClientAdversaries;
export type BftAdversary = BftReplicaAdversary | BftClientAdversary;

export const bftAdversaryCatalogue: Readonly<Record<BftAdversary, string>> = { ...bftReplicaAdversaries, ...bftClientAdversaries };

export function isBftAdversary(name: string): name is BftAdversary {
  return name in bftAdversaryCatalogue;
}
