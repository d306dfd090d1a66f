/**
 * Typed errors of SWARM-KV's calls (spec swarm.md §6). v1's key space is
 * fixed at load time: a key the index does not bind is refused before any
 * write, so `UnknownKey` means the call certainly took no effect (recorded
 * as `fail`).
 */
export class UnknownKey extends Error {
  readonly code = 'unknown-key';

  constructor(
    readonly operation: string,
    readonly key: string,
  ) {
    super(`unknown-key: ${operation} of key ${JSON.stringify(key)} refused: the key space loaded before the run does not hold it (v1 has no inserts); it took no effect`);
    this.name = 'UnknownKey';
  }
}

/**
 * The client stopped: an earlier put needed a timestamp beyond 40 bits
 * (spec §3, `ts-exhausted`: fail-stop, never wrap) or ended with an unknown
 * outcome, which its history keeps outstanding forever.
 */
export class SwarmKvStopped extends Error {
  constructor(
    readonly operation: string,
    readonly reason: string,
  ) {
    super(`${operation} refused: this SWARM-KV client stopped (${reason}); create a client with a fresh writer id, or redeploy with a new epoch`);
    this.name = 'SwarmKvStopped';
  }
}
