// The one-form login (#12, the DNS provider of seed 004): POST /api/login with an optional
// `code` or `recoveryCode`. Ignored while 2FA is off; while it is on, checked after the
// password and counted like one at /api/login/verify - and never reached by a wrong password.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Person, assertError, assertOk, startEdge } from './support/edge.mjs';

let edge;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge?.stop();
});

const loginWith = (p, extra, client = p.client) => client.post('/api/login', { username: p.name, password: p.password, ...extra });

test('2FA off: a code in the form is ignored', async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  const ok = assertOk(await loginWith(p, { code: '123456' }));
  assert.deepEqual([ok.status, ok.authenticatedWith], ['signed_in', 'password']);
});

test('2FA on: no code gives the ticket of the two-step flow; the right code signs in at once, once', async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  await p.enroll();
  assert.equal(assertOk(await loginWith(p, {})).status, 'two_factor_required');
  const { code, step } = await p.code();
  const ok = assertOk(await loginWith(p, { code }));
  assert.deepEqual([ok.status, ok.authenticatedWith], ['signed_in', 'otp']);
  p.accepted(p.firstFactor(), step);
  assert.equal(assertOk(await p.client.get('/api/profile')).session.authenticatedWith, 'otp');
  assertError(await loginWith(p, { code }), 401, 'CODE_REPLAYED');
  const rec = assertOk(await loginWith(p, { recoveryCode: p.recoveryCodes[0] }));
  assert.deepEqual([rec.authenticatedWith, rec.recoveryCodesRemaining], ['recovery', 9]);
  assertError(await loginWith(p, { code, recoveryCode: p.recoveryCodes[1] }), 400, 'INVALID_ARGUMENT');
});

test('a wrong code counts like one in the two-step flow: 5 free failures, the 6th locks, the right code too', async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  await p.enroll();
  const left = [];
  for (let i = 0; i < 5; i++) left.push(assertError(await loginWith(p, { code: p.wrongCode() }), 401, 'INVALID_CODE').attemptsLeft);
  assert.deepEqual(left, [4, 3, 2, 1, 0]);
  assert.ok(assertError(await loginWith(p, { code: p.wrongCode() }), 401, 'INVALID_CODE').retryAt > 0);
  const { code } = await p.code();
  assertError(await loginWith(p, { code }), 429, 'LOCKED');
  // The two-step flow meets the same lock: one counter.
  assertError(await p.client.post('/api/login/verify', { ticket: await p.ticket(), code }), 429, 'LOCKED');
});

test('a stranger with a wrong password and codes never touches the code counter', async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  await p.enroll();
  const stranger = edge.client();
  for (let i = 0; i < 4; i++) {
    assertError(await stranger.post('/api/login', { username: p.name, password: `guess ${i}`, code: p.wrongCode() }), 401, 'WRONG_PASSWORD');
  }
  // The owner's first wrong code is the first failure counted.
  assert.equal(assertError(await loginWith(p, { code: p.wrongCode() }), 401, 'INVALID_CODE').attemptsLeft, 4);
  const { code, step } = await p.code();
  assertOk(await loginWith(p, { code }));
  p.accepted(p.firstFactor(), step);
});

test('/site-config.json: two-step unless TOTP_WASM_LOGIN_FORM is one-form (the e2e tests start both)', async () => {
  const res = await edge.client().get('/site-config.json');
  assert.deepEqual(assertOk(res), { loginForm: 'two-step' });
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src/);
  assert.equal((await edge.client().post('/site-config.json', {})).status, 405);
});
