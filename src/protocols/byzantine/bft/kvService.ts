import { decodeKvCommand, type KvCommand } from '../../kv/kvCommand.js';
import { KvStateMachine, fnv1a64 } from '../../kv/kvStateMachine.js';

/**
 * The replicated key-value service the BFT replicas run: ops are encoded
 * KvCommands (protocols/kv/kvCommand.ts) naming their own client and
 * sequence number, which must be the request's (c, s) — a client signs
 * exactly the command it means. Deduplication is the replica's (last[c],
 * §2.4.8), so the machine applies every command it is given.
 */
export interface ReplicatedService {
  /** Whether `op` is a well-formed operation of request (c, s). */
  validOp(op: Uint8Array, client: number, sequence: number): boolean;
  /** Runs `op`, returning its result bytes (REPLY's result). */
  apply(op: Uint8Array): Uint8Array;
  /** The state's KV pairs (a checkpoint's snapshot). */
  pairs(): (readonly [string, string])[];
  /** Replaces the whole state with a snapshot's KV pairs (state transfer, §2.7.2). */
  install(pairs: readonly (readonly [string, string])[]): void;
}

const encoder = new TextEncoder();

export class KvService implements ReplicatedService {
  private readonly machine = new KvStateMachine({ dedup: false });

  /** `initial`: pairs every replica starts with (a preloaded store; none by default). */
  constructor(initial: readonly (readonly [string, string])[] = []) {
    if (initial.length > 0) this.install(initial);
  }

  validOp(op: Uint8Array, client: number, sequence: number): boolean {
    const command = decodeKvCommand(op);
    return command !== undefined && command.client === client && command.sequence === sequence;
  }

  apply(op: Uint8Array): Uint8Array {
    const command = decodeKvCommand(op) as KvCommand;
    const { result } = this.machine.apply(command);
    return result === null ? new Uint8Array() : encoder.encode(result);
  }

  pairs(): (readonly [string, string])[] {
    return this.machine.snapshot().data.map(([key, value]) => [key, value] as const);
  }

  install(pairs: readonly (readonly [string, string])[]): void {
    // No sessions: deduplication is the replica's client table, installed apart.
    this.machine.restore({ data: pairs, sessions: [], applied: 0 });
  }

  /** A digest of the KV pairs alone (not of how many commands ran), so a replica that installed a snapshot and one that executed the same prefix agree. */
  digest(): string {
    return fnv1a64(JSON.stringify(this.pairs()));
  }
}
