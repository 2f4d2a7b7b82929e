import crypto from 'node:crypto';
import net from 'node:net';

/**
 * A throwaway self-signed certificate for a local TLS server (the browser probe's
 * DNS-over-HTTPS front), made with node:crypto alone: an EC P-256 key and a minimal X.509
 * v3 certificate, DER-encoded here, for one IP address. The client trusts it by its key's
 * SHA-256 (`spkiSha256`, what Chromium's --ignore-certificate-errors-spki-list takes), so
 * nothing else is trusted along with it and nothing is written to a trust store.
 */
export interface SelfSignedCertificate {
  keyPem: string;
  certPem: string;
  /** base64 of the SHA-256 of the DER SubjectPublicKeyInfo. */
  spkiSha256: string;
}

export function selfSignedCertificate(ip: string, validForMs = 7 * 86_400_000): SelfSignedCertificate {
  if (!net.isIPv4(ip)) throw new Error(`a certificate for an IPv4 address, got ${ip}`);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const name = sequence(set(sequence(oid('2.5.4.3'), utf8('gameday DNS-over-HTTPS'))));
  const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const now = Date.now();
  const serial = crypto.randomBytes(16);
  // Positive (top bit clear) and minimal: a zero first byte would be padding DER forbids, refused by OpenSSL.
  serial[0] = (serial[0] & 0x7f) | 0x40;
  const subjectAltName = sequence(tlv(0x87, Buffer.from(ip.split('.').map(Number)))); // [7] iPAddress
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // [0] version: v3
    integer(serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(now - 3_600_000), utcTime(now + validForMs)),
    name,
    spki,
    tlv(0xa3, sequence(sequence(oid('2.5.29.17'), tlv(0x04, subjectAltName)))), // [3] extensions
  );
  const signature = crypto.sign('sha256', tbs, privateKey);
  const der = sequence(tbs, ecdsaWithSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return {
    keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    certPem: `-----BEGIN CERTIFICATE-----\n${der
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')
      .trimEnd()}\n-----END CERTIFICATE-----\n`,
    spkiSha256: crypto.createHash('sha256').update(spki).digest('base64'),
  };
}

function tlv(tag: number, value: Buffer): Buffer {
  const length =
    value.length < 0x80
      ? Buffer.from([value.length])
      : value.length < 0x100
        ? Buffer.from([0x81, value.length])
        : Buffer.from([0x82, value.length >> 8, value.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, value]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));

function integer(bytes: Buffer): Buffer {
  // A leading 1 bit would read as negative: DER adds a zero byte.
  return tlv(0x02, bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** YYMMDDHHMMSSZ: UTCTime serves dates up to 2049. */
function utcTime(ms: number): Buffer {
  const text = new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return tlv(0x17, Buffer.from(text, 'ascii'));
}
