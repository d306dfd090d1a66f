import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { nonceBytes } from './wire.js';

/**
 * Ed25519 identities of processes (node:crypto). Keys are written as the
 * base64 of their raw 32 bytes: `publicKey` is the JWK `x`, `privateKey` the
 * JWK `d`. Key objects are made once (signing from a PEM string on every
 * call is ~12× slower, BASELINES.md).
 */
export interface KeyPair {
  readonly publicKey: string;
  readonly privateKey: string;
}

export function generateKeyPair(): KeyPair {
  // DER encodings straight from the generator, not KeyObject.export({format: 'jwk'}): a garbage
  // collection during that export once deadlocked a sweep's coordinator inside Node's crypto (a
  // key-generation job's destructor waiting on a lock the export held; docs/swarm.md). An Ed25519
  // SPKI DER ends with the raw 32-byte public key, a PKCS#8 DER with the raw 32-byte private key.
  const { publicKey, privateKey } = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } });
  return { publicKey: publicKey.subarray(publicKey.length - 32).toString('base64'), privateKey: privateKey.subarray(privateKey.length - 32).toString('base64') };
}

export function publicKeyObject(publicKey: string): KeyObject {
  const raw = Buffer.from(publicKey, 'base64');
  if (raw.length !== 32) throw new Error(`public key '${publicKey.slice(0, 12)}…' is ${raw.length} bytes, expected 32 (base64 of a raw Ed25519 key)`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toUrl(publicKey) }, format: 'jwk' });
}

export function privateKeyObject(pair: KeyPair): KeyObject {
  const raw = Buffer.from(pair.privateKey, 'base64');
  if (raw.length !== 32) throw new Error(`private key is ${raw.length} bytes, expected 32 (base64 of a raw Ed25519 key)`);
  return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toUrl(pair.publicKey), d: toUrl(pair.privateKey) }, format: 'jwk' });
}

export function newNonce(): Buffer {
  return randomBytes(nonceBytes);
}

/**
 * What a process signs to prove its identity to `target` (a memory node
 * `mK` or a process `pN`): a domain tag, the target's name, the nonce the
 * target chose for this connection, and the identity claimed. A signature
 * is good for one connection to one target only.
 */
export function challengeText(target: string, nonce: Uint8Array, process: number): Buffer {
  return Buffer.concat([Buffer.from(`mnm-auth-v1\0${target}\0p${process}\0`), nonce]);
}

export function signChallenge(key: KeyObject, target: string, nonce: Uint8Array, process: number): Buffer {
  return sign(null, challengeText(target, nonce, process), key);
}

export function verifyChallenge(key: KeyObject, target: string, nonce: Uint8Array, process: number, signature: Uint8Array): boolean {
  try {
    return verify(null, challengeText(target, nonce, process), key, signature);
  } catch {
    return false;
  }
}

/**
 * What a server signs to prove its own identity to a process that connected
 * (docs/wire.md): a domain tag of its own (a process's signature can never
 * pass for a server's), the server's name, the process it answers, the
 * nonce the process chose and the nonce the server chose. The process's
 * nonce makes the proof fresh: a recorded answer of the real node cannot be
 * played back by a stranger on its port.
 */
export function serverProofText(server: string, process: number, clientNonce: Uint8Array, serverNonce: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`mnm-server-v1\0${server}\0p${process}\0`), clientNonce, serverNonce]);
}

export function signServerProof(key: KeyObject, server: string, process: number, clientNonce: Uint8Array, serverNonce: Uint8Array): Buffer {
  return sign(null, serverProofText(server, process, clientNonce, serverNonce), key);
}

export function verifyServerProof(key: KeyObject, server: string, process: number, clientNonce: Uint8Array, serverNonce: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, serverProofText(server, process, clientNonce, serverNonce), key, signature);
  } catch {
    return false;
  }
}

/** The base64 of a public key's raw 32 bytes (the cluster file's spelling), from a key object. */
export function rawPublicKey(key: KeyObject): string {
  return fromUrl((key.export({ format: 'jwk' }) as { x: string }).x);
}

function toUrl(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromUrl(base64url: string): string {
  const padded = base64url.replace(/-/g, '+').replace(/_/g, '/');
  return padded + '='.repeat((4 - (padded.length % 4)) % 4);
}
