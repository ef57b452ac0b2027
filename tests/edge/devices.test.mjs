// Device cookies (OWASP) and the per-address limit: a stranger cannot lock the owner out.
// A browser that signed in before carries a MAC'd `device` cookie and has its own failure count
// and lock; attempts without one share the account's count, and - where the deployment has a
// trusted client address - are also limited per address (TOTP_WASM_TEST_ADDRESS_HEADER names
// the header to trust here; locally nothing is trusted otherwise).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Person, assertError, assertOk, nowSeconds, pool, startEdge, tally, uniqueName } from './support/edge.mjs';

const HEADER = 'X-Test-Client-Address';
let edge; // no trusted address: the per-address limit is off
let behindProxy; // trusts HEADER
before(async () => {
  [edge, behindProxy] = await Promise.all([startEdge(), startEdge({ addressHeader: HEADER })]);
});
after(async () => {
  await Promise.all([edge?.stop(), behindProxy?.stop()]);
});

const from = (address) => ({ headers: { [HEADER]: address } });

describe('device cookies', () => {
  test('set after each sign-in: HttpOnly, SameSite=Strict, a year, MAC\'d', async () => {
    const p = new Person(edge);
    const res = await p.signup();
    const device = res.setCookie.find((c) => c.startsWith('device='));
    assert.match(device, /^device=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{22}; Path=\/api; Max-Age=31536000; HttpOnly; SameSite=Strict; Expires=/);
    // The same browser keeps its device id at the next sign-in; a new browser gets its own.
    const again = await p.login();
    assert.equal(again.setCookie.find((c) => c.startsWith('device=')).split(';')[0], device.split(';')[0]);
    const other = edge.client();
    assertOk(await other.post('/api/login', { username: p.name, password: p.password }));
    assert.notEqual(other.device, p.client.device);
    // 2FA on: the cookie comes with the session, after the code, not after the password.
    await p.enroll();
    const ticket = await p.client.post('/api/login', { username: p.name, password: p.password });
    assert.equal(ticket.setCookie.length, 0);
    assert.ok(assertOk(await p.loginWithCode()).status === 'signed_in');
  });

  test('60 wrong passwords from a stranger do not stop the owner who presents a device cookie', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    await p.enroll();
    const attack = await pool(Array.from({ length: 60 }), 10, (_, i) => edge.client().post('/api/login', { username: p.name, password: `guess ${i}` }));
    assert.deepEqual(tally(attack), { WRONG_PASSWORD: 60 });
    // Without a device cookie even the right password is refused now (the shared lock) ...
    assertError(await edge.client().post('/api/login', { username: p.name, password: p.password }), 401, 'WRONG_PASSWORD');
    // ... but the owner's browser signs in, and its password checks (disable, tokens) work.
    assertOk(await p.loginWithCode());
    assertOk(await p.client.post('/api/2fa/recovery-codes', { password: p.password }));
  });

  test('guesses from a device cookie meet their own lock (LOCKED), other browsers of the owner are not affected', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    const thief = edge.client();
    assertOk(await thief.post('/api/login', { username: p.name, password: p.password }));
    assertOk(await thief.post('/api/logout', {}));
    assert.ok(thief.device, 'the stolen laptop keeps its device cookie');
    const guesses = [];
    for (let i = 0; i < 13; i++) guesses.push(await thief.post('/api/login', { username: p.name, password: `guess ${i}` }));
    assert.deepEqual(tally(guesses), { WRONG_PASSWORD: 11, LOCKED: 2 });
    const lock = guesses.at(-1).body.error;
    assert.equal(lock.lock, 'password');
    assert.ok(lock.retryAt > nowSeconds() && lock.retryAt <= nowSeconds() + 61);
    // Locked for the right password too (on that device) ...
    assertError(await thief.post('/api/login', { username: p.name, password: p.password }), 429, 'LOCKED');
    // ... but not for the owner's browser, nor for one without a cookie.
    assert.equal(assertOk(await p.login()).status, 'signed_in');
    assert.equal(assertOk(await edge.client().post('/api/login', { username: p.name, password: p.password })).status, 'signed_in');
  });

  test('a device cookie is bound to its user and its MAC', async () => {
    const a = new Person(edge);
    const b = new Person(edge);
    assertOk(await a.signup(), 201);
    assertOk(await b.signup(), 201);
    const [, id, mac] = a.client.device.split('.');
    const [userB] = b.client.device.split('.');
    // A's device cookie does not give its own count on B's account: 11 wrong ones lock B's
    // shared count (WRONG_PASSWORD), never a device LOCKED.
    const forged = edge.client();
    for (let i = 0; i < 12; i++) {
      for (const device of [a.client.device, `${userB}.${id}.${mac}`]) {
        assertError(await forged.post('/api/login', { username: b.name, password: `guess ${i}` }, { device }), 401, 'WRONG_PASSWORD');
      }
    }
    // B's own browser is unaffected.
    assertOk(await b.login());
  });
});

