// Accounts and sessions over real HTTP: sign up, log in, log out, the session cookie, the
// profile, usernames as people type them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setCookie } from '../../edge/http.js';
import { Person, assertError, assertOk, startEdge, uniqueName } from './support/edge.mjs';

let edge;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge?.stop();
});

describe('sign up, log in, log out', () => {
  test('sign up signs in: an HttpOnly, SameSite=Strict session cookie with an expiry', async () => {
    const p = new Person(edge);
    const res = await p.signup();
    const body = assertOk(res, 201);
    assert.deepEqual(
      { status: body.status, username: body.username, authenticatedWith: body.authenticatedWith },
      { status: 'signed_in', username: p.name, authenticatedWith: 'password' },
    );
    assert.equal(res.setCookie.length, 2, 'the session and this browser\'s device cookie');
    const cookie = res.setCookie[0];
    assert.match(cookie, /^session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22};/, 'name, random part, MAC');
    const device = res.setCookie[1];
    assert.match(device, /^device=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{22}; Path=\/api; Max-Age=31536000; /);
    assert.match(device, /; HttpOnly; SameSite=Strict/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.match(cookie, /; Path=\/api/);
    // 43200 s, or 43199 when the second turned between the session's expiry and the cookie.
    const maxAge = Number(/; Max-Age=(\d+)/.exec(cookie)?.[1]);
    assert.ok(maxAge >= 43199 && maxAge <= 43200, cookie);
    assert.match(cookie, /; Expires=/);
    assert.doesNotMatch(cookie, /Secure/, 'plain http on loopback');
    assert.ok(Math.abs(body.expiresAt - (Date.now() / 1000 + 43200)) < 60);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.match(res.headers.get('content-security-policy'), /frame-ancestors 'none'/);

    const profile = assertOk(await p.client.get('/api/profile'));
    assert.equal(profile.username, p.name);
    assert.deepEqual(profile.twoFactor, {
      enabled: false,
      authenticators: [],
      recoveryCodesRemaining: 0,
      removalCode: false,
      lockedUntil: null,
      enrollmentPending: false,
    });
    assert.equal(profile.session.authenticatedWith, 'password');
    assert.ok(profile.session.stepUpUntil > Date.now() / 1000, 'a fresh password sign-in counts as a step-up');
  });

  test('the cookie is Secure when the request is https', () => {
    assert.match(setCookie('session', 'x.y', 60, true), /; Secure$/);
    assert.doesNotMatch(setCookie('session', 'x.y', 60, false), /Secure/);
  });

  test('log in with the password; a wrong password or an unknown user get the same answer', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    const fresh = edge.client();
    const ok = await fresh.post('/api/login', { username: p.name, password: p.password });
    assert.equal(assertOk(ok).authenticatedWith, 'password');
    assert.ok(fresh.cookie);
    assertOk(await fresh.get('/api/profile'));

    const wrong = await edge.client().post('/api/login', { username: p.name, password: 'not the password' });
    const e1 = assertError(wrong, 401, 'WRONG_PASSWORD');
    const unknown = await edge.client().post('/api/login', { username: uniqueName('nobody'), password: 'whatever1' });
    const e2 = assertError(unknown, 401, 'WRONG_PASSWORD');
    assert.equal(e1.message, e2.message);
    assert.equal(wrong.setCookie.length, 0);
  });

  test('log out deletes the session: the old cookie no longer works', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    const old = p.client.cookie;
    const res = await p.client.post('/api/logout', {});
    assert.equal(assertOk(res).status, 'signed_out');
    assert.match(res.setCookie[0], /^session=; Path=\/api; Max-Age=0/);
    assert.equal(p.client.cookie, null);
    assertError(await p.client.get('/api/profile'), 401, 'UNAUTHENTICATED');
    assertError(await p.client.get('/api/profile', { cookie: old }), 401, 'UNAUTHENTICATED');
    // Logging out again is harmless.
    assertOk(await p.client.post('/api/logout', {}));
  });

  test('two sessions are independent: logging out one keeps the other', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    const laptop = edge.client();
    assertOk(await laptop.post('/api/login', { username: p.name, password: p.password }));
    assertOk(await p.client.post('/api/logout', {}));
    assertOk(await laptop.get('/api/profile'));
  });

  test('no session or a forged one: UNAUTHENTICATED', async () => {
    const a = new Person(edge);
    const b = new Person(edge);
    assertOk(await a.signup(), 201);
    assertOk(await b.signup(), 201);
    assertError(await edge.client().get('/api/profile'), 401, 'UNAUTHENTICATED');
    const [, secretA, macA] = a.client.cookie.split('.');
    const [userB] = b.client.cookie.split('.');
    // A's random part (and MAC) under B's name: the MAC does not match.
    assertError(await edge.client().get('/api/profile', { cookie: `${userB}.${secretA}.${macA}` }), 401, 'UNAUTHENTICATED');
    assertError(await edge.client().get('/api/profile', { cookie: `${userB}.${secretA}` }), 401, 'UNAUTHENTICATED');
    // A's device cookie is not a session.
    assertError(await edge.client().get('/api/profile', { cookie: a.client.device }), 401, 'UNAUTHENTICATED');
    for (const bad of ['garbage', 'a.b', `${userB}.`, `.${secretA}`, `${userB}.${secretA}.x`, `%%%.${secretA}`]) {
      assertError(await edge.client().get('/api/profile', { cookie: bad }), 401, 'UNAUTHENTICATED');
    }
  });
});

