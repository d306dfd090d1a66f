import { createHash, sign, type KeyObject } from 'node:crypto';

/**
 * A self-signed X.509 v3 certificate for an Ed25519 key, DER-encoded by
 * hand (RFC 5280, RFC 8410): `node:crypto` can read certificates but not
 * make them, and a certificate here carries nothing a peer trusts — each
 * end of a tls connection pins the public key the cluster file gives for
 * the other, and TLS 1.3 proves possession of the key in its handshake
 * (CertificateVerify). So the certificate is only the envelope that
 * carries the public key: subject and issuer are the node's name, the
 * validity is fixed (2000 to 9999) and the serial number is derived from
 * the key, which makes the certificate a function of the key and the name
 * (Ed25519 signatures are deterministic).
 */
export function selfSignedCertificate(name: string, publicKey: KeyObject, privateKey: KeyObject): Buffer {
  if (publicKey.asymmetricKeyType !== 'ed25519' || privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`certificate for '${name}': keys must be Ed25519`);
  const subjectPublicKeyInfo = publicKey.export({ type: 'spki', format: 'der' });
  // 16 bytes of the key's hash, positive (top bit clear) and not starting with a zero byte that DER would forbid.
  const serial = createHash('sha256').update(subjectPublicKeyInfo).digest().subarray(0, 16);
  serial[0] = (serial[0] & 0x7f) | 0x40;
  const distinguishedName = sequence(set(sequence(objectIdentifier(commonNameOid), tagged(0x0c, Buffer.from(name, 'utf8')))));
  const toBeSigned = sequence(
    tagged(0xa0, integer(Buffer.from([2]))), // [0] EXPLICIT version: v3
    integer(serial),
    ed25519Algorithm,
    distinguishedName,
    sequence(tagged(0x17, Buffer.from('000101000000Z')), tagged(0x18, Buffer.from('99991231235959Z'))),
    distinguishedName,
    subjectPublicKeyInfo,
  );
  const signature = sign(null, toBeSigned, privateKey);
  return sequence(toBeSigned, ed25519Algorithm, tagged(0x03, Buffer.concat([Buffer.from([0]), signature])));
}

/** The certificate in PEM, as `node:tls` takes it. */
export function certificatePem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** id-Ed25519, 1.3.101.112 (RFC 8410): the AlgorithmIdentifier has no parameters. */
const ed25519Oid = [1, 3, 101, 112];
/** id-at-commonName, 2.5.4.3. */
const commonNameOid = [2, 5, 4, 3];

/** DER length octets: short form below 128, else the long form with the fewest bytes. */
export function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tagged(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

function sequence(...items: Buffer[]): Buffer {
  return tagged(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tagged(0x31, Buffer.concat(items));
}

/** A non-negative INTEGER from its big-endian bytes (a leading zero keeps a high first bit from reading as negative). */
function integer(bytes: Buffer): Buffer {
  return tagged(0x02, bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

export function objectIdentifier(arcs: readonly number[]): Buffer {
  const bytes = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const base128: number[] = [arc & 0x7f];
    for (let rest = arc >>> 7; rest > 0; rest >>>= 7) base128.unshift(0x80 | (rest & 0x7f));
    bytes.push(...base128);
  }
  return tagged(0x06, Buffer.from(bytes));
}

const ed25519Algorithm = sequence(objectIdentifier(ed25519Oid));
