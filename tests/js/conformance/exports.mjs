// Each package entry exports exactly its documented API (api.mjs); the one OtpError class is
// shared by all of them. (The package.json and .d.ts checks need the file system:
// ../node/package.test.mjs.)
import { test } from './harness.mjs';
import { assert } from './assert.mjs';
import { throwsCode } from './reference.mjs';
import { CLASSES, ENTRY_EXTRAS, FUNCTIONS } from './api.mjs';
import { ENTRIES } from './entries.mjs';

const ALL = [...new Set(Object.values(ENTRY_EXTRAS).flat())];

for (const [name, lib] of ENTRIES) {
  test(`${name} exports its API and nothing else`, () => {
    const api = [...FUNCTIONS, ...CLASSES, ...ENTRY_EXTRAS[name]];
    for (const fn of api) assert.equal(typeof lib[fn], 'function', `${name} exports ${fn}`);
    for (const fn of ALL.filter((f) => !api.includes(f))) {
      assert.ok(!(fn in lib), `${name} must not export ${fn} (another entry's)`);
    }
    const extra = Object.keys(lib).filter((k) => !api.includes(k));
    assert.deepEqual(extra, [], 'nothing else is exported (no init, initSync or default)');
  });
}

test('every entry computes the same codes', () => {
  const [, first] = ENTRIES[0];
  const secret = first.generateSecret();
  for (const [name, lib] of ENTRIES) {
    for (const time of [0, 59, 1111111109, 2000000000]) {
      assert.equal(lib.totp(secret, { time }), first.totp(secret, { time }), `${name} at ${time}`);
    }
    assert.equal(lib.hotp(secret, 7), first.hotp(secret, 7), name);
  }
});

test('OtpError is one class, shared by every entry', () => {
  for (const [name, lib] of ENTRIES) {
    for (const [other, thrower] of ENTRIES) {
      assert.equal(lib.OtpError, thrower.OtpError, `${name} and ${other} export the same class object`);
      // An error thrown by one entry is an instance of the class exported by any other.
      const err = throwsCode(assert, lib.OtpError, () => thrower.totp('not!base32'), 'INVALID_SECRET');
      assert.equal(Object.getPrototypeOf(err), lib.OtpError.prototype);
      assert.equal(err.name, 'OtpError');
      assert.ok(typeof err.stack === 'string');
    }
  }
});

test('OtpError can be constructed and behaves like an Error', () => {
  const [[, otp], [, page]] = ENTRIES;
  const err = new page.OtpError('INVALID_ARGUMENT', 'something to fix');
  assert.ok(err instanceof Error);
  assert.ok(err instanceof otp.OtpError);
  assert.equal(err.name, 'OtpError');
  assert.equal(err.code, 'INVALID_ARGUMENT');
  assert.equal(err.message, 'something to fix');
  assert.match(String(err), /^OtpError: something to fix$/);
});

test('a Totp used after free() throws an OtpError (INVALID_ARGUMENT), in every entry', () => {
  for (const [name, lib] of ENTRIES) {
    const gen = new lib.Totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.equal(gen.generate(59), '287082', name);
    gen.free();
    const err = throwsCode(assert, lib.OtpError, () => gen.generate(59), 'INVALID_ARGUMENT');
    assert.match(err.message, /freed/);
    throwsCode(assert, lib.OtpError, () => gen.verify('287082', { time: 59 }), 'INVALID_ARGUMENT');
  }
});

test('totp-wasm/scan reads a Google Authenticator export (parseMigrationUri)', () => {
  const [, scan] = ENTRIES[3];
  // One TOTP account: secret 'Hello!' + 0xdeadbeef, "alice" at "Example", SHA1, 6 digits.
  const [account] = scan.parseMigrationUri('otpauth-migration://offline?data=CiAKCkhlbGxvId6tvu8SBWFsaWNlGgdFeGFtcGxlIAEoATACEAIYASAA');
  assert.equal(account.type, 'totp');
  assert.equal(account.account, 'alice');
  assert.equal(account.issuer, 'Example');
  assert.equal(account.secret, 'JBSWY3DPEHPK3PXP');
  throwsCode(assert, scan.OtpError, () => scan.parseMigrationUri('otpauth://totp/x?secret=AAAA'), 'INVALID_URI');
});
