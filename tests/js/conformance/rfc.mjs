// The published test vectors: RFC 4226 Appendix D (HOTP) and RFC 6238 Appendix B (TOTP), with
// the secret given as bytes and as base32 text, through both entries.
import { test } from './harness.mjs';
import { assert } from './assert.mjs';
import * as full from 'totp-wasm';
import * as core from 'totp-wasm/core';
import { ascii, base32, RFC6238_SEEDS, refHotp, refTotp } from './reference.mjs';

const RFC4226_SECRET = ascii('12345678901234567890');
const RFC4226_HOTP = [
  '755224', '287082', '359152', '969429', '338314',
  '254676', '287922', '162583', '399871', '520489',
];

// RFC 6238 Appendix B: [time, SHA1, SHA256, SHA512], 8 digits, period 30.
const RFC6238_TOTP = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

const SECRET_FORMS = {
  bytes: (b) => b,
  base32: (b) => base32(b),
};

for (const [entryName, lib] of [['totp-wasm', full], ['totp-wasm/core', core]]) {
  for (const [form, toSecret] of Object.entries(SECRET_FORMS)) {
    test(`${entryName}: RFC 4226 Appendix D HOTP values (secret as ${form})`, () => {
      const secret = toSecret(RFC4226_SECRET);
      RFC4226_HOTP.forEach((expected, counter) => {
        assert.equal(lib.hotp(secret, counter), expected, `counter ${counter}`);
        assert.equal(lib.hotp(secret, BigInt(counter)), expected, `counter ${counter}n`);
        // The vectors agree with the independent reference.
        assert.equal(refHotp(RFC4226_SECRET, counter), expected);
      });
    });

    test(`${entryName}: RFC 6238 Appendix B TOTP values, all 18 (secret as ${form})`, () => {
      let checked = 0;
      for (const [time, ...codes] of RFC6238_TOTP) {
        ['SHA1', 'SHA256', 'SHA512'].forEach((algorithm, i) => {
          const secret = toSecret(RFC6238_SEEDS[algorithm]);
          const got = lib.totp(secret, { time, algorithm, digits: 8 });
          assert.equal(got, codes[i], `${algorithm} at ${time}`);
          assert.equal(refTotp(RFC6238_SEEDS[algorithm], time, { algorithm, digits: 8 }), codes[i]);
          checked++;
        });
      }
      assert.equal(checked, 18);
    });
  }
}

test('the Totp class reproduces RFC 6238 Appendix B', () => {
  for (const algorithm of ['SHA1', 'SHA256', 'SHA512']) {
    const gen = new full.Totp(RFC6238_SEEDS[algorithm], { algorithm, digits: 8 });
    try {
      const col = { SHA1: 1, SHA256: 2, SHA512: 3 }[algorithm];
      for (const row of RFC6238_TOTP) assert.equal(gen.generate(row[0]), row[col], `${algorithm} at ${row[0]}`);
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
