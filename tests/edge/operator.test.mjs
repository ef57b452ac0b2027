// The operator API's pure pieces (edge/operator.js): routes, `:user`, reasons, the reset hold
// minimum, the operator tokens and their constant-time check, the throttle and its shards.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  DEFAULT_MIN_RESET_DELAY,
  OPERATOR_GUARD_SHARDS,
  OPERATOR_THROTTLE,
  checkReason,
  decodeUserParam,
  encodeUserParam,
  matchOperatorRoute,
  minimumResetDelay,
  operatorClientAddress,
  operatorOf,
  operatorTokens,
  resetDelay,
  shardOf,
  throttleStep,
} from '../../edge/operator.js';

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64url');

test('the route table: four routes, 404 elsewhere, 405 with Allow for a wrong method', () => {
  const u = b64('alice');
  assert.equal(matchOperatorRoute('GET', ['operator', 'users', u]).route.rpc, 'operatorStatus');
  assert.equal(matchOperatorRoute('POST', ['operator', 'users', u, 'reset-2fa']).route.rpc, 'operatorReset');
  assert.equal(matchOperatorRoute('POST', ['operator', 'users', u, 'unlock']).route.rpc, 'operatorUnlock');
  const log = matchOperatorRoute('GET', ['operator', 'users', u, 'security-log']);
  assert.deepEqual([log.route.rpc, log.user], ['operatorSecurityLog', u]);
  assert.equal(matchOperatorRoute('GET', ['operator', 'users']).error.code, 'NOT_FOUND');
  assert.equal(matchOperatorRoute('GET', ['operator', 'users', u, 'delete']).error.code, 'NOT_FOUND');
  const wrong = matchOperatorRoute('GET', ['operator', 'users', u, 'reset-2fa']);
  assert.deepEqual([wrong.error.code, wrong.allow], ['METHOD_NOT_ALLOWED', 'POST']);
  // OPTIONS (a CORS preflight) is just a wrong method: no CORS.
  assert.equal(matchOperatorRoute('OPTIONS', ['operator', 'users', u]).error.code, 'METHOD_NOT_ALLOWED');
});

test(':user is base64url of the username: slashes, backslashes, leading dots and non-ASCII survive', () => {
  for (const name of ['a/b', 'back\\slash', '.hidden', '..', 'Zoë/../x', '日本']) {
    const encoded = encodeUserParam(name);
    assert.equal(encoded, b64(name));
    assert.match(encoded, /^[A-Za-z0-9_-]+$/);
    assert.equal(decodeUserParam(encoded), name.normalize('NFC').toLowerCase());
  }
  assert.equal(decodeUserParam(b64('Alice')), 'alice', 'normalised as at sign-in');
  for (const bad of ['', 'a+b', 'YQ==', '%2e%2e', b64('two  spaces'), b64('tab\there'), 'x'.repeat(401), Buffer.from([0xff, 0xfe]).toString('base64url')]) {
    assert.throws(() => decodeUserParam(bad), { code: 'INVALID_ARGUMENT' }, JSON.stringify(bad));
  }
});

test('a reason is 1-500 characters of one-line text; lookups may go without', () => {
  assert.equal(checkReason('Caller verified by video call, ticket 4711'), 'Caller verified by video call, ticket 4711');
  assert.equal(checkReason('é'.repeat(500)).length, 500);
  for (const bad of [undefined, null, 42, '', '   ', 'x'.repeat(501), 'two\nlines', 'nul\u0000', '\u2028']) {
    assert.throws(() => checkReason(bad), (e) => e.code === 'INVALID_ARGUMENT' && e.details.field === 'reason', JSON.stringify(bad));
  }
  assert.equal(checkReason(undefined, { optional: true }), undefined);
  assert.throws(() => checkReason('', { optional: true }), { code: 'INVALID_ARGUMENT' });
});

test('the reset hold: the minimum by default, never below it, bounded above', () => {
  assert.equal(minimumResetDelay({}), DEFAULT_MIN_RESET_DELAY);
  assert.equal(DEFAULT_MIN_RESET_DELAY, 86_400);
  assert.equal(minimumResetDelay({ OPERATOR_MIN_RESET_DELAY: '0' }), 0);
  assert.equal(minimumResetDelay({ OPERATOR_MIN_RESET_DELAY: '3600' }), 3600);
  for (const bad of ['-1', '1.5', 'soon', '99999999']) {
    assert.throws(() => minimumResetDelay({ OPERATOR_MIN_RESET_DELAY: bad }), { code: 'SERVER_MISCONFIGURED' }, bad);
  }
  assert.equal(resetDelay(undefined, 3600), 3600);
  assert.equal(resetDelay(7200, 3600), 7200);
  assert.equal(resetDelay(0, 0), 0);
  const below = (() => { try { resetDelay(60, 3600); } catch (e) { return e; } })();
  assert.deepEqual([below.code, below.details.minimumDelaySeconds], ['INVALID_ARGUMENT', 3600]);
  for (const bad of [-1, 1.5, '60', 31 * 86400]) assert.throws(() => resetDelay(bad, 0), { code: 'INVALID_ARGUMENT' });
});

