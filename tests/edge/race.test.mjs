// Races: many concurrent submissions of one credential for one user, all at once. The User
// Durable Object's read -> verify -> write must let exactly one through (see the atomicity note
// in edge/user.js): one valid code, one recovery code, one removal code, one enrollment, one
// username.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUri, totp } from 'totp-wasm';
import { Person, assertError, assertOk, pool, startEdge, tally, uniqueName } from './support/edge.mjs';

const N = 50;
let edge;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge?.stop();
});

async function enrolledPerson(options) {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  await p.enroll(options);
  return p;
}

/** N tickets for one person (N password logins, 10 at a time). */
async function tickets(p, n) {
  return pool(Array.from({ length: n }), 10, () => p.ticket());
}

test(`${N} concurrent logins with one valid code: exactly one accepted, the rest CODE_REPLAYED`, async () => {
  const p = await enrolledPerson();
  const ts = await tickets(p, N);
  const { code } = await p.code();
  const responses = await Promise.all(ts.map((ticket) => edge.client().post('/api/login/verify', { ticket, code })));
  assert.deepEqual(tally(responses), { 200: 1, CODE_REPLAYED: N - 1 });
});

test(`${N} concurrent logins with one recovery code: exactly one accepted`, async () => {
  const p = await enrolledPerson();
  const ts = await tickets(p, N);
  const recoveryCode = p.recoveryCodes[3];
  const responses = await Promise.all(ts.map((ticket) => edge.client().post('/api/login/verify', { ticket, recoveryCode })));
  const t = tally(responses);
  assert.equal(t[200], 1, JSON.stringify(t));
  // The others are failures of a used code, and after five of them the lock refuses the rest.
  assert.equal((t.INVALID_CODE ?? 0) + (t.LOCKED ?? 0), N - 1, JSON.stringify(t));
  // Exactly one code was spent.
  const profile = assertOk(await p.client.get('/api/profile'));
  assert.equal(profile.twoFactor.recoveryCodesRemaining, 9);
});

test(`${N} concurrent removals with one removal code: exactly one accepted`, async () => {
  const p = await enrolledPerson({ removalCode: true });
  const body = { username: p.name, password: p.password, removalCode: p.removalCode };
  const responses = await Promise.all(Array.from({ length: N }, () => edge.client().post('/api/2fa/remove', body)));
  assert.deepEqual(tally(responses), { 200: 1, TWO_FACTOR_OFF: N - 1 });
  // The removal ended every session (revocation): the password alone signs in now.
  assertError(await p.client.get('/api/profile'), 401, 'UNAUTHENTICATED');
  assert.equal(assertOk(await p.login()).status, 'signed_in');
  assert.equal(assertOk(await p.client.get('/api/profile')).twoFactor.enabled, false);
});

test(`${N} concurrent confirmations of one setup: one authenticator, not ${N}`, async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  const start = assertOk(await p.client.post('/api/2fa/enroll', {}));
  const code = totp(parseUri(start.uri).secret);
  edge.secrets.add(code);
  const responses = await Promise.all(
    Array.from({ length: N }, () => p.client.post('/api/2fa/enroll/confirm', { code, password: p.password, name: 'Phone' })),
  );
  assert.deepEqual(tally(responses), { 200: 1, ENROLLMENT_EXPIRED: N - 1 });
  const profile = assertOk(await p.client.get('/api/profile'));
  assert.equal(profile.twoFactor.authenticators.length, 1);
  assert.equal(responses.filter((r) => r.body.recoveryCodes).length, 1, 'one set of recovery codes');
  assert.equal(profile.twoFactor.recoveryCodesRemaining, 10);
});

test(`${N} concurrent sign-ups of one username: one account, its password works`, async () => {
  const name = uniqueName('race');
  const passwords = Array.from({ length: N }, (_, i) => `password number ${i} ${uniqueName('')}`);
  passwords.forEach((pw) => edge.secrets.add(pw));
  const responses = await Promise.all(passwords.map((password) => edge.client().post('/api/signup', { username: name, password })));
  assert.deepEqual(tally(responses), { 201: 1, USERNAME_TAKEN: N - 1 });
  const winner = passwords[responses.findIndex((r) => r.status === 201)];
  assertOk(await edge.client().post('/api/login', { username: name, password: winner }));
});

test('nothing secret in workerd\'s output', () => {
  assert.deepEqual(edge.leakedSecrets(), []);
});
