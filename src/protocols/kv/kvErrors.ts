/**
 * Typed errors of the replicated store's calls. The difference matters to a
 * client and to the history: `KvOutcomeUnknown` means the command may still
 * take effect (recorded as `info`); `KvRejected` means it certainly did not
 * (recorded as `fail`).
 */
export class KvOutcomeUnknown extends Error {
  constructor(
    readonly operation: string,
    readonly key: string,
    reason: string,
  ) {
    super(`${operation} of key ${JSON.stringify(key)}: outcome unknown (${reason}); it may still take effect, once`);
    this.name = 'KvOutcomeUnknown';
  }
}

export class KvRejected extends Error {
  constructor(
    readonly operation: string,
    readonly key: string,
    reason: string,
  ) {
    super(`${operation} of key ${JSON.stringify(key)} refused: ${reason}; it took no effect`);
    this.name = 'KvRejected';
  }
}

export class KvClosed extends Error {
  constructor(operation: string) {
    super(`${operation} after close() (accepted: calls before close(); create a new store to continue)`);
    this.name = 'KvClosed';
  }
}

/**
 * A recording store's client whose call ended with an unknown outcome makes
 * no further calls: in its process's history that call stays outstanding
 * forever (Jepsen's convention, which the checker's pairing follows), and a
 * process has one call outstanding at a time.
 */
export class KvClientRetired extends Error {
  constructor(operation: string) {
    super(`${operation} refused: an earlier call of this client ended with an unknown outcome, which its history keeps outstanding forever (accepted: calls from another process's store, or a store with record: false)`);
    this.name = 'KvClientRetired';
  }
}