test('operator tokens: sha256 hex per id, matched in full against every entry', () => {
  const token = randomBytes(32).toString('base64url');
  const other = randomBytes(32).toString('base64url');
  const hash = (t) => createHash('sha256').update(t).digest('hex');
  const env = { TOTP_WASM_KEYS: JSON.stringify({ operatorTokens: { ann: hash(token), bob: hash(other) } }) };
  const tokens = operatorTokens(env);
  assert.equal(operatorOf(`Bearer ${token}`, tokens), 'ann');
  assert.equal(operatorOf(`Bearer ${other}`, tokens), 'bob');
  assert.equal(operatorOf(`bearer ${token}`, tokens), null, 'exact scheme');
  assert.equal(operatorOf(`Bearer ${token}x`, tokens), null);
  assert.equal(operatorOf(`Bearer ${hash(token)}`, tokens), null, 'the stored hash is not a credential');
  assert.equal(operatorOf(`Bearer ${'a'.repeat(31)}`, tokens), null);
  assert.equal(operatorOf(null, tokens), null);
  assert.equal(operatorOf(`Basic ${token}`, tokens), null);
  assert.deepEqual(operatorTokens({ TOTP_WASM_KEYS: '{}' }), []);
  for (const bad of [{ operatorTokens: [] }, { operatorTokens: { 'a b': hash(token) } }, { operatorTokens: { ann: 'short' } }, { operatorTokens: { ann: hash(token).toUpperCase() } }]) {
    assert.throws(() => operatorTokens({ TOTP_WASM_KEYS: JSON.stringify(bad) }), { code: 'SERVER_MISCONFIGURED' });
  }
});

test('the throttle: 5 free failures, then 60 s doubling to 1 h; a lock refuses even a right token', () => {
  let record;
  const t = 1_000_000;
  for (let i = 1; i <= OPERATOR_THROTTLE.freeFailures; i++) {
    const s = throttleStep(record, t, false);
    assert.deepEqual([s.allowed, s.locked, s.record.failures, s.record.lockedUntil], [false, false, i, 0]);
    record = s.record;
  }
  const locks = [];
  let now = t;
  for (let i = 0; i < 8; i++) {
    const s = throttleStep(record, now, false);
    locks.push(s.record.lockedUntil - now);
    record = s.record;
    const during = throttleStep(record, now + 1, true);
    assert.deepEqual([during.allowed, during.locked, during.retryAt], [false, true, record.lockedUntil]);
    assert.equal(during.record, record, 'nothing counted during a lock');
    now = record.lockedUntil;
  }
  assert.deepEqual(locks, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
  const ok = throttleStep(record, now, true);
  assert.deepEqual([ok.allowed, ok.record], [true, null], 'a right token after the lock clears the record');
});

test('client addresses come only from a trusted header; shards are fixed and spread', () => {
  const req = (h) => new Request('http://x/', { headers: h });
  assert.equal(operatorClientAddress(req({ 'CF-Connecting-IP': '203.0.113.7' }), {}), 'unknown', 'not trusted by default');
  assert.equal(operatorClientAddress(req({ 'CF-Connecting-IP': '203.0.113.7' }), { TRUST_CF_CONNECTING_IP: 'true' }), '203.0.113.7');
  assert.equal(operatorClientAddress(req({ 'X-Test-IP': '2001:db8::1' }), { TOTP_WASM_TEST_CLIENT_IP_HEADER: 'X-Test-IP' }), '2001:db8::1');
  assert.equal(operatorClientAddress(req({ 'X-Test-IP': 'not an address' }), { TOTP_WASM_TEST_CLIENT_IP_HEADER: 'X-Test-IP' }), 'unknown');
  const seen = new Set();
  for (let i = 0; i < 2000; i++) {
    const s = shardOf(`198.51.${i >> 8}.${i & 255}`);
    assert.ok(Number.isInteger(s) && s >= 0 && s < OPERATOR_GUARD_SHARDS);
    seen.add(s);
  }
  assert.equal(seen.size, OPERATOR_GUARD_SHARDS);
  assert.equal(shardOf('unknown'), shardOf('unknown'));
});
