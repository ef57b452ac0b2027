// Cross-check against the reference implementation of OATH Toolkit (oathtool) for random keys,
// times, counters and every algorithm/digits combination oathtool supports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { hotp, totp, verifyTotp } from 'totp-wasm';
import * as otp from 'totp-wasm/otp';
import { base32 } from '../conformance/reference.mjs';
import { missing, OATHTOOL, run } from './support/tools.mjs';

const why = missing(OATHTOOL, 'oathtool');
const KEY_BYTES = { SHA1: 20, SHA256: 32, SHA512: 64 };

test('TOTP agrees with oathtool (random keys and times, SHA1/SHA256/SHA512, 6-8 digits)', (t) => {
  if (why) return t.skip(why);
  // Fixed points (as in the oathtool manual) plus random ones, before and after 2038.
  const times = [0, 59, 1111111109, 2000000000, 2 ** 31, 2 ** 32 + 7, 20000000000];
  for (let i = 0; i < 6; i++) times.push(randomInt(0, 2 ** 34));
  let checked = 0;
  for (const algorithm of ['SHA1', 'SHA256', 'SHA512']) {
    for (const digits of [6, 7, 8]) {
      const key = randomBytes(KEY_BYTES[algorithm] - (checked % 3));
      const period = [30, 60, 1][checked % 3];
      for (const time of times) {
        const mode = algorithm === 'SHA1' ? '--totp' : `--totp=${algorithm.toLowerCase()}`;
        const expected = run(OATHTOOL, [mode, '-d', String(digits), '-s', `${period}s`, '--now', `@${time}`, key.toString('hex')]);
        const opts = { algorithm, digits, period, time };
        assert.equal(totp(key, opts), expected, `${algorithm}/${digits}/${period}s at ${time}, key ${key.toString('hex')}`);
        assert.equal(otp.totp(base32(key), opts), expected);
        assert.strictEqual(verifyTotp(key, expected, opts), 0);
        checked++;
      }
    }
  }
  t.diagnostic(`${checked} TOTP values compared with oathtool`);
});

test('TOTP with a date string, as in the oathtool manual', (t) => {
  if (why) return t.skip(why);
  const key = randomBytes(32);
  const expected = run(OATHTOOL, ['--totp=sha256', '-d', '8', '--now', '2033-05-18 03:33:20 UTC', key.toString('hex')]);
  assert.equal(totp(key, { algorithm: 'SHA256', digits: 8, time: Date.UTC(2033, 4, 18, 3, 33, 20) / 1000 }), expected);
  assert.equal(Date.UTC(2033, 4, 18, 3, 33, 20) / 1000, 2000000000);
});

test('HOTP agrees with oathtool (random keys, counters up to 2^64 - 1)', (t) => {
  if (why) return t.skip(why);
  const counters = [0n, 1n, 9n, 2n ** 31n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];
  for (let i = 0; i < 4; i++) counters.push(BigInt(randomInt(0, 2 ** 47)));
  let checked = 0;
  for (const counter of counters) {
    const key = randomBytes([10, 16, 20, 32][checked % 4]);
    const digits = [6, 7, 8][checked % 3];
    const expected = run(OATHTOOL, ['-c', counter.toString(), '-d', String(digits), key.toString('hex')]);
    assert.equal(hotp(key, counter, { digits }), expected, `counter ${counter}, key ${key.toString('hex')}`);
    if (counter <= BigInt(Number.MAX_SAFE_INTEGER)) {
      assert.equal(hotp(base32(key), Number(counter), { digits }), expected);
    }
    checked++;
  }
  t.diagnostic(`${checked} HOTP values compared with oathtool`);
});
