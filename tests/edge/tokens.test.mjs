// Update-client tokens (the No-IP DUC case): named, listable, expiring credentials created by a
// logged-in user; the update endpoint takes the token alone and keeps working with 2FA on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Person, assertError, assertOk, nowSeconds, startEdge } from './support/edge.mjs';

let edge;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge?.stop();
});

const bearer = (token) => ({ headers: { Authorization: `Bearer ${token}` } });

test('create, list and delete named tokens; the value is shown once', async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  const created = assertOk(await p.client.post('/api/tokens', { name: 'Home router', expiresInDays: 30 }), 201);
  assert.equal(created.name, 'Home router');
  assert.match(created.id, /^[A-Za-z0-9_-]{12}$/);
  assert.match(created.token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}$/, 'name, id, random part, MAC');
  assert.ok(Math.abs(created.expiresAt - (nowSeconds() + 30 * 86400)) < 60);
  const second = assertOk(await p.client.post('/api/tokens', { name: 'NAS', expiresInDays: 1 }), 201);

  const list = assertOk(await p.client.get('/api/tokens'));
  assert.deepEqual(list.tokens.map((t) => [t.id, t.name, t.expired, t.lastUsed]).sort(), [
    [created.id, 'Home router', false, null],
    [second.id, 'NAS', false, null],
  ].sort());
  assert.doesNotMatch(JSON.stringify(list), new RegExp(created.token.split('.')[2]), 'values are never listed');

  assert.equal(assertOk(await p.client.delete(`/api/tokens/${second.id}`)).status, 'deleted');
  assertError(await p.client.delete(`/api/tokens/${second.id}`), 404, 'NOT_FOUND');
  assert.deepEqual(assertOk(await p.client.get('/api/tokens')).tokens.map((t) => t.id), [created.id]);
  assertError(await edge.client().get('/api/tokens'), 401, 'UNAUTHENTICATED');
});

test('the update endpoint: GET or POST with the bearer token alone, also after 2FA is turned on', async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  const { token, id } = assertOk(await p.client.post('/api/tokens', { name: 'ddclient', expiresInDays: 365 }), 201);
  const duc = edge.client({ origin: false }); // an update client: no browser, no cookie
  let r = assertOk(await duc.get('/api/update?hostname=home.example.net', bearer(token)));
  assert.deepEqual([r.status, r.username, r.token.id, r.token.name], ['updated', p.name, id, 'ddclient']);

  await p.enroll();
  assert.equal(assertOk(await p.client.get('/api/profile')).twoFactor.enabled, true);
  r = assertOk(await duc.request('POST', '/api/update', 'myip=192.0.2.1', { headers: { ...bearer(token).headers, 'Content-Type': 'application/x-www-form-urlencoded' } }));
  assert.equal(r.status, 'updated');
  r = assertOk(await duc.get('/api/update', bearer(token)));
  const listed = assertOk(await p.client.get('/api/tokens')).tokens[0];
  assert.ok(Math.abs(listed.lastUsed - nowSeconds()) < 60);
  // The session cookie is not an update credential, and the token is not a session.
  assertError(await p.client.get('/api/update'), 401, 'UNAUTHENTICATED');
  assertError(await duc.get('/api/profile', { cookie: token }), 401, 'UNAUTHENTICATED');
});

test('wrong, forged, deleted tokens: 401 UNAUTHENTICATED with WWW-Authenticate', async () => {
  const a = new Person(edge);
  const b = new Person(edge);
  assertOk(await a.signup(), 201);
  assertOk(await b.signup(), 201);
  const ta = assertOk(await a.client.post('/api/tokens', { name: 'a', expiresInDays: 5 }), 201);
  const tb = assertOk(await b.client.post('/api/tokens', { name: 'b', expiresInDays: 5 }), 201);
  const [userA, idA, secretA] = ta.token.split('.');
  const [userB, idB] = tb.token.split('.');
  const duc = edge.client({ origin: false });
  for (const bad of [
    `${userB}.${idA}.${secretA}`, // A's token under B's name
    `${userA}.${idB}.${secretA}`, // A's secret with B's id
    // One character of the secret changed (never to itself: the last one may already be 'A').
    `${userA}.${idA}.${secretA.slice(0, 5)}${secretA[5] === 'A' ? 'B' : 'A'}${secretA.slice(6)}`,
    `${userA}.${idA}`,
    'nonsense',
  ]) {
    const res = await duc.get('/api/update', bearer(bad));
    assertError(res, 401, 'UNAUTHENTICATED');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
  }
  assertError(await duc.get('/api/update'), 401, 'UNAUTHENTICATED');
  assertError(await duc.get('/api/update', { headers: { Authorization: `Basic ${btoa('a:b')}` } }), 401, 'UNAUTHENTICATED');
  assertOk(await duc.get('/api/update', bearer(ta.token)));
  assertOk(await a.client.delete(`/api/tokens/${ta.id}`));
  assertError(await duc.get('/api/update', bearer(ta.token)), 401, 'UNAUTHENTICATED');
  assertOk(await duc.get('/api/update', bearer(tb.token)));
});

test('token names and lifetimes are validated; at most 20 tokens', async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  for (const body of [
    { name: 'x', expiresInDays: 0 },
    { name: 'x', expiresInDays: 366 },
    { name: 'x', expiresInDays: 1.5 },
    { name: 'x', expiresInDays: '30' },
    { name: '', expiresInDays: 30 },
    { name: 'x'.repeat(65), expiresInDays: 30 },
    { name: 'x' },
    { name: 'x', expiresInDays: 3, scope: 'all' },
  ]) {
    assertError(await p.client.post('/api/tokens', body), 400, 'INVALID_ARGUMENT');
  }
  for (let i = 0; i < 20; i++) assertOk(await p.client.post('/api/tokens', { name: `t${i}`, expiresInDays: 1 }), 201);
  assertError(await p.client.post('/api/tokens', { name: 'one too many', expiresInDays: 1 }), 409, 'LIMIT_REACHED');
  assert.equal(assertOk(await p.client.get('/api/tokens')).tokens.length, 20);
});

test('nothing secret in workerd\'s output', () => {
  assert.ok(edge.secrets.size > 20);
  assert.deepEqual(edge.leakedSecrets(), []);
});
