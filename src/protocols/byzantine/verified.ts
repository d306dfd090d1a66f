import { statementBytes, type Statement } from '../../crypto/index.js';

/**
 * The verdicts of a process's signature verifications, keyed by (signer,
 * statement, signature bytes), so that nothing is verified twice — each
 * verification costs CPU time.
 *
 * A signature that fails marks only those bytes, for that statement,
 * invalid: not the field's owner, not the signer. The same owner's or
 * signer's other signatures are judged on their own. (A reader cannot tell
 * a Byzantine owner's forgery from a torn copy that passed its CRC by
 * chance, and blacklisting the owner in the second case would silence a
 * correct process for good.) The price: a Byzantine owner that keeps
 * writing fresh forgeries makes each reader verify each of them once.
 */
export class VerifiedSignatures {
  private readonly verdicts = new Map<string, boolean>();

  private key(signer: number, statement: Statement, signature: Uint8Array): string {
    return `${signer}|${Buffer.from(statementBytes(statement)).toString('hex')}|${Buffer.from(signature).toString('hex')}`;
  }

  /** The verdict on these bytes, or undefined if never verified. */
  verdict(signer: number, statement: Statement, signature: Uint8Array): boolean | undefined {
    return this.verdicts.get(this.key(signer, statement, signature));
  }

  record(signer: number, statement: Statement, signature: Uint8Array, valid: boolean): void {
    this.verdicts.set(this.key(signer, statement, signature), valid);
  }

  get size(): number {
    return this.verdicts.size;
  }
}
