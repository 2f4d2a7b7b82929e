import crypto from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selfSignedCertificate } from '../../src/probes/tls-certificate';

test('a self-signed X.509 v3 certificate for one IP, signed by its own key, pinned by its key hash', () => {
  const made = selfSignedCertificate('127.0.0.1', 86_400_000);
  const certificate = new crypto.X509Certificate(made.certPem);
  assert.is(certificate.subject, 'CN=gameday DNS-over-HTTPS');
  assert.is(certificate.subjectAltName, 'IP Address:127.0.0.1');
  assert.is(certificate.checkIP('127.0.0.1'), '127.0.0.1');
  assert.is(certificate.checkIP('127.0.0.2'), undefined);
  assert.ok(certificate.verify(certificate.publicKey), 'signed with its own key');
  assert.ok(certificate.checkPrivateKey(crypto.createPrivateKey(made.keyPem)), 'the key is the certificate’s');
  const validFor = Date.parse(certificate.validTo) - Date.parse(certificate.validFrom);
  assert.is(validFor, 86_400_000 + 3_600_000, 'from an hour ago (clock skew) for the time asked');
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  assert.is(made.spkiSha256, crypto.createHash('sha256').update(spki).digest('base64'));
  assert.is.not(selfSignedCertificate('127.0.0.1').spkiSha256, made.spkiSha256, 'a new key each time');
});

test('every certificate parses: its random serial is always a minimal positive DER INTEGER', () => {
  // A serial starting with a zero byte (1 in 256 before) was non-minimal DER that OpenSSL refuses.
  for (let made = 0; made < 300; made++) {
    const certificate = new crypto.X509Certificate(selfSignedCertificate('127.0.0.1').certPem);
    assert.match(certificate.serialNumber, /^[4-7][0-9A-F]{31}$/);
  }
});

test('only an IPv4 address', () => {
  assert.throws(() => selfSignedCertificate('localhost'), /IPv4/);
});

test.run();
