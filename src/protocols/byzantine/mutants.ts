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

/**
 * Broken variants of CB's checks that only a bft replica's stream runs
 * (specs/bft-consensus.md §2.1, §6: the bft mutants of the same names hand
 * them to their replica's CB). Kept out of `broadcastMutants`, the CB
 * catalogue that `mnm mutants` lists and the CB sweeps must each catch: these
 * are caught at the consensus level (src/scenarios/bftMutantsRecords.test.ts).
 */
export const streamCheckMutants = {
  'torn-blocks':
    "a reader judges each owner's block (its slots at one k) as a whole and waits for a clean copy: a broadcast is not stepped while any copy of a block its read covers holds a torn field (bit set, CRC failing), instead of counting the torn field as absent",
  'unchecked-value': "a receiver delivers the message at hand (its adoption, else the sender slot's) without checking it against the hash h it decided",
} as const;
export type StreamCheckMutant = keyof typeof streamCheckMutants;
