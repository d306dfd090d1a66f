import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { generateKeyPair, privateKeyObject, publicKeyObject, rawPublicKey } from './identity.js';
import { certificatePem, derLength, objectIdentifier, selfSignedCertificate } from './selfSignedCertificate.js';

describe('self-signed Ed25519 certificate', () => {
  it('is read by node:crypto as a certificate of that key, signed by it, named after the node', () => {
    const pair = generateKeyPair();
    const der = selfSignedCertificate('m3', publicKeyObject(pair.publicKey), privateKeyObject(pair));
    for (const input of [der, certificatePem(der)]) {
      const certificate = new X509Certificate(input);
      assert.equal(rawPublicKey(certificate.publicKey), pair.publicKey);
      assert.equal(certificate.subject, 'CN=m3');
      assert.equal(certificate.issuer, 'CN=m3');
      assert.ok(certificate.verify(publicKeyObject(pair.publicKey)), 'self-signature verifies');
      assert.equal(new Date(certificate.validFrom).getUTCFullYear(), 2000);
      assert.equal(new Date(certificate.validTo).getUTCFullYear(), 9999);
    }
  });

  it('is a function of the key and the name, and another key does not verify it', () => {
    const pair = generateKeyPair();
    const other = generateKeyPair();
    const make = (name: string) => selfSignedCertificate(name, publicKeyObject(pair.publicKey), privateKeyObject(pair));
    assert.deepEqual(make('p0'), make('p0'));
    assert.notDeepEqual(make('p0'), make('p1'));
    assert.equal(new X509Certificate(make('p0')).verify(publicKeyObject(other.publicKey)), false);
  });

  it('refuses keys that are not Ed25519', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.throws(() => selfSignedCertificate('m0', publicKey, privateKey), /certificate for 'm0': keys must be Ed25519/);
  });

  it('encodes DER lengths and object identifiers by the rules', () => {
    assert.deepEqual([...derLength(0)], [0]);
    assert.deepEqual([...derLength(127)], [127]);
    assert.deepEqual([...derLength(128)], [0x81, 128]);
    assert.deepEqual([...derLength(300)], [0x82, 1, 44]);
    assert.deepEqual([...objectIdentifier([1, 3, 101, 112])], [0x06, 3, 0x2b, 0x65, 0x70]);
    // A multi-byte arc: 1.2.840.113549 (rsadsi) is 2a 86 48 86 f7 0d.
    assert.deepEqual([...objectIdentifier([1, 2, 840, 113549])], [0x06, 6, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d]);
  });
});
