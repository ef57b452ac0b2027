// A support reset on the real User object (edge/config.capnp on workerd): what it revokes,
// what the user then sees (the notice with the next sign-in, the events in their log), the
// hold that a sign-in with a code cancels, the hold an alarm carries out, and no storage for
// operator lookups of unknown users.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifySecurityLog } from '../../edge/security-log.js';
import { assertError, assertOk, Person, sleep } from './support/edge.mjs';
import { USERS_UNIQUE_KEY, auditKeys, startAudit, uniqueName } from './support/audit-edge.mjs';

const { keys, tokens } = auditKeys(['ann']);
const key = Buffer.from(keys.macKey, 'hex');
let edge;

before(async () => {
  edge = await startAudit({ keys, env: { OPERATOR_MIN_RESET_DELAY: '0' } });
});
after(() => edge?.stop());

const u = (name) => Buffer.from(name).toString('base64url');
const op = (method, path, body) => edge.operator(method, path, { token: tokens.ann, body });

/** A person with 2FA on and an update token. */
async function protectedPerson() {
  const p = new Person(edge, { name: uniqueName('reset') });
  assertOk(await p.signup(), 201);
  await p.enroll();
  const token = assertOk(await p.client.post('/api/tokens', { name: 'Router', expiresInDays: 30 }), 201).token;
  return { p, token };
}

test('a reset revokes sessions and tokens, turns 2FA off, and the next sign-in says so once', async () => {
  const { p, token } = await protectedPerson();
  const other = p.client;
  const reason = 'lost phone and codes, ID checked on a video call';
  const res = await op('POST', `/api/operator/users/${u(p.name)}/reset-2fa`, { reason });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.status, 'reset');
  assert.equal(res.body.twoFactorWasEnabled, true);

  assertError(await other.get('/api/profile'), 401, 'UNAUTHENTICATED');
  const update = await other.get('/api/update', { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(update.status, 401, update.text);

  const signIn = assertOk(await p.login());
  assert.equal(signIn.status, 'signed_in', 'password only: 2FA is off');
  assert.deepEqual([signIn.notice?.kind, signIn.notice?.reason], ['operator-reset', reason]);
  assert.equal((await p.client.post('/api/logout', {})).status, 200);
  assert.equal(assertOk(await p.login()).notice, undefined, 'the notice is told once');

  const log = assertOk(await p.client.get('/api/security-log'));
  const types = log.events.map((e) => e.type);
  assert.deepEqual(types.slice(types.indexOf('operator-reset')), [
    'operator-reset', '2fa-disabled', 'sessions-revoked', 'tokens-revoked', 'sign-in', 'sign-in',
  ]);
  const reset = log.events.find((e) => e.type === 'operator-reset');
  assert.deepEqual(reset.detail, { operator: 'ann', reason });
  assert.deepEqual(log.events.find((e) => e.type === 'tokens-revoked').detail, { count: 1, cause: 'support' });
  assert.equal(verifySecurityLog(log, { key }).ok, true);
  const profile = assertOk(await p.client.get('/api/profile'));
  assert.equal(profile.twoFactor.enabled, false);
});

test('a held reset is cancelled by a sign-in with a code, and the user is told', async () => {
  const { p } = await protectedPerson();
  const held = await op('POST', `/api/operator/users/${u(p.name)}/reset-2fa`, { reason: 'caller says phone lost', delaySeconds: 3 });
  assert.equal(held.status, 202, held.text);
  const status = assertOk(await op('GET', `/api/operator/users/${u(p.name)}`));
  assert.equal(status.resetScheduled.due, held.body.due);

  const res = await p.loginWithCode();
  const body = assertOk(res);
  assert.equal(body.notice?.kind, 'operator-reset-cancelled');
  await sleep(4500); // past the due time: the alarm, if any, finds no plan
  const after = assertOk(await op('GET', `/api/operator/users/${u(p.name)}`));
  assert.deepEqual([after.twoFactor.enabled, after.resetScheduled], [true, null]);
  const types = assertOk(await p.client.get('/api/security-log')).events.map((e) => e.type);
  assert.ok(types.includes('operator-reset-scheduled') && types.includes('operator-reset-cancelled'), types.join());
  assert.ok(!types.includes('operator-reset'), types.join());
});

test('a held reset that nobody stops is carried out by the alarm', async () => {
  const { p } = await protectedPerson();
  const held = await op('POST', `/api/operator/users/${u(p.name)}/reset-2fa`, { reason: 'owner verified in person', delaySeconds: 1 });
  assert.equal(held.status, 202, held.text);
  let status;
  for (let i = 0; i < 40; i++) {
    await sleep(250);
    status = assertOk(await op('GET', `/api/operator/users/${u(p.name)}`));
    if (!status.twoFactor.enabled) break;
  }
  assert.deepEqual([status.twoFactor.enabled, status.resetScheduled], [false, null]);
  assertError(await p.client.get('/api/profile'), 401, 'UNAUTHENTICATED');
  assert.equal(assertOk(await p.login()).notice?.kind, 'operator-reset');
});

test('operator requests for unknown users create no user object', async () => {
  const dir = join(edge.stateDir, USERS_UNIQUE_KEY);
  const files = () => (existsSync(dir) ? readdirSync(dir).length : 0);
  const before = files();
  for (let i = 0; i < 5; i++) {
    const ghost = u(uniqueName('ghost'));
    assert.equal((await op('GET', `/api/operator/users/${ghost}`)).status, 404);
    assert.equal((await op('POST', `/api/operator/users/${ghost}/reset-2fa`, { reason: 'x' })).status, 404);
    assert.equal((await op('POST', `/api/operator/users/${ghost}/unlock`, { reason: 'x' })).status, 404);
    assert.equal((await op('GET', `/api/operator/users/${ghost}/security-log`)).status, 404);
  }
  assert.equal(files(), before);
});
