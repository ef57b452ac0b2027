// The security log of the real User object (edge/config.capnp on workerd) as a person uses the
// account: each action appends its event in the same commit, with the fields of
// edge/security-log.js and nothing secret, and the export verifies under the server's MAC.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { verifySecurityLog } from '../../edge/security-log.js';
import { Person, assertError, assertOk, newKeys, startEdge } from './support/edge.mjs';

const keys = newKeys();
let edge;
before(async () => {
  edge = await startEdge({ keys });
});
after(() => edge?.stop());

async function logOf(p) {
  const exported = assertOk(await p.client.get('/api/security-log'));
  assert.equal(verifySecurityLog(exported, { key: Buffer.from(keys.macKey, 'hex') }).ok, true);
  return exported;
}

const since = (events, n) => events.slice(n).map((e) => [e.type, e.detail]);

test('every account action appends its event, with what happened and nothing secret', async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  assert.deepEqual((await logOf(p)).events, [], 'a sign-up is not an event');

  const first = await p.enroll({ name: 'Phone' });
  const id1 = first.authenticator.id;
  let n = 0;
  let events = (await logOf(p)).events;
  assert.deepEqual(since(events, n), [['2fa-enabled', { authenticator: id1, name: 'Phone' }]]);
  n = events.length;

  const second = await p.enroll({ name: 'Tablet' });
  const id2 = second.authenticator.id;
  assertOk(await p.client.patch(`/api/2fa/authenticators/${id2}`, { name: 'Old tablet' }));
  assertOk(await p.client.delete(`/api/2fa/authenticators/${id2}`, { password: p.password }));
  assertOk(await p.client.post('/api/2fa/recovery-codes', { password: p.password, removalCode: true }));
  const token = assertOk(await p.client.post('/api/tokens', { name: 'Router', expiresInDays: 7 }), 201);
  assertOk(await p.client.delete(`/api/tokens/${token.id}`, {}));
  events = (await logOf(p)).events;
  assert.deepEqual(since(events, n), [
    ['authenticator-added', { authenticator: id2, name: 'Tablet' }],
    ['authenticator-renamed', { authenticator: id2, from: 'Tablet', to: 'Old tablet' }],
    ['authenticator-removed', { authenticator: id2, name: 'Old tablet' }],
    ['recovery-codes-regenerated', { removal: true }],
    ['token-created', { tokenId: token.id, name: 'Router', expires: token.expiresAt }],
    ['token-revoked', { tokenId: token.id, name: 'Router' }],
  ]);
  n = events.length;

  // Another browser: a wrong code, then a right one; a backup code; signed out from here.
  const other = new Person(edge, { name: p.name, password: p.password });
  other.factors = p.factors;
  const ticket = await other.ticket();
  assertError(await other.client.post('/api/login/verify', { ticket, code: p.wrongCode() }), 401, 'INVALID_CODE');
  const { code, step } = await other.code();
  assertOk(await other.client.post('/api/login/verify', { ticket, code }));
  other.accepted(other.firstFactor(), step);
  // New backup codes (they end the other sessions and tickets), then one used to sign in.
  const backup = assertOk(await p.client.post('/api/2fa/recovery-codes', { password: p.password })).recoveryCodes;
  const t2 = await other.ticket();
  assertOk(await other.client.post('/api/login/verify', { ticket: t2, recoveryCode: backup[0] }));
  assertOk(await p.client.post('/api/sessions/revoke-others', {}));
  events = (await logOf(p)).events;
  assert.deepEqual(since(events, n), [
    ['second-factor-failed', { method: 'otp' }],
    ['sign-in', { method: 'otp' }],
    ['recovery-codes-regenerated', { removal: false }],
    ['sessions-revoked', { count: 1, cause: 'second-factor-changed' }],
    ['sign-in', { method: 'recovery' }],
    ['recovery-code-used', { remaining: 9 }],
    ['sessions-revoked', { count: 1, cause: 'sign-out-everywhere' }],
  ]);
  n = events.length;

  const newPassword = `${p.password}-new`;
  edge.secrets.add(newPassword);
  assertOk(await p.client.post('/api/password', { password: p.password, newPassword }));
  p.password = newPassword;
  assertOk(await p.client.post('/api/2fa/disable', { password: p.password }));
  events = (await logOf(p)).events;
  assert.deepEqual(since(events, n), [['password-changed', {}], ['2fa-disabled', { via: 'user' }]]);

  // No secret of the test (password, code, token, backup code) is in any event.
  const text = JSON.stringify(events);
  for (const secret of edge.secrets) assert.ok(!text.includes(secret), 'a secret in the security log');
});

test('a lockout after wrong passwords is an event; the log needs a session', async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  assertOk(await p.client.post('/api/logout', {}));
  assertError(await p.client.get('/api/security-log'), 401, 'UNAUTHENTICATED');
  // This browser's own count (its device cookie): 10 free, the 11th starts a lock.
  for (let i = 0; i < 11; i++) assertError(await p.login(`wrong-${i}-${p.password}`), 401, 'WRONG_PASSWORD');
  assertError(await p.login(), 429, 'LOCKED');
  // A new browser is judged on the account's count, which is not locked.
  const fresh = new Person(edge, { name: p.name, password: p.password });
  assertOk(await fresh.login());
  const events = (await logOf(fresh)).events;
  assert.deepEqual(events.map((e) => e.type), ['lockout', 'sign-in']);
  assert.equal(events[0].detail.what, 'password');
  assert.ok(events[0].detail.until > events[0].at);
});
