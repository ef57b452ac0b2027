// Both package entries export the documented API; `totp-wasm/core` has no QR rendering; the
// one OtpError class is shared by both entries. (The package.json and .d.ts checks need the
// file system: ../node/package.test.mjs.)
import { test } from './harness.mjs';
import { assert } from './assert.mjs';
import * as full from 'totp-wasm';
import * as core from 'totp-wasm/core';
import { throwsCode } from './reference.mjs';
import { CLASSES, FUNCTIONS, QR } from './api.mjs';

test('totp-wasm exports the full API', () => {
  for (const name of [...FUNCTIONS, ...CLASSES, ...QR]) {
    assert.equal(typeof full[name], 'function', `totp-wasm exports ${name}`);
  }
  const extra = Object.keys(full).filter((k) => ![...FUNCTIONS, ...CLASSES, ...QR].includes(k));
  assert.deepEqual(extra, [], 'nothing else is exported (no init, initSync or default)');
});

test('totp-wasm/core exports the API without QR rendering', () => {
  for (const name of [...FUNCTIONS, ...CLASSES]) {
    assert.equal(typeof core[name], 'function', `totp-wasm/core exports ${name}`);
  }
  for (const name of QR) {
    assert.ok(!(name in core), `totp-wasm/core must not export ${name}`);
  }
  const extra = Object.keys(core).filter((k) => ![...FUNCTIONS, ...CLASSES].includes(k));
  assert.deepEqual(extra, [], 'nothing else is exported (no init, initSync or default)');
});

test('both entries compute the same codes', () => {
  const secret = full.generateSecret();
  for (const time of [0, 59, 1111111109, 2000000000]) {
    assert.equal(core.totp(secret, { time }), full.totp(secret, { time }));
  }
  assert.equal(core.hotp(secret, 7), full.hotp(secret, 7));
});

test('OtpError is one class, shared by both entries', () => {
  assert.equal(core.OtpError, full.OtpError, 'the same class object from both entries');
  // An error thrown by core is an instance of the class exported by full, and vice versa.
  const fromCore = throwsCode(assert, full.OtpError, () => core.totp('not!base32'), 'INVALID_SECRET');
  const fromFull = throwsCode(assert, core.OtpError, () => full.totp('not!base32'), 'INVALID_SECRET');
  assert.ok(fromCore instanceof Error);
  assert.ok(fromFull instanceof Error);
  assert.equal(Object.getPrototypeOf(fromCore), full.OtpError.prototype);
  assert.equal(fromCore.name, 'OtpError');
  assert.ok(typeof fromCore.stack === 'string');
});

test('OtpError can be constructed and behaves like an Error', () => {
  const err = new full.OtpError('INVALID_ARGUMENT', 'something to fix');
  assert.ok(err instanceof Error);
  assert.ok(err instanceof core.OtpError);
  assert.equal(err.name, 'OtpError');
  assert.equal(err.code, 'INVALID_ARGUMENT');
  assert.equal(err.message, 'something to fix');
  assert.match(String(err), /^OtpError: something to fix$/);
});
