// Independent reference helpers for the JS suite: RFC 4226/6238 computed with node:crypto and
// an RFC 4648 base32 encoder, so expected values do not come from the package under test.
import { createHmac } from 'node:crypto';

const NODE_ALG = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

/** RFC 4226 HOTP with node:crypto; counter is a bigint or a safe integer. */
export function refHotp(key, counter, { algorithm = 'SHA1', digits = 6 } = {}) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(NODE_ALG[algorithm], Buffer.from(key)).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = mac.readUInt32BE(off) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 TOTP with node:crypto. */
export function refTotp(key, time, { algorithm = 'SHA1', digits = 6, period = 30 } = {}) {
  return refHotp(key, BigInt(Math.floor(time / period)), { algorithm, digits });
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, uppercase, without padding. */
export function base32(bytes) {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

/** RFC 4648 base32 decoding (uppercase, no padding); throws on anything else. */
export function unbase32(text) {
  const out = [];
  let acc = 0;
  let bits = 0;
  for (const c of text) {
    const v = B32.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${JSON.stringify(c)}`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
      acc &= (1 << bits) - 1;
    }
  }
  return Uint8Array.from(out);
}

export const ascii = (s) => new TextEncoder().encode(s);

/** The RFC 6238 Appendix B seeds: the ASCII digits repeated to 20, 32 and 64 bytes. */
export const RFC6238_SEEDS = {
  SHA1: ascii('12345678901234567890'),
  SHA256: ascii('12345678901234567890123456789012'),
  SHA512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
};

/**
 * Asserts that fn throws an OtpError with the given code (and is an Error); returns it.
 * @param {Function} OtpError the class the error must be an instance of
 */
export function throwsCode(assert, OtpError, fn, code) {
  let caught;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected an OtpError ${code}, nothing was thrown`);
  assert.ok(caught instanceof Error, `expected an Error, got ${Object.prototype.toString.call(caught)}: ${caught}`);
  assert.ok(caught instanceof OtpError, `expected an OtpError ${code}, got ${caught?.name}: ${caught?.message}`);
  assert.equal(caught.code, code, `expected code ${code}, got ${caught.code}: ${caught.message}`);
  assert.equal(caught.name, 'OtpError');
  assert.equal(typeof caught.message, 'string');
  assert.ok(caught.message.length > 0, 'an OtpError has a message');
  return caught;
}
