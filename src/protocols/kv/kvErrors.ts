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
