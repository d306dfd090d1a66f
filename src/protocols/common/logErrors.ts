/**
 * Typed errors of the replicated logs' library calls: each names what is
 * wrong and what is accepted. They are thrown before anything is written,
 * so a refused call leaves nothing half-written in memory.
 */
export class EntryTooLarge extends RangeError {
  constructor(
    readonly size: number,
    readonly capacity: number,
  ) {
    super(`log entry of ${size} bytes exceeds the entry capacity (accepted: at most ${capacity} bytes)`);
    this.name = 'EntryTooLarge';
  }
}

export class LogClosed extends Error {
  constructor(what: string) {
    super(`${what} after close() (accepted: calls before close(); create a new log to continue)`);
    this.name = 'LogClosed';
  }
}

export class LogFull extends Error {
  constructor(readonly entries: number) {
    super(`the log is full: all ${entries} entries are decided (accepted: a log sized with more entries; recycling is not supported)`);
    this.name = 'LogFull';
  }
}

export class UnknownMemory extends RangeError {
  constructor(
    readonly memory: number,
    readonly memoryCount: number,
  ) {
    super(`unknown memory m${memory} in the log's configuration (accepted: distinct memories m0..m${memoryCount - 1})`);
    this.name = 'UnknownMemory';
  }
}

export class InvalidLogConfig extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidLogConfig';
  }
}
