import { sign as ed25519Sign, verify as ed25519Verify, type KeyObject } from 'node:crypto';
import { runKeyPair } from './keys.js';
import { statementBytes, type Statement } from './statement.js';

export const signatureLength = 64;

/** Signatures one process made and checked. */
export interface SignatureCounters {
  /** Signatures created. */
  made: number;
  /** Verifications performed (valid or not). */
  verified: number;
  /** Verifications that failed: forged, for another statement, or malformed. */
  rejected: number;
}

/** Where a process's keys come from: its own private key and everybody's public keys. */
export interface KeySource {
  privateKey(process: number): KeyObject;
  publicKey(process: number): KeyObject;
}

/** Keys derived from a simulator run's seed (see keys.ts). */
export function runKeys(runSeed: number): KeySource {
  return {
    privateKey: (process) => runKeyPair(runSeed, process).privateKey,
    publicKey: (process) => runKeyPair(runSeed, process).publicKey,
  };
}

/**
 * One process's signing identity with counters. `sign` signs a statement as
 * this process; `verify` checks a signature as made by `signer` over a
 * statement. Nothing else can produce a signature that verifies as another
 * process: a Byzantine process holds only its own `Signer`.
 */
export class Signer {
  readonly counters: SignatureCounters = { made: 0, verified: 0, rejected: 0 };
  private ownKey: KeyObject | undefined;

  constructor(
    readonly self: number,
    private readonly keys: KeySource,
    /** The processes whose signatures exist (verifying a signature of anyone else fails). */
    readonly processCount: number,
  ) {}

  sign(statement: Statement): Uint8Array {
    this.ownKey ??= this.keys.privateKey(this.self);
    this.counters.made++;
    return new Uint8Array(ed25519Sign(null, statementBytes(statement), this.ownKey));
  }

  /** Whether `signature` is `signer`'s over `statement`; counts the check. */
  verify(signer: number, statement: Statement, signature: Uint8Array): boolean {
    this.counters.verified++;
    const valid =
      Number.isInteger(signer) &&
      signer >= 0 &&
      signer < this.processCount &&
      signature.length === signatureLength &&
      ed25519Verify(null, statementBytes(statement), this.keys.publicKey(signer), signature);
    if (!valid) this.counters.rejected++;
    return valid;
  }
}
