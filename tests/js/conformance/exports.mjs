// Both package entries export the documented API; `totp-wasm/core` has no QR rendering; the
// one OtpError class is shared by both entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as full from 'totp-wasm';
import * as core from 'totp-wasm/core';
import { throwsCode } from './support/reference.mjs';

const FUNCTIONS = [
  'generateSecret',
  'totp',
  'hotp',
  'verifyTotp',
  'verifyHotp',
  'remainingSeconds',
  'buildUri',
  'parseUri',
  // Verifier policy (enrollment, several authenticators, replay, throttling, recovery codes).
  'newState',
  'describeState',
  'startEnrollment',
  'confirmEnrollment',
  'verifyCode',
  'renameFactor',
  'removeFactor',
  'disableTwoFactor',
  'generateRecoveryCodes',
  'useRecoveryCode',
  'useRemovalCode',
];
const CLASSES = ['Totp', 'OtpError'];
const QR = ['qrSvg', 'qrMatrix'];

test('totp-wasm exports the full API', (t) => {
  for (const name of [...FUNCTIONS, ...CLASSES, ...QR]) {
    assert.equal(typeof full[name], 'function', `totp-wasm exports ${name}`);
  }
  const extra = Object.keys(full).filter((k) => ![...FUNCTIONS, ...CLASSES, ...QR].includes(k));
  assert.deepEqual(extra, [], 'nothing else is exported (no init, initSync or default)');
});

test('totp-wasm/core exports the API without QR rendering', (t) => {
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

test('package.json maps both entries for every runtime condition', () => {
  const require = createRequire(import.meta.url);
  const pkgJsonPath = require.resolve('totp-wasm/package.json');
  const pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8'));
  assert.equal(pkg.name, 'totp-wasm');
  assert.equal(pkg.type, 'module');
  for (const entry of ['.', './core']) {
    const map = pkg.exports?.[entry];
    assert.ok(map && typeof map === 'object', `exports["${entry}"] is a condition map`);
    for (const cond of ['types', 'workerd', 'worker', 'browser', 'node', 'deno', 'default']) {
      assert.ok(JSON.stringify(map).includes(`"${cond}"`), `exports["${entry}"] has condition ${cond}`);
    }
  }
  // Every file the conditions point at exists.
  const root = dirname(pkgJsonPath);
  const targets = JSON.stringify(pkg.exports).match(/"\.\/[^"]+"/g) ?? [];
  for (const target of new Set(targets.map((s) => s.slice(1, -1)))) {
    if (!target.includes('.') || target === './core') continue;
    assert.doesNotThrow(() => readFileSync(join(root, target)), `${target} exists`);
  }
});

test('the type declarations declare the API (QR only in the full entry)', () => {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('totp-wasm/package.json'));
  const fullDts = readFileSync(join(root, 'full', 'index.d.ts'), 'utf8');
  const coreDts = readFileSync(join(root, 'core', 'index.d.ts'), 'utf8');
  for (const name of [...FUNCTIONS, ...CLASSES]) {
    assert.match(fullDts, new RegExp(`\\b${name}\\b`), `full/index.d.ts declares ${name}`);
    assert.match(coreDts, new RegExp(`\\b${name}\\b`), `core/index.d.ts declares ${name}`);
  }
  for (const name of QR) {
    assert.match(fullDts, new RegExp(`\\b${name}\\b`), `full/index.d.ts declares ${name}`);
    assert.doesNotMatch(coreDts, new RegExp(`export[^\\n]*\\b${name}\\b`), `core/index.d.ts has no ${name}`);
  }
});
