// Input validation: every OtpError code is reachable, wrong types are INVALID_ARGUMENT (never a
// TypeError), counters cover the whole u64 range as bigint, times are Unix seconds.
import { test } from './harness.mjs';
import { assert } from './assert.mjs';
import * as full from 'totp-wasm';
import * as otp from 'totp-wasm/otp';
import { ascii, base32, refHotp, refTotp, throwsCode } from './reference.mjs';

const { OtpError } = full;
const KEY = ascii('12345678901234567890');
const SECRET = base32(KEY);
const throws = (fn, code) => throwsCode(assert, OtpError, fn, code);
/** For inputs the contract does not pin to one code: an OtpError with one of these codes. */
function throwsOneOf(fn, codes) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof OtpError, `expected an OtpError (${codes.join(' or ')}), got ${err}`);
  assert.ok(codes.includes(err.code), `expected ${codes.join(' or ')}, got ${err.code}: ${err.message}`);
  return err;
}

test('bigint counters cover the u64 range', () => {
  for (const c of [2n ** 32n, 2n ** 32n + 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]) {
    assert.equal(full.hotp(SECRET, c), refHotp(KEY, c), `counter ${c}n`);
    assert.equal(otp.hotp(KEY, c), refHotp(KEY, c), `otp, counter ${c}n`);
  }
  // The same counter as a number and as a bigint.
  assert.equal(full.hotp(SECRET, 2 ** 32), full.hotp(SECRET, 2n ** 32n));
  assert.equal(full.hotp(SECRET, Number.MAX_SAFE_INTEGER), refHotp(KEY, 2n ** 53n - 1n));
});

test('counters out of range are INVALID_COUNTER', () => {
  throws(() => full.hotp(SECRET, 2n ** 64n), 'INVALID_COUNTER');
  throws(() => full.hotp(SECRET, -1n), 'INVALID_COUNTER');
  throws(() => full.hotp(SECRET, -1), 'INVALID_COUNTER');
  throws(() => full.hotp(SECRET, 2 ** 53), 'INVALID_COUNTER'); // not a safe integer
  throws(() => full.hotp(SECRET, 1.5), 'INVALID_COUNTER');
  throws(() => full.hotp(SECRET, NaN), 'INVALID_COUNTER');
  throws(() => full.hotp(SECRET, Infinity), 'INVALID_COUNTER');
  throws(() => full.verifyHotp(SECRET, '755224', 2n ** 64n), 'INVALID_COUNTER');
  throws(() => full.buildUri({ type: 'hotp', secret: SECRET, account: 'a', counter: -1 }), 'INVALID_COUNTER');
});

test('a counter of the wrong type is INVALID_ARGUMENT', () => {
  throws(() => full.hotp(SECRET, '1'), 'INVALID_ARGUMENT');
  throws(() => full.hotp(SECRET, null), 'INVALID_ARGUMENT');
  throws(() => full.hotp(SECRET, {}), 'INVALID_ARGUMENT');
});

test('times: Unix seconds, fractions floored, invalid values rejected', () => {
  assert.equal(full.totp(SECRET, { time: 59.999 }), full.totp(SECRET, { time: 59 }));
  assert.equal(full.totp(SECRET, { time: 0 }), refTotp(KEY, 0));
  assert.equal(full.totp(SECRET, { time: 29.9 }), refTotp(KEY, 0));
  assert.equal(full.totp(SECRET, { time: 30 }), refTotp(KEY, 30));
  // After 2038 and after 2286 (10^10 seconds).
  assert.equal(full.totp(SECRET, { time: 2 ** 31 + 5 }), refTotp(KEY, 2 ** 31 + 5));
  assert.equal(full.totp(SECRET, { time: 10_000_000_000 }), refTotp(KEY, 10_000_000_000));
  for (const time of [-1, -0.5, NaN, Infinity, -Infinity]) {
    throws(() => full.totp(SECRET, { time }), 'INVALID_TIME');
  }
  throws(() => full.verifyTotp(SECRET, '123456', { time: -30 }), 'INVALID_TIME');
  throws(() => full.remainingSeconds({ time: NaN }), 'INVALID_TIME');
  for (const time of ['59', 59n, {}, true]) {
    throws(() => full.totp(SECRET, { time }), 'INVALID_ARGUMENT');
  }
});

test('without a time, the current time is used', () => {
  const before = Date.now() / 1000;
  const code = full.totp(SECRET);
  const after = Date.now() / 1000;
  assert.ok([refTotp(KEY, before), refTotp(KEY, after)].includes(code));
});