describe('the per-address limit', () => {
  test('off when no address is trusted: the header is ignored', async () => {
    const c = edge.client();
    const res = await pool(Array.from({ length: 70 }), 10, () => c.post('/api/login', { username: uniqueName('nobody'), password: 'guessing' }, from('203.0.113.9')));
    assert.deepEqual(tally(res), { WRONG_PASSWORD: 70 });
  });

  test('attempts without a device cookie: 60 per address and hour, the same LOCKED for known and unknown names', async () => {
    const p = new Person(behindProxy);
    assertOk(await p.signup({}), 201);
    const c = behindProxy.client();
    const attempts = await pool(Array.from({ length: 60 }), 10, (_, i) =>
      c.post('/api/login', { username: uniqueName('nobody'), password: `guess ${i}` }, from('198.51.100.7')),
    );
    assert.deepEqual(tally(attempts), { WRONG_PASSWORD: 60 });
    const known = await c.post('/api/login', { username: p.name, password: p.password }, from('198.51.100.7'));
    const unknown = await c.post('/api/login', { username: uniqueName('nobody'), password: p.password }, from('198.51.100.7'));
    const e = assertError(known, 429, 'LOCKED');
    assert.equal(e.lock, 'address');
    assert.ok(e.retryAt > nowSeconds() && e.retryAt <= nowSeconds() + 3600);
    assert.equal(known.text, unknown.text);
    assertError(await c.post('/api/2fa/remove', { username: p.name, password: p.password, removalCode: '1' }, from('198.51.100.7')), 429, 'LOCKED');
    // A device cookie exempts only its own account: an attacker's cookie does not let them
    // go on guessing other accounts' passwords from this address.
    const spray = await c.post('/api/login', { username: uniqueName('nobody'), password: 'guess' }, { ...from('198.51.100.7'), device: p.client.device });
    assertError(spray, 429, 'LOCKED');
    // Another address is not limited; the owner's browser (device cookie) is not either.
    assertOk(await c.post('/api/login', { username: p.name, password: p.password }, from('198.51.100.8')));
    assert.equal(assertOk(await p.client.post('/api/login', { username: p.name, password: p.password }, from('198.51.100.7'))).status, 'signed_in');
  });

  test('sign-ups: 10 per address and hour', async () => {
    const c = behindProxy.client();
    const res = [];
    for (let i = 0; i < 11; i++) res.push(await c.post('/api/signup', { username: uniqueName('bulk'), password: 'a long password' }, from('192.0.2.44')));
    assert.deepEqual(tally(res), { 201: 10, LOCKED: 1 });
    assertOk(await c.post('/api/signup', { username: uniqueName('other'), password: 'a long password' }, from('192.0.2.45')), 201);
  });
});

// State v2 and later count TOTP codes and recovery/removal codes apart: a thief with the
// password who guesses codes until the lock does not lock the owner's backup codes.
test('TOTP guessing with a phished password leaves the recovery codes usable', async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  await p.enroll();
  const tickets = await Promise.all(Array.from({ length: 3 }, () => p.ticket()));
  const guesses = [];
  for (const ticket of tickets) {
    for (let i = 0; i < 4; i++) guesses.push(await p.client.post('/api/login/verify', { ticket, code: p.wrongCode() }));
  }
  assert.ok(guesses.some((r) => r.body?.error?.code === 'LOCKED'), 'the TOTP count is locked');
  const ticket = await p.ticket();
  const ok = assertOk(await p.client.post('/api/login/verify', { ticket, recoveryCode: p.recoveryCodes[0] }));
  assert.equal(ok.authenticatedWith, 'recovery');
});

test('nothing secret in workerd\'s output', () => {
  assert.deepEqual(edge.leakedSecrets(), []);
  assert.deepEqual(behindProxy.leakedSecrets(), []);
});
