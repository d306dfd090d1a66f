import type { KeyObject } from 'node:crypto';
import type { ConnectionOptions, TlsOptions, TLSSocket } from 'node:tls';
import { privateKeyObject, publicKeyObject, rawPublicKey, type KeyPair } from './identity.js';
import { certificatePem, selfSignedCertificate } from './selfSignedCertificate.js';

/**
 * What one node presents in a mutual-TLS handshake: its Ed25519 key from the
 * cluster file and a self-signed certificate made from it
 * (selfSignedCertificate.ts). Nobody trusts the certificate as such: both
 * ends accept any certificate at the TLS layer and then pin the peer's key
 * against the cluster file (`peerPublicKey`). TLS 1.3 only, so the
 * handshake's CertificateVerify proves that the peer holds that key and
 * every record is sealed (AEAD with per-direction keys and implicit
 * sequence numbers: a changed, replayed, dropped or reordered record fails
 * to open, and the connection is dropped).
 */
export interface TlsCredentials {
  readonly name: string;
  readonly keyPem: string;
  readonly certificatePem: string;
}

export function tlsCredentials(name: string, pair: KeyPair): TlsCredentials {
  const privateKey = privateKeyObject(pair);
  const certificate = selfSignedCertificate(name, publicKeyObject(pair.publicKey), privateKey);
  return { name, keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, certificatePem: certificatePem(certificate) };
}

/** Options of a server that asks every client for its certificate (judged after the handshake, by key). */
export function serverTlsOptions(credentials: TlsCredentials): TlsOptions {
  return { key: credentials.keyPem, cert: credentials.certificatePem, minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: false };
}

/** Options of a client: its own certificate, and no chain or host-name check (the server's key is pinned instead). */
export function clientTlsOptions(credentials: TlsCredentials): ConnectionOptions {
  return { key: credentials.keyPem, cert: credentials.certificatePem, minVersion: 'TLSv1.3', rejectUnauthorized: false, checkServerIdentity: () => undefined };
}

/** The base64 raw Ed25519 key of the peer's certificate, or why there is none. */
export function peerPublicKey(socket: TLSSocket): { readonly key: string } | { readonly error: string } {
  const certificate = socket.getPeerX509Certificate();
  if (!certificate) return { error: 'presented no certificate' };
  const key: KeyObject = certificate.publicKey;
  if (key.asymmetricKeyType !== 'ed25519') return { error: `presented a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519` };
  return { key: rawPublicKey(key) };
}

/**
 * Whether a host is loopback. Frames to any other address cross a network
 * where anyone on the path could read, alter or inject them, so there TLS
 * is required (clusterSecurity.ts, runTcp's default).
 */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || /^::ffff:127\./i.test(host);
}
