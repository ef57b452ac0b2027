// verifyTotp / verifyHotp / the Totp class: offsets (0 is 0, not null), windows, malformed codes.
import { test } from './harness.mjs';
import { assert } from './assert.mjs';
import * as full from 'totp-wasm';
import * as otp from 'totp-wasm/otp';
import { ENTRIES } from './entries.mjs';
import { ascii, base32, refHotp, refTotp, throwsCode } from './reference.mjs';

const KEY = ascii('12345678901234567890');
const SECRET = base32(KEY);
const T = 1_700_000_000;

for (const [entryName, lib] of ENTRIES) {
  test(`${entryName}: verifyTotp returns the matching step offset`, () => {
    const now = refTotp(KEY, T);
    const offset = lib.verifyTotp(SECRET, now, { time: T });
    assert.strictEqual(offset, 0, 'the current code gives 0 (not null, not undefined)');
    assert.notStrictEqual(offset, null);
    assert.strictEqual(lib.verifyTotp(SECRET, refTotp(KEY, T - 30), { time: T }), -1);
    assert.strictEqual(lib.verifyTotp(SECRET, refTotp(KEY, T + 30), { time: T }), 1);
    // Outside the default window of 1.
    assert.strictEqual(lib.verifyTotp(SECRET, refTotp(KEY, T + 60), { time: T }), null);
    assert.strictEqual(lib.verifyTotp(SECRET, refTotp(KEY, T - 60), { time: T }), null);
    // Wider and narrower windows.
    assert.strictEqual(lib.verifyTotp(SECRET, refTotp(KEY, T + 60), { time: T, window: 2 }), 2);
    assert.strictEqual(lib.verifyTotp(SECRET, refTotp(KEY, T - 300), { time: T, window: 10 }), -10);
    assert.strictEqual(lib.verifyTotp(SECRET, refTotp(KEY, T - 30), { time: T, window: 0 }), null);
    assert.strictEqual(lib.verifyTotp(SECRET, now, { time: T, window: 0 }), 0);
  });

  test(`${entryName}: verifyTotp with options (SHA256, 8 digits, period 60)`, () => {
    const opts = { algorithm: 'SHA256', digits: 8, period: 60 };
    const code = refTotp(KEY, T - 60, opts);
    assert.strictEqual(lib.verifyTotp(KEY, code, { ...opts, time: T }), -1);
    assert.strictEqual(lib.verifyTotp(KEY, code, { time: T }), null, '8 digits do not verify as 6');
  });

  test(`${entryName}: verifyHotp returns how far ahead the code was`, () => {
    assert.strictEqual(lib.verifyHotp(SECRET, '755224', 0), 0);
    assert.strictEqual(lib.verifyHotp(SECRET, refHotp(KEY, 5), 5), 0);
    assert.strictEqual(lib.verifyHotp(SECRET, refHotp(KEY, 7), 5), null, 'lookAhead defaults to 0');
    assert.strictEqual(lib.verifyHotp(SECRET, refHotp(KEY, 7), 5, { lookAhead: 2 }), 2);
    assert.strictEqual(lib.verifyHotp(SECRET, refHotp(KEY, 7), 5, { lookAhead: 1 }), null);
    assert.strictEqual(lib.verifyHotp(SECRET, refHotp(KEY, 4), 5, { lookAhead: 10 }), null, 'never behind');
    assert.strictEqual(lib.verifyHotp(SECRET, refHotp(KEY, 105), 5, { lookAhead: 100 }), 100);
    const big = 2n ** 60n;
    assert.strictEqual(lib.verifyHotp(SECRET, refHotp(KEY, big + 3n), big, { lookAhead: 3 }), 3);
  });

  test(`${entryName}: malformed codes are simply not valid (null)`, () => {
    const code = refTotp(KEY, T);
    const fullwidth = [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    for (const bad of ['', '12345', '1234567', 'abcdef', '１２３４５６', fullwidth, `${code} `, '12 345', '-12345', '+12345', '٠١٢٣٤٥']) {
      assert.strictEqual(lib.verifyTotp(SECRET, bad, { time: T }), null, JSON.stringify(bad));
      assert.strictEqual(lib.verifyHotp(SECRET, bad, 0), null, JSON.stringify(bad));
    }
    assert.strictEqual(lib.verifyTotp(SECRET, code.slice(0, 5), { time: T }), null);
  });

  test(`${entryName}: a code given as a number is INVALID_ARGUMENT`, () => {
    throwsCode(assert, full.OtpError, () => lib.verifyTotp(SECRET, 755224, { time: T }), 'INVALID_ARGUMENT');
    throwsCode(assert, full.OtpError, () => lib.verifyHotp(SECRET, 755224, 0), 'INVALID_ARGUMENT');
    throwsCode(assert, full.OtpError, () => lib.verifyTotp(SECRET, undefined, { time: T }), 'INVALID_ARGUMENT');
  });
}

test('Totp class: generate, verify, free', () => {
  const gen = new full.Totp(SECRET);
  try {
    assert.equal(gen.generate(T), refTotp(KEY, T));
    assert.equal(gen.generate(T + 29.5), refTotp(KEY, T + 29));
    const current = gen.generate();
    assert.match(current, /^\d{6}$/);
    assert.strictEqual(gen.verify(refTotp(KEY, T), { time: T }), 0);
    assert.strictEqual(gen.verify(refTotp(KEY, T - 30), { time: T }), -1);
    assert.strictEqual(gen.verify(refTotp(KEY, T - 60), { time: T }), null);
    assert.strictEqual(gen.verify(refTotp(KEY, T - 60), { time: T, window: 2 }), -2);
    assert.strictEqual(gen.verify('abcdef', { time: T }), null);
    throwsCode(assert, full.OtpError, () => gen.verify(123456, { time: T }), 'INVALID_ARGUMENT');
    throwsCode(assert, full.OtpError, () => gen.generate(-1), 'INVALID_TIME');
  } finally {
    gen.free();
  }
  const opts = { algorithm: 'SHA512', digits: 10, period: 45 };
  const gen2 = new otp.Totp(KEY, opts);
  assert.equal(gen2.generate(T), refTotp(KEY, T, opts));
  gen2.free();
  throwsCode(assert, full.OtpError, () => new otp.Totp('!!'), 'INVALID_SECRET');
  throwsCode(assert, full.OtpError, () => new full.Totp(SECRET, { digits: 3 }), 'INVALID_DIGITS');
});

test('many Totp objects can be created and freed', () => {
  for (let i = 0; i < 2000; i++) {
    const g = new otp.Totp(SECRET, { period: 30 });
    assert.equal(g.generate(i * 30), refTotp(KEY, i * 30));
    g.free();
  }
});
