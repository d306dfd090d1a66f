/**
 * Typed errors of the fabric contract. Note what is absent: there is no
 * "memory crashed" error. A crashed memory simply never answers, and a caller
 * learns of it only through a timeout, as over a real network; an error that
 * said "crashed" would hand protocols a perfect failure detector.
 */

export type FabricErrorCode = 'permission-denied' | 'timed-out' | 'bad-address' | 'quorum-failed';

export abstract class FabricError extends Error {
  abstract readonly code: FabricErrorCode;
}

/** The verb lacked permission; it changed nothing at the memory. */
export class PermissionDenied extends FabricError {
  readonly code = 'permission-denied' as const;
  constructor(
    readonly memory: number,
    readonly region: string,
    readonly verb: string,
    readonly process: number,
    /** The memory's reason (a refused permission request says which rule refused it, e.g. both proposal numbers). */
    readonly reason?: string,
  ) {
    super(`permission denied: p${process} may not ${verb} region '${region}' on m${memory}${reason === undefined ? '' : ` (${reason})`}`);
    this.name = 'PermissionDenied';
  }
}

/** No answer within the caller's timeout. The operation may still take effect later. */
export class TimedOut extends FabricError {
  readonly code = 'timed-out' as const;
  constructor(
    readonly what: string,
    readonly timeout: number,
  ) {
    super(`timed out after ${timeout}: ${what}`);
    this.name = 'TimedOut';
  }
}

/** The address or length lies outside the region, is misaligned, or names no region. */
export class BadAddress extends FabricError {
  readonly code = 'bad-address' as const;
  constructor(message: string) {
    super(message);
    this.name = 'BadAddress';
  }
}

/** Too many of a quorum's operations failed for it to ever reach its count. */
export class QuorumFailed extends FabricError {
  readonly code = 'quorum-failed' as const;
  constructor(
    readonly needed: number,
    readonly total: number,
    readonly errors: readonly { readonly index: number; readonly error: unknown }[],
  ) {
    const first = errors[0]?.error;
    const reason = first instanceof Error ? first.message : String(first);
    super(`quorum failed: needed ${needed} of ${total}, ${errors.length} failed (first: ${reason})`);
    this.name = 'QuorumFailed';
  }
}
