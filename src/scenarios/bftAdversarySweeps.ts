import type { RunOptions } from './scenario.js';

/**
 * The bft mutants a sweep catches with a named adversary of the catalogue
 * (`mnm sweep bft --mutant M --adversary A [extra options]`, unit latency,
 * ops 4, f = 1, seeds from 1): the mutant, the adversary, the options beyond
 * those, and the properties one of which the sweep reports
 * (bftMutantsSweep.test.ts runs them). The other §6 mutants need their
 * interleaving and are swept with their schedules (bftSchedules/).
 */
export const bftAdversarySweeps: readonly (readonly [mutant: string, adversary: string, extra: Partial<RunOptions>, properties: readonly string[]])[] = [
  // A forging leader's put(key, 'forged') under a flipped client signature: run only where signatures go unchecked.
  ['unchecked-requests', 'forging-leader', {}, ['validity', 'linearizability']],
  // A conflicting client's two ops under one (c, s): "executed" per op runs (c, s) twice.
  ['op-executed', 'conflicting-client', { clients: 2 }, ['integrity', 'linearizability']],
  // A torn-writer leaves a torn copy of its blocks for good: readers waiting for clean copies stall every stream (liveness owed: no drawn faults).
  ['torn-blocks', 'torn-writer', { faults: 'none' }, ['liveness']],
  // A follower voting for the leader alone and writing no COMMIT, and p0 paused right after its first decision (§6's
  // "b promises to p0 only; p0 decides, pauses"): the other followers seal with no trace of what p0 decided, and the
  // next leader proposes afresh. Correct code is safe there: a fast decision needs each correct replica's COMMIT-FAST,
  // which puts the instance in its F (L3). fast-f+1 decides on f+1 COMMIT-FASTs; certify-if-decided leaves
  // fast-committed instances out of F.
  ['fast-f+1', 'leader-favouring', { faults: 'none', ops: 2, clients: 2, pause: 'p0@note:bft-decide+3000' }, ['agreement']],
  ['certify-if-decided', 'leader-favouring', { faults: 'none', ops: 2, clients: 2, pause: 'p0@note:bft-decide+3000' }, ['agreement']],
];

/** The mutants a sweep with a named adversary catches (the rest are swept with their §6 schedules: bftSchedulesSweep.test.ts). */
export const sweptWithAdversary: readonly string[] = bftAdversarySweeps.map(([mutant]) => mutant);