test('remainingSeconds is an integer in 1..=period', () => {
  assert.equal(full.remainingSeconds({ time: 0 }), 30);
  assert.equal(full.remainingSeconds({ time: 1 }), 29);
  assert.equal(full.remainingSeconds({ time: 29 }), 1);
  assert.equal(full.remainingSeconds({ time: 29.9 }), 1);
  assert.equal(full.remainingSeconds({ time: 30 }), 30);
  assert.equal(full.remainingSeconds({ time: 59, period: 60 }), 1);
  assert.equal(full.remainingSeconds({ time: 61, period: 60 }), 59);
  assert.equal(full.remainingSeconds({ time: 1234, period: 1 }), 1);
  for (let i = 0; i < 200; i++) {
    const time = Math.random() * 4e9;
    const period = 1 + Math.floor(Math.random() * 120);
    const r = full.remainingSeconds({ time, period });
    assert.ok(Number.isInteger(r) && r >= 1 && r <= period, `${r} for time ${time}, period ${period}`);
    assert.equal(r, period - (Math.floor(time) % period));
  }
  const now = full.remainingSeconds();
  assert.ok(Number.isInteger(now) && now >= 1 && now <= 30);
  assert.equal(otp.remainingSeconds({ time: 45 }), 15);
  throws(() => full.remainingSeconds({ period: 0 }), 'INVALID_PERIOD');
});

test('INVALID_ARGUMENT: wrong types and out-of-range options', () => {
  throws(() => full.generateSecret(15), 'INVALID_ARGUMENT');
  throws(() => full.generateSecret(65), 'INVALID_ARGUMENT');
  throws(() => full.generateSecret('20'), 'INVALID_ARGUMENT');
  throws(() => full.totp(12345), 'INVALID_ARGUMENT');
  throws(() => full.totp(null), 'INVALID_ARGUMENT');
  throws(() => full.totp(SECRET, 'SHA1'), 'INVALID_ARGUMENT');
  throws(() => full.verifyTotp(SECRET, 123456), 'INVALID_ARGUMENT');
  throws(() => full.verifyHotp(SECRET, 755224, 0), 'INVALID_ARGUMENT');
  throws(() => full.verifyTotp(SECRET, '123456', { window: 11 }), 'INVALID_ARGUMENT');
  throws(() => full.verifyTotp(SECRET, '123456', { window: -1 }), 'INVALID_ARGUMENT');
  throwsOneOf(() => full.verifyTotp(SECRET, '123456', { window: 1.5 }), ['INVALID_ARGUMENT']);
  throws(() => full.verifyHotp(SECRET, '123456', 0, { lookAhead: 101 }), 'INVALID_ARGUMENT');
  throws(() => full.verifyHotp(SECRET, '123456', 0, { lookAhead: -1 }), 'INVALID_ARGUMENT');
  throws(() => full.buildUri(), 'INVALID_ARGUMENT');
  throwsOneOf(() => full.buildUri({ secret: SECRET }), ['INVALID_ARGUMENT', 'INVALID_URI']);
  throws(() => full.parseUri(42), 'INVALID_ARGUMENT');
  throws(() => full.qrSvg(42), 'INVALID_ARGUMENT');
  throws(() => full.qrSvg('x', { ecc: 'X' }), 'INVALID_ARGUMENT');
  throws(() => full.qrSvg('x', { quietZone: 17 }), 'INVALID_ARGUMENT');
  throws(() => full.qrSvg('x', { quietZone: -1 }), 'INVALID_ARGUMENT');
  throws(() => full.qrSvg('x', { dark: 'red"/><script>alert(1)</script>' }), 'INVALID_ARGUMENT');
  throws(() => full.qrSvg('x', { light: "url('javascript:x')" }), 'INVALID_ARGUMENT');
  throws(() => full.qrMatrix('x', { ecc: 'm+' }), 'INVALID_ARGUMENT');
  throws(() => new full.Totp(12), 'INVALID_ARGUMENT');
});

test('generateSecret: base32 of 16..=64 random bytes, 20 by default', () => {
  const s = full.generateSecret();
  assert.match(s, /^[A-Z2-7]{32}$/);
  assert.equal(full.generateSecret(16).length, 26);
  assert.equal(full.generateSecret(64).length, 103);
  assert.equal(otp.generateSecret(32).length, 52);
  const seen = new Set(Array.from({ length: 50 }, () => full.generateSecret()));
  assert.equal(seen.size, 50, 'no repeats');
});

