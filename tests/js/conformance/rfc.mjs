// The published test vectors: RFC 4226 Appendix D (HOTP) and RFC 6238 Appendix B (TOTP), read
// from tests/data/, with the secret given as bytes and as base32 text, through every entry.
import { test } from './harness.mjs';
import { assert } from './assert.mjs';
import * as full from 'totp-wasm';
import { ascii, base32, refHotp, refTotp } from './reference.mjs';
import { RFC4226, RFC6238 } from './data.mjs';
import { ENTRIES } from './entries.mjs';

const RFC4226_SECRET = ascii('12345678901234567890');

const SECRET_FORMS = {
  bytes: (b) => b,
  base32: (b) => base32(b),
};

for (const [entryName, lib] of ENTRIES) {
  for (const [form, toSecret] of Object.entries(SECRET_FORMS)) {
    test(`${entryName}: RFC 4226 Appendix D HOTP values, tests/data/rfc4226.txt (secret as ${form})`, () => {
      assert.ok(RFC4226.length >= 20, `${RFC4226.length} vectors read`);
      for (const v of RFC4226) {
        const options = { algorithm: v.algorithm, digits: v.digits };
        const counter = Number(v.moving);
        assert.equal(lib.hotp(toSecret(v.key), counter, options), v.code, `line ${v.line}`);
        assert.equal(lib.hotp(toSecret(v.key), v.moving, options), v.code, `line ${v.line} (bigint)`);
        // The vectors agree with the independent reference.
        assert.equal(refHotp(v.key, counter, options), v.code);
      }
    });

    test(`${entryName}: RFC 6238 Appendix B TOTP values, tests/data/rfc6238.txt (secret as ${form})`, () => {
      assert.ok(RFC6238.length >= 18, `${RFC6238.length} vectors read`);
      for (const v of RFC6238) {
        const options = { algorithm: v.algorithm, digits: v.digits, period: v.period };
        const time = Number(v.moving);
        assert.equal(lib.totp(toSecret(v.key), { ...options, time }), v.code, `line ${v.line}: ${v.algorithm} at ${time}`);
        assert.equal(refTotp(v.key, time, options), v.code);
      }
    });
  }
}

test('the Totp class reproduces RFC 6238 Appendix B (tests/data/rfc6238.txt)', () => {
  for (const v of RFC6238) {
    const gen = new full.Totp(v.key, { algorithm: v.algorithm, digits: v.digits, period: v.period });
    try {
      assert.equal(gen.generate(Number(v.moving)), v.code, `line ${v.line}`);
    } finally {
      gen.free();
    }
  }
});

test('lenient base32 secrets give the same codes (case, spaces, hyphens, padding)', () => {
  const canonical = base32(RFC4226_SECRET); // GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
  const grouped = canonical.match(/.{1,4}/g);
  const variants = [
    canonical,
    canonical.toLowerCase(),
    grouped.join(' '),
    grouped.join('-'),
    grouped.join(' ').toLowerCase(),
  ];
  for (const v of variants) assert.equal(full.hotp(v, 1), '287082', JSON.stringify(v));
  // 11 bytes: 18 base32 characters, padded with six '=' to 24.
  const key11 = ascii('hello world');
  const unpadded = base32(key11);
  assert.equal(unpadded.length, 18);
  assert.equal(full.hotp(`${unpadded}======`, 3), refHotp(key11, 3));
  assert.equal(full.hotp(unpadded, 3), refHotp(key11, 3));
  // An 80-bit secret, as some services issue: an authenticator accepts it.
  const key10 = ascii('0123456789');
  assert.equal(full.totp(base32(key10), { time: 1234567890 }), refTotp(key10, 1234567890));
});

test('digits 6 to 10 are zero-padded and match the reference', () => {
  for (const digits of [6, 7, 8, 9, 10]) {
    for (const counter of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      const got = full.hotp(RFC4226_SECRET, counter, { digits });
      assert.equal(got.length, digits);
      assert.equal(got, refHotp(RFC4226_SECRET, counter, { digits }));
    }
  }
});