describe('usernames as people type them', () => {
  test('case and Unicode normalisation: "Ünïcode" (NFC) and its NFD form are one account', async () => {
    const base = uniqueName('Ünïcode');
    const nfd = base.normalize('NFD');
    assert.notEqual(nfd, base.normalize('NFC'));
    const p = new Person(edge, { name: base.normalize('NFC') });
    const body = assertOk(await p.signup(), 201);
    assert.equal(body.username, base.normalize('NFC').toLowerCase());
    assertError(await edge.client().post('/api/signup', { username: nfd.toUpperCase(), password: 'another password' }), 409, 'USERNAME_TAKEN');
    const res = await edge.client().post('/api/login', { username: nfd.toUpperCase(), password: p.password });
    assert.equal(assertOk(res).username, body.username);
  });

  test('USERNAME_TAKEN leaves the first account untouched', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    assertError(await edge.client().post('/api/signup', { username: p.name, password: 'hijack attempt' }), 409, 'USERNAME_TAKEN');
    assertOk(await edge.client().post('/api/login', { username: p.name, password: p.password }));
    assertError(await edge.client().post('/api/login', { username: p.name, password: 'hijack attempt' }), 401, 'WRONG_PASSWORD');
  });

  test('emoji, CJK, right-to-left and 64-character names work', async () => {
    for (const name of [`名前-${uniqueName('')}`, `🔐${uniqueName('')}`, `שלום-${uniqueName('')}`, 'x'.repeat(52) + uniqueName('').slice(-12)]) {
      const p = new Person(edge, { name: name.slice(0, 64) });
      assertOk(await p.signup(), 201);
      assertOk(await edge.client().post('/api/login', { username: p.name, password: p.password }));
    }
  });

  test('a new password needs 8 characters', async () => {
    const e = assertError(await edge.client().post('/api/signup', { username: uniqueName(), password: 'short' }), 400, 'INVALID_ARGUMENT');
    assert.equal(e.field, 'password');
  });
});

test('nothing secret in workerd\'s output', () => {
  assert.ok(edge.secrets.size > 10);
  assert.deepEqual(edge.leakedSecrets(), []);
  assert.match(edge.log, /POST \/api\/signup 201/, 'route lines are logged');
});
