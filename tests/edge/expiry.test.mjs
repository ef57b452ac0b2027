// Expiry, without waiting minutes: this workerd runs with TOTP_WASM_TEST_LIFETIMES (tests only)
// shortening tickets, pending enrollments, sessions and a token "day" to a few seconds. Every
// case is prepared first, then one short sleep, then every case is checked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUri, totp } from 'totp-wasm';
import { Person, assertError, assertOk, nowSeconds, sleep, startEdge } from './support/edge.mjs';

const LIFE = 3;
let edge;
before(async () => {
  edge = await startEdge({ lifetimes: { ticket: LIFE, enrollment: LIFE, session: LIFE + 1, tokenDay: LIFE } });
});
after(async () => {
  await edge?.stop();
});

test('expired ticket, enrollment, session and update token are refused with their codes', async () => {
  // A pending enrollment.
  const enrolling = new Person(edge);
  assertOk(await enrolling.signup(), 201);
  const start = assertOk(await enrolling.client.post('/api/2fa/enroll', {}));
  assert.ok(start.expiresAt <= nowSeconds() + LIFE);
  const pendingSecret = parseUri(start.uri).secret;
  // A ticket (2FA on, password given, code not yet).
  const twoFactor = new Person(edge);
  assertOk(await twoFactor.signup(), 201);
  await twoFactor.enroll();
  const ticket = await twoFactor.ticket();
  // A session and an update token (one "day" = LIFE seconds here).
  const s = new Person(edge);
  assertOk(await s.signup(), 201);
  const { token } = assertOk(await s.client.post('/api/tokens', { name: 'router', expiresInDays: 1 }), 201);
  assertOk(await edge.client().get('/api/update', { headers: { Authorization: `Bearer ${token}` } }));

  await sleep((LIFE + 1.3) * 1000);

  // (Sessions are short here too: sign in again first.)
  assertOk(await enrolling.login());
  const code = totp(pendingSecret);
  edge.secrets.add(code);
  assertError(await enrolling.client.post('/api/2fa/enroll/confirm', { code, password: enrolling.password }), 409, 'ENROLLMENT_EXPIRED');
  const { code: c2 } = await twoFactor.code();
  assertError(await twoFactor.client.post('/api/login/verify', { ticket, code: c2 }), 401, 'TICKET_EXPIRED');
  assertError(await s.client.get('/api/profile'), 401, 'UNAUTHENTICATED');
  assertError(await edge.client().get('/api/update', { headers: { Authorization: `Bearer ${token}` } }), 401, 'UNAUTHENTICATED');
  // The people get on with it: a fresh login and a fresh setup work.
  const again = assertOk(await s.login());
  assert.equal(again.status, 'signed_in');
  assert.equal(assertOk(await s.client.get('/api/tokens')).tokens[0].expired, true);
  await enrolling.enroll();
});

test('nothing secret in workerd\'s output', () => {
  assert.deepEqual(edge.leakedSecrets(), []);
});
