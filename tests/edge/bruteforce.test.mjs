// Brute force at full speed against one user: the lockout holds (even for the right code or
// password), and other users are not affected.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Person, assertError, assertOk, nowSeconds, pool, startEdge, tally } from './support/edge.mjs';

let edge;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge?.stop();
});

test('200 wrong codes at full speed: 5 free failures, the 6th locks, the rest are LOCKED; others sign in meanwhile', async () => {
  const target = new Person(edge);
  const bystander = new Person(edge);
  for (const p of [target, bystander]) {
    assertOk(await p.signup(), 201);
    await p.enroll();
  }
  // The attacker has the password: 40 tickets of 5 attempts each.
  const tickets = await pool(Array.from({ length: 40 }), 10, () => target.ticket());
  const wrong = target.wrongCode();
  const guesses = tickets.flatMap((ticket) => Array(5).fill(ticket));
  const attack = pool(guesses, 25, (ticket) => edge.client().post('/api/login/verify', { ticket, code: wrong }));
  // Meanwhile, someone else signs in with their code.
  const other = await bystander.loginWithCode();
  const responses = await attack;
  assert.equal(assertOk(other).authenticatedWith, 'otp');
  assert.deepEqual(tally(responses), { INVALID_CODE: 6, LOCKED: 194 });
  const lockStart = responses.find((r) => r.body.error.retryAt !== undefined && r.body.error.code === 'INVALID_CODE');
  assert.ok(lockStart, 'the sixth failure says when to retry');
  const retryAt = lockStart.body.error.retryAt;
  assert.ok(retryAt > nowSeconds() + 30 && retryAt <= nowSeconds() + 61);
  const locked = responses.find((r) => r.body.error.code === 'LOCKED');
  assert.equal(locked.status, 429);
  assert.ok(Number(locked.headers.get('retry-after')) > 0);

  // The lock holds for the right code; recovery codes have their own count (issue #10).
  const ticket = await target.ticket();
  const { code } = await target.code();
  const e = assertError(await target.client.post('/api/login/verify', { ticket, code }), 429, 'LOCKED');
  assert.equal(e.retryAt, retryAt, 'guesses during a lock do not extend it');
  assert.equal(e.lock, 'code', 'the error says which lock applies');
  const recovered = await target.client.post('/api/login/verify', { ticket, recoveryCode: target.recoveryCodes[0] });
  assert.equal(assertOk(recovered).authenticatedWith, 'recovery', 'TOTP guessing leaves recovery codes usable');
  // The bystander is not locked at all.
  const profile = assertOk(await bystander.client.get('/api/profile'));
  assert.equal(profile.twoFactor.lockedUntil, null);
  assert.equal(assertOk(await bystander.loginWithCode()).authenticatedWith, 'otp');
});

test('50 wrong passwords at full speed from strangers: the shared count locks, with the same answer as any wrong password', async () => {
  const target = new Person(edge);
  const bystander = new Person(edge);
  assertOk(await target.signup(), 201);
  assertOk(await bystander.signup(), 201);
  const guesses = Array.from({ length: 50 }, (_, i) => `guess number ${i}`);
  const attack = pool(guesses, 25, (password) => edge.client().post('/api/login', { username: target.name, password }));
  const other = await bystander.login();
  const responses = await attack;
  assert.equal(assertOk(other).status, 'signed_in');
  // 10 free failures, the 11th locks the shared count, the rest are refused unchecked: all
  // answer WRONG_PASSWORD, so the lock does not tell a stranger that the account exists.
  assert.deepEqual(tally(responses), { WRONG_PASSWORD: 50 });
  assert.ok(responses.every((r) => r.text === responses[0].text), 'one body for all of them');
  // The right password from a browser without a device cookie waits too ...
  const stranger = assertError(await edge.client().post('/api/login', { username: target.name, password: target.password }), 401, 'WRONG_PASSWORD');
  assert.equal(stranger.retryAt, undefined);
  // ... but the owner's browser has its own count: it signs in, and its password checks work.
  assert.equal(assertOk(await target.login()).status, 'signed_in');
  assertOk(await target.client.post('/api/tokens', { name: 'still works', expiresInDays: 1 }), 201);
  assert.equal(assertOk(await bystander.login()).status, 'signed_in');
});

test('nothing secret in workerd\'s output', () => {
  assert.deepEqual(edge.leakedSecrets(), []);
});