test('INVALID_SECRET names the bad character and its position', () => {
  const err = throws(() => full.totp('JBSWY3DP!HPK3PXP'), 'INVALID_SECRET');
  assert.match(err.message, /!/);
  assert.match(err.message, /\b8\b/);
  const err1 = throws(() => full.totp('JBSWY3DPE1PK3PXP'), 'INVALID_SECRET'); // '1' is not base32
  assert.match(err1.message, /1/);
  assert.match(err1.message, /\b9\b/);
  throws(() => full.totp(''), 'INVALID_SECRET');
  throwsOneOf(() => full.totp(new Uint8Array(0)), ['INVALID_SECRET', 'INVALID_ARGUMENT']);
  throws(() => otp.hotp('0OOO', 0), 'INVALID_SECRET');
});

test('INVALID_DIGITS, INVALID_PERIOD, INVALID_ALGORITHM', () => {
  for (const digits of [0, 5, 11, -6]) throws(() => full.totp(SECRET, { digits, time: 0 }), 'INVALID_DIGITS');
  for (const period of [0, -30]) throws(() => full.totp(SECRET, { period, time: 0 }), 'INVALID_PERIOD');
  // Not integers: the option's own code or INVALID_ARGUMENT.
  throwsOneOf(() => full.totp(SECRET, { digits: 6.5, time: 0 }), ['INVALID_DIGITS', 'INVALID_ARGUMENT']);
  throwsOneOf(() => full.totp(SECRET, { period: 1.5, time: 0 }), ['INVALID_PERIOD', 'INVALID_ARGUMENT']);
  throwsOneOf(() => full.totp(SECRET, { digits: '6', time: 0 }), ['INVALID_DIGITS', 'INVALID_ARGUMENT']);
  for (const algorithm of ['MD5', 'sha3', '']) throws(() => full.totp(SECRET, { algorithm, time: 0 }), 'INVALID_ALGORITHM');
  throws(() => full.hotp(SECRET, 0, { digits: 4 }), 'INVALID_DIGITS');
  throws(() => new full.Totp(SECRET, { period: 0 }), 'INVALID_PERIOD');
});

test('INVALID_URI for things that are not otpauth URIs', () => {
  for (const uri of [
    '',
    'https://example.com/',
    'otpauth://',
    'otpauth://totp/',
    'otpauth://xotp/a?secret=JBSWY3DPEHPK3PXP',
    'otpauth://totp/Issuer:alice', // no secret
    'otpauth://totp/A:alice?secret=JBSWY3DPEHPK3PXP&issuer=B', // issuers disagree
    'otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&digits=abc',
  ]) {
    let err;
    try {
      full.parseUri(uri);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof OtpError, `${uri} throws an OtpError`);
    // A bad parameter may also be reported with the parameter's own code.
    assert.ok(
      ['INVALID_URI', 'INVALID_DIGITS', 'INVALID_SECRET', 'INVALID_COUNTER'].includes(err.code),
      `${uri}: ${err.code}`,
    );
  }
  throws(() => full.parseUri('https://example.com/'), 'INVALID_URI');
  throws(() => full.parseUri('otpauth://totp/A:alice?secret=JBSWY3DPEHPK3PXP&issuer=B'), 'INVALID_URI');
});

test('QR_DATA_TOO_LONG when the text does not fit a QR code', () => {
  throws(() => full.qrSvg('x'.repeat(3000)), 'QR_DATA_TOO_LONG');
  throws(() => full.qrMatrix('x'.repeat(3000), { ecc: 'L' }), 'QR_DATA_TOO_LONG');
  throws(() => full.qrSvg('x'.repeat(1300), { ecc: 'H' }), 'QR_DATA_TOO_LONG');
});

test('RANDOM_UNAVAILABLE when the platform has no working CSPRNG', () => {
  const desc = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', {
    configurable: true,
    writable: true,
    value: {
      getRandomValues() {
        throw new Error('no entropy here');
      },
    },
  });
  try {
    throws(() => full.generateSecret(), 'RANDOM_UNAVAILABLE');
  } finally {
    // Where `crypto` is inherited (a getter on the global's prototype), removing the own
    // property restores it.
    if (desc) Object.defineProperty(globalThis, 'crypto', desc);
    else delete globalThis.crypto;
  }
  assert.match(full.generateSecret(), /^[A-Z2-7]{32}$/, 'works again once crypto is back');
});
