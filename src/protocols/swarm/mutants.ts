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

/** Safe-Guess (spec swarm.md §8): each breaks one line of safeGuess.ts, safeGuessDecide.ts, timestampClock.ts or (checksum-without-ts, a switch of the memory layer) entry.ts. */
export const safeGuessMutants = {
  'lock-lowers-notif': "a reader's lock CASes notif[c] from a cached n_s above id(x) down to id(x) instead of saying *later*: notif decreases, and a writer's W2 can miss an established lock (F4)",
  'fence-with-own-word': "W2's fence is the writer's own new VERIFIED word (value v) instead of a copy of m: v lands above m though x may stand for a reader",
  'stale-guess-without-lock': 'a write whose x is the max at none of its W1 responders skips W2 and goes to W3: a reader may have locked x elsewhere, and y puts v above a later write',
  'notif-of-conflicting-word': "W2 reads notif[writer(m)] and stands at x when it equals id(m) (as the public artifact does): a lock on someone else's m says nothing about x",
  'notify-on-first-sight': 'a reader locks a GUESSED max the first time it sees it, not after two consecutive scans: one scan is no certificate (F3)',
  'same-writer-returns-latest': "the same-writer exit returns m's value (fetched) instead of seen[c]'s: m's write has not returned",
  'read-without-write-back': 'a read returns a VERIFIED max without writing it back to f+1 memories, and publishes no help: regular, not atomic',
  'ts-wraps': 'a ts past 40 bits is masked instead of stopping the client: the newest write becomes the smallest',
  'fetch-id-once': 'an operation fetches an id at most once: when its only holder memory crashes, a later step showing the id elsewhere cannot fetch it (a liveness mutant)',
  'checksum-without-ts': "the entries' checksum hashes the writer instead of the id (ts left out), on write and validate (a switch of the memory layer, entry.ts): a torn IP with x2's word over x1's sum and value passes for x2",
  'notif-any-key': "a lock's cached n_s is the largest notif[c] read at s for any record, not for this one: another key's notif makes the lock say *later*",
} as const;

export type SafeGuessMutant = keyof typeof safeGuessMutants;
