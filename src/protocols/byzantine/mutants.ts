/**
 * The deliberately broken variants of consistent and reliable broadcast
 * (`mnm mutants`): each breaks one step the safety argument rests on, and
 * the sweeps must catch every one.
 */
export const broadcastMutants = {
  'no-check': "receivers deliver on f+1 copies signed by the sender, ignoring the replicators' write-then-read check (the checked flags) and conflicting signed copies",
  'changing-replicator': 'a replicator adopts whatever value the sender slot shows now instead of the first one: it starts its record over for the new value (clears its flags, writes its fields anew) and checks again',
  'skip-signature-check': 'the verifier accepts every well-formed signature without checking it',
  'rewritten-record':
    "a replicator's echo and signed fields follow what the sender slot shows now, rewritten in place with their bits (and its checked bit) left set: readers trust a bit-set valid field as the owner's final value, so two readers see two final values",
} as const;
export type BroadcastMutant = keyof typeof broadcastMutants;
