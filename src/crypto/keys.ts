import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Ed25519 key pairs bound to process identities.
 *
 * In the simulator every key pair derives from the run's seed: process p's
 * 32-byte private seed is SHA-256("mnm/ed25519", run seed, p), turned into a
 * key with node:crypto through the fixed PKCS#8 prefix of an Ed25519 private
 * key. So the same seed gives the same keys and the same signatures
 * (Ed25519 signing is deterministic), and traces stay byte-identical. It
 * stands in for a PKI: a process body asks only for its own private key and
 * for everybody's public keys (adversary code too — it cannot sign for
 * another process).
 */

/** PKCS#8 DER of an Ed25519 private key, up to the 32 bytes of its seed (RFC 8410). */
const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

export const privateSeedLength = 32;
export const publicKeyLength = 32;

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The raw 32-byte public key. */
  readonly publicBytes: Uint8Array;
}

/** The 32-byte private seed of `process` in the run with `runSeed`. */
export function privateSeed(runSeed: number, process: number): Uint8Array {
  if (!Number.isSafeInteger(runSeed) || runSeed < 0) throw new RangeError(`run seed ${runSeed} must be a non-negative integer`);
  if (!Number.isInteger(process) || process < 0) throw new RangeError(`process ${process} must be a non-negative integer`);
  return new Uint8Array(createHash('sha256').update(`mnm/ed25519/${runSeed}/${process}`).digest());
}

/** A key pair from a 32-byte private seed. */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== privateSeedLength) throw new RangeError(`an Ed25519 private seed has ${privateSeedLength} bytes, got ${seed.length}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey, publicBytes: new Uint8Array(spki.subarray(spki.length - publicKeyLength)) };
}

/*
 * Importing a key through OpenSSL's decoder costs about 0.4 ms, far more than
 * a signature; sweeps run thousands of runs. Key pairs are a pure function of
 * (run seed, process), so they are memoised (bounded) — a cache, not shared
 * protocol state: every body would compute exactly the same keys itself.
 */
const cacheLimit = 512;
const cache = new Map<string, KeyPair>();

/** The key pair of `process` in the run with `runSeed` (memoised). */
export function runKeyPair(runSeed: number, process: number): KeyPair {
  const name = `${runSeed}/${process}`;
  const known = cache.get(name);
  if (known) return known;
  const pair = keyPairFromSeed(privateSeed(runSeed, process));
  if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value as string);
  cache.set(name, pair);
  return pair;
}
