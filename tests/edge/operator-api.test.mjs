// The operator API through the real edge on workerd (edge/operator.js, the real OperatorGuard
// and User objects; users made through the API): what a
// stranger, a user's cookie, a wrong token and a right token get, the throttle per address,
// the reset hold minimum, CORS off, and a log of `METHOD /route STATUS` only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { verifySecurityLog } from '../../edge/security-log.js';
import { auditKeys, startAudit, uniqueName } from './support/audit-edge.mjs';

const { keys, tokens } = auditKeys(['ann', 'bob']);
const key = Buffer.from(keys.macKey, 'hex');
const MIN_DELAY = 600;
let edge;
/** Every address a test uses is its own, so the throttle of one test does not reach another. */
let nextAddress = 1;
const address = () => `192.0.2.${nextAddress++}`;

before(async () => {
  edge = await startAudit({
    keys,
    env: { OPERATOR_MIN_RESET_DELAY: String(MIN_DELAY), TOTP_WASM_TEST_CLIENT_IP_HEADER: 'X-Test-Client-IP' },
  });
});
after(() => edge?.stop());

const u = (name) => Buffer.from(name).toString('base64url');

async function seeded(name = uniqueName('op')) {
  await edge.seedUser(name);
  return name;
}

function call(method, path, { token = tokens.ann, ip = address(), headers = {}, body } = {}) {
  return edge.operator(method, path, { token, body, headers: { 'X-Test-Client-IP': ip, ...headers } });
}

async function logOf(name) {
  return edge.exportLog(name);
}

test('a right token looks a user up; the lookup is in the user log with operator id and reason', async () => {
  const name = await seeded();
  const res = await call('GET', `/api/operator/users/${u(name)}?reason=${encodeURIComponent('caller asked why locked')}`, { token: tokens.bob });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.username, name);
  const log = await logOf(name);
  assert.deepEqual(log.events.at(-1).type, 'operator-lookup');
  assert.deepEqual(log.events.at(-1).detail, { operator: 'bob', reason: 'caller asked why locked' });
  assert.equal(verifySecurityLog(log, { key }).ok, true);
});

test("a user's session cookie is refused even with a right token, and nothing reaches the user", async () => {
  const name = await seeded();
  const before = (await logOf(name)).events.length;
  for (const cookie of ['session=YWxpY2U.AAAAAAAAAAAAAAAA', 'device=x', 'other=1']) {
    const res = await call('POST', `/api/operator/users/${u(name)}/reset-2fa`, { headers: { Cookie: cookie }, body: { reason: 'cookie test' } });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
  }
  assert.equal((await logOf(name)).events.length, before);
});

test('no token or a wrong one is 401; after 5 per address the address is locked, even for a right token', async () => {
  const name = await seeded();
  const ip = address();
  const wrong = randomBytes(32).toString('base64url');
  const statuses = [];
  statuses.push((await call('GET', `/api/operator/users/${u(name)}`, { token: null, ip })).status);
  statuses.push((await call('GET', `/api/operator/users/${u(name)}`, { token: 'short', ip })).status);
  for (let i = 0; i < 4; i++) statuses.push((await call('GET', `/api/operator/users/${u(name)}`, { token: wrong, ip })).status);
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401]);
  const locked = await call('GET', `/api/operator/users/${u(name)}`, { ip });
  assert.equal(locked.status, 429, locked.text);
  assert.equal(locked.body.error.code, 'LOCKED');
  assert.ok(Number(locked.headers.get('Retry-After')) > 0 && Number(locked.headers.get('Retry-After')) <= 60);
  // Another address is not affected: support keeps working while one address guesses.
  assert.equal((await call('GET', `/api/operator/users/${u(name)}`)).status, 200);
  // The 401s were not actions on the user: only the one successful lookup is logged.
  assert.deepEqual((await logOf(name)).events.map((e) => e.type), ['sign-in', 'operator-lookup']);
});

test('wrong tokens sent concurrently from one address are all counted', async () => {
  const ip = address();
  const wrong = randomBytes(32).toString('base64url');
  const all = await Promise.all(Array.from({ length: 20 }, () => call('GET', `/api/operator/users/${u('nobody')}`, { token: wrong, ip })));
  const count = (s) => all.filter((r) => r.status === s).length;
  // 5 free failures and the one that starts the lock; every later guess meets the lock.
  assert.deepEqual([count(401), count(429)], [6, 14]);
});

