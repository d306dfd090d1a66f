import { LogFull } from '../common/logErrors.js';
import type { ReplicatedLog } from '../common/replicatedLog.js';

/** A log that reached its end with no entry in it: only no-ops and repeats were decided, so there is no decision to return. */
export class NoEntryDecided extends Error {
  constructor() {
    super('the log filled up without a single entry (only no-ops and repeats were decided)');
    this.name = 'NoEntryDecided';
  }
}

/**
 * Single-decree consensus as the one-entry case of a replicated log: every
 * process appends its input to a log sized with one entry, and the decision
 * is the log's entry 0.
 *
 * The process Ω trusts proposes its own append at index 0 (or, after a
 * leader change, what its phase 1 found accepted there); every other
 * process's append is forwarded to it and, once index 0 is decided, refused
 * with `LogFull`. That refusal still carries the answer: a full log has
 * decided every index, and delivery is in index order, so entry 0 is in
 * `decided` (with one entry there are no gaps, hence no no-ops). If the
 * append itself succeeded, at whatever index, entry 0 was delivered first.
 * Any other error (a closed log, an oversized value) is the caller's.
 */
export async function propose(log: ReplicatedLog, value: Uint8Array): Promise<Uint8Array> {
  try {
    await log.append(value);
  } catch (error) {
    if (!(error instanceof LogFull)) throw error;
  }
  const first = log.decided[0];
  if (first === undefined) throw new NoEntryDecided();
  return first.value;
}
