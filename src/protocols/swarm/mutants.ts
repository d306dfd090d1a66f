/**
 * Deliberately broken variants of the SWARM protocols (spec swarm.md §8, and
 * the classics'), each one line of a protocol changed; the sweeps and
 * src/scenarios/swarm.test.ts show each caught and the protocol itself not.
 */
export const maxRegisterMutants = {
  'cas-stops-on-failure': "a write's CAS loop stops at its first failed CAS, so a write can return with its value in no buffer (needs buffers shared: workload shared-buffers)",
  'cas-retry-while-unequal': 'the CAS loop retries while the buffer differs from v, replacing a larger value: a buffer drops (needs buffers shared)',
  'no-write-back': 'a read returns the largest value its step saw without writing it back to f+1 memories: read-read monotonicity breaks',
  'write-back-to-f': "a read's write-back finishes once f memories (not f+1) are known to hold the max: a later step can miss them all",
  'write-back-to-responders-only': "a read writes back only to its step's responders: when the one lacking the max crashes, the read waits forever (a liveness mutant)",
} as const;

export const abdMutants = {
  'no-write-back': 'reads skip the write-back: the naive replicated register, regular but not atomic (the new/old inversion)',
  'write-back-to-f': 'the write-back finishes once f memories (not f+1) are known to hold the value read',
} as const;

export const dmAbdMutants = {
  'no-write-back': 'reads skip the write-back: regular, not atomic',
  'write-without-scan': "a write takes its timestamp from its own cache instead of a scan: it can be ordered below a completed write",
  'write-back-to-f': 'the write-back finishes once f memories (not f+1) are known to hold the value read',
  'write-back-to-responders-only': "a read writes back only to its step's responders: when the one lacking the max crashes, the read waits forever (a liveness mutant)",
  'fetch-one-memory': 'a read fetches at one memory only (the first that showed the word): when it crashes after its scan, every later fetch times out and the read never returns (a liveness mutant)',
} as const;

export type MaxRegisterMutant = keyof typeof maxRegisterMutants;
export type AbdMutant = keyof typeof abdMutants;
export type DmAbdMutant = keyof typeof dmAbdMutants;
export type SwarmMutant = MaxRegisterMutant | AbdMutant | DmAbdMutant;