test('reset-2fa needs a reason of 1-500 characters and holds at least the configured minimum', async () => {
  const name = await seeded();
  const path = `/api/operator/users/${u(name)}/reset-2fa`;
  for (const body of [{}, { reason: '' }, { reason: 'x'.repeat(501) }, { reason: 'a\nb' }, { reason: 'ok', extra: 1 }, { reason: 'ok', delaySeconds: '600' }]) {
    const res = await call('POST', path, { body });
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
    assert.equal(res.body.error.code, 'INVALID_ARGUMENT');
  }
  const short = await call('POST', path, { body: { reason: 'in a hurry', delaySeconds: 0 } });
  assert.equal(short.status, 400, short.text);
  assert.deepEqual([short.body.error.field, short.body.error.minimumDelaySeconds], ['delaySeconds', MIN_DELAY]);

  const t0 = Math.floor(Date.now() / 1000);
  const held = await call('POST', path, { body: { reason: 'ID checked on a video call' } });
  assert.equal(held.status, 202, held.text);
  assert.equal(held.body.status, 'scheduled');
  assert.ok(held.body.due >= t0 + MIN_DELAY && held.body.due <= t0 + MIN_DELAY + 5);
  const longer = await call('POST', path, { body: { reason: 'ID checked on a video call', delaySeconds: 3 * MIN_DELAY } });
  assert.equal(longer.status, 202, longer.text);
  const events = (await logOf(name)).events.filter((e) => e.type === 'operator-reset-scheduled');
  assert.equal(events.length, 2);
  assert.deepEqual(events[0].detail, { operator: 'ann', reason: 'ID checked on a video call', due: held.body.due });
});

test('unlock and the security log; usernames with /, \\ and a leading dot are reached by base64url', async () => {
  const name = await seeded(`.${uniqueName('a/b\\c')}`);
  const unlock = await call('POST', `/api/operator/users/${u(name)}/unlock`, { body: { reason: 'owner called, locked out by typos' } });
  assert.equal(unlock.status, 200, unlock.text);
  const log = await call('GET', `/api/operator/users/${u(name)}/security-log`);
  assert.equal(log.status, 200, log.text);
  assert.equal(log.body.user, name);
  assert.deepEqual(log.body.events.map((e) => e.type), ['sign-in', 'operator-unlock', 'operator-log-read']);
  assert.equal(verifySecurityLog(log.body, { key }).ok, true);
  assert.equal(verifySecurityLog({ ...log.body, user: 'someone-else' }, { key }).mac, 'invalid');
});

test('unknown users are 404, a bad :user is 400, other paths 404, a wrong method 405', async () => {
  assert.equal((await call('GET', `/api/operator/users/${u(uniqueName('ghost'))}`)).status, 404);
  assert.equal((await call('GET', '/api/operator/users/not+base64')).status, 400);
  assert.equal((await call('GET', '/api/operator/users')).status, 404);
  const wrong = await call('DELETE', `/api/operator/users/${u('x')}`);
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('Allow'), 'GET');
});

test('CORS stays off: a preflight is 405 and no answer carries Access-Control headers', async () => {
  const name = await seeded();
  const preflight = await call('OPTIONS', `/api/operator/users/${u(name)}/reset-2fa`, {
    token: null,
    headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
  });
  assert.equal(preflight.status, 405);
  const cross = await call('GET', `/api/operator/users/${u(name)}`, { headers: { Origin: 'https://evil.example' } });
  assert.equal(cross.status, 200, 'bearer API: no same-origin rule');
  for (const res of [preflight, cross]) {
    assert.deepEqual([...res.headers.keys()].filter((h) => h.startsWith('access-control-')), []);
  }
});

test('the log has METHOD /route STATUS lines only: no username, token or reason', async () => {
  const name = await seeded(uniqueName('logcheck'));
  const reason = `reason-${randomBytes(6).toString('hex')}`;
  await call('POST', `/api/operator/users/${u(name)}/unlock`, { body: { reason } });
  await call('GET', `/api/operator/users/${u(name)}`, { token: randomBytes(32).toString('base64url') });
  assert.match(edge.log, /POST \/api\/operator\/users\/:user\/unlock 200/);
  assert.match(edge.log, /GET \/api\/operator\/users\/:user 401/);
  for (const secret of [name, u(name), reason, tokens.ann, tokens.bob, keys.macKey]) {
    assert.ok(!edge.log.includes(secret), `workerd's output holds ${secret}`);
  }
});
