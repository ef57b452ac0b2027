// Hostile and broken input: malformed JSON, huge bodies, wrong types, missing and unknown
// fields, long and unusual usernames, wrong content types, cross-origin posts, odd paths and
// methods. Each gets a 4xx with a typed code, and the account is unchanged afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Person, assertError, assertOk, startEdge, uniqueName } from './support/edge.mjs';

let edge;
let victim; // an account with 2FA on, whose state must not move
let snapshot;
before(async () => {
  edge = await startEdge();
  victim = new Person(edge);
  assertOk(await victim.signup(), 201);
  await victim.enroll({ removalCode: true });
  snapshot = assertOk(await victim.client.get('/api/profile'));
});
after(async () => {
  await edge?.stop();
});

/** A raw HTTP request (no fetch normalisation; any header, any body, chunked if asked). */
function raw(method, path, { headers = {}, body, chunks } = {}) {
  if (body !== undefined && !chunks && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers = { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
  }
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: edge.port, method, path, headers, timeout: 10_000 }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString();
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON
        }
        ok({ status: res.statusCode, headers: res.headers, text, body: json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', fail);
    if (chunks) {
      for (const c of chunks) req.write(c);
      req.end();
    } else req.end(body);
  });
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

describe('request rules', () => {
  test('malformed JSON: NOT_JSON', async () => {
    for (const body of ['{', '{"username": "a",}', "{'a': 1}", 'nul', '{"a":1}{"b":2}', '\u0000', '{"a": NaN}']) {
      const res = await raw('POST', '/api/login', { headers: JSON_HEADERS, body });
      assertError(res, 400, 'NOT_JSON');
    }
    // Invalid UTF-8.
    assertError(await raw('POST', '/api/login', { headers: JSON_HEADERS, body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]) }), 400, 'NOT_JSON');
  });

  test('JSON that is not an object: INVALID_ARGUMENT', async () => {
    for (const body of ['[]', '"text"', '42', 'null', 'true', '[{"username":"a"}]']) {
      assertError(await raw('POST', '/api/login', { headers: JSON_HEADERS, body }), 400, 'INVALID_ARGUMENT');
    }
  });

  test('wrong content types: 415 NOT_JSON', async () => {
    const body = JSON.stringify({ username: victim.name, password: victim.password });
    for (const type of [null, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/json; charset=latin1', 'text/json']) {
      const headers = type ? { 'Content-Type': type } : {};
      assertError(await raw('POST', '/api/login', { headers, body }), 415, 'NOT_JSON');
    }
    // A form post from anywhere never signs in.
    assertError(await raw('POST', '/api/login', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `username=${victim.name}&password=${victim.password}` }), 415, 'NOT_JSON');
    assertOk(await raw('POST', '/api/login', { headers: { 'Content-Type': 'Application/JSON; Charset=UTF-8' }, body }));
  });

  test('huge bodies: 413 BODY_TOO_LARGE, by Content-Length or by counting a chunked stream', async () => {
    const big = JSON.stringify({ username: 'a', password: 'x'.repeat(20_000) });
    assertError(await raw('POST', '/api/login', { headers: JSON_HEADERS, body: big }), 413, 'BODY_TOO_LARGE');
    const chunk = 'x'.repeat(4096);
    const res = await raw('POST', '/api/signup', {
      headers: { ...JSON_HEADERS, 'Transfer-Encoding': 'chunked' },
      chunks: ['{"username":"a","password":"', ...Array(8).fill(chunk), '"}'],
    });
    assertError(res, 413, 'BODY_TOO_LARGE');
    // A declared length over the limit is refused before any byte is read.
    assertError(await raw('POST', '/api/signup', { headers: { ...JSON_HEADERS, 'Content-Length': '99999999' }, body: '{}' }), 413, 'BODY_TOO_LARGE');
    // Deep nesting inside the limit is just JSON that is not the right shape.
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const r2 = await raw('POST', '/api/login', { headers: JSON_HEADERS, body: deep });
    assert.ok(r2.status === 400 && ['INVALID_ARGUMENT', 'NOT_JSON'].includes(r2.body.error.code), r2.text);
  });

  test('wrong types, missing and unknown fields: INVALID_ARGUMENT naming the field', async () => {
    const c = edge.client();
    const cases = [
      [{ username: 42, password: 'x' }, 'username'],
      [{ username: victim.name, password: 12345678 }, 'password'],
      [{ username: [victim.name], password: victim.password }, 'username'],
      [{ username: { toString: 'x' }, password: victim.password }, 'username'],
      [{ username: null, password: victim.password }, 'username'],
      [{ username: victim.name }, 'password'],
      [{ password: victim.password }, 'username'],
      [{ username: victim.name, password: victim.password, admin: true }, undefined],
    ];
    for (const [body, field] of cases) {
      const e = assertError(await c.post('/api/login', body), 400, 'INVALID_ARGUMENT');
      assert.equal(e.field, field, JSON.stringify(body));
    }
    const raw__proto__ = '{"username":"a","password":"bbbbbbbb","__proto__":{"admin":true}}';
    assertError(await raw('POST', '/api/login', { headers: JSON_HEADERS, body: raw__proto__ }), 400, 'INVALID_ARGUMENT');
    // The same on authenticated routes.
    const s = victim.client;
    assertError(await s.post('/api/2fa/enroll/confirm', { code: 123456, password: victim.password }), 400, 'INVALID_ARGUMENT');
    assertError(await s.post('/api/2fa/enroll/confirm', { code: '123456', password: victim.password, removalCode: 'yes' }), 400, 'INVALID_ARGUMENT');
    assertError(await s.post('/api/2fa/disable', {}), 400, 'INVALID_ARGUMENT');
    assertError(await s.post('/api/2fa/disable', { password: ['x'] }), 400, 'INVALID_ARGUMENT');
    assertError(await s.post('/api/2fa/recovery-codes', { password: victim.password, removalCode: 1 }), 400, 'INVALID_ARGUMENT');
    assertError(await s.post('/api/2fa/enroll', { issuer: 'Evil' }), 400, 'INVALID_ARGUMENT');
    assertError(await s.patch('/api/2fa/authenticators/1', { name: 7 }), 400, 'INVALID_ARGUMENT');
    assertError(await s.post('/api/login/verify', { ticket: 5, code: '123456' }), 400, 'INVALID_ARGUMENT');
    assertError(await s.post('/api/login/verify', { ticket: 'x', code: '1'.repeat(33) }), 401, 'TICKET_EXPIRED');
    assertError(await s.post('/api/2fa/remove', { username: victim.name, password: victim.password, removalCode: '' }), 400, 'INVALID_ARGUMENT');
  });

  test('long and unusual usernames: INVALID_ARGUMENT, never an account', async () => {
    const c = edge.client();
    const bad = [
      '',
      ' ',
      ' leading',
      'trailing ',
      'double  space',
      'x'.repeat(65),
      'x'.repeat(10_000),
      'é'.repeat(65),
      'tab\there',
      'new\nline',
      'nul\u0000byte',
      'del\u007f',
      'zero\u200bwidth',
      'bidi\u202eoverride',
      'bom\ufeff',
      'lone\ud800surrogate',
      'private\ue000use',
      'line\u2028separator',
      'nbsp\u00a0space',
      'unassigned\u0378',
    ];
    for (const username of bad) {
      const e = assertError(await c.post('/api/signup', { username, password: 'long enough password' }), 400, 'INVALID_ARGUMENT');
      assert.equal(e.field, 'username', JSON.stringify(username));
      assertError(await c.post('/api/login', { username, password: 'long enough password' }), 400, 'INVALID_ARGUMENT');
    }
    // 64 characters of 4-byte emoji are fine; 65 are not.
    const emoji64 = '😀'.repeat(60) + uniqueName('').slice(-4);
    assertOk(await c.post('/api/signup', { username: emoji64, password: 'long enough password' }), 201);
    assertError(await c.post('/api/signup', { username: emoji64 + '😀', password: 'long enough password' }), 400, 'INVALID_ARGUMENT');
  });

  test('passwords: too long, not text', async () => {
    const c = edge.client();
    assertError(await c.post('/api/signup', { username: uniqueName(), password: 'x'.repeat(257) }), 400, 'INVALID_ARGUMENT');
    assertError(await c.post('/api/signup', { username: uniqueName(), password: 'a\ud800bcdefgh' }), 400, 'INVALID_ARGUMENT');
    assertError(await c.post('/api/login', { username: victim.name, password: '' }), 400, 'INVALID_ARGUMENT');
  });
});

describe('cross-origin requests', () => {
  test('Origin of another site, Origin null or Sec-Fetch-Site cross-site/same-site: 403 CROSS_ORIGIN', async () => {
    const body = JSON.stringify({ username: victim.name, password: victim.password });
    const cookie = `session=${victim.client.cookie}`;
    for (const headers of [
      { Origin: 'https://evil.example' },
      { Origin: 'null' },
      { Origin: `http://127.0.0.1:${edge.port + 1}` },
      { Origin: `https://127.0.0.1:${edge.port}` },
      { 'Sec-Fetch-Site': 'cross-site' },
      { 'Sec-Fetch-Site': 'same-site' },
      { Origin: `http://127.0.0.1:${edge.port}`, 'Sec-Fetch-Site': 'cross-site' },
    ]) {
      const h = { ...JSON_HEADERS, ...headers, Cookie: cookie };
      assertError(await raw('POST', '/api/login', { headers: h, body }), 403, 'CROSS_ORIGIN');
      assertError(await raw('POST', '/api/2fa/disable', { headers: h, body: JSON.stringify({ password: victim.password }) }), 403, 'CROSS_ORIGIN');
      assertError(await raw('POST', '/api/logout', { headers: h, body: '{}' }), 403, 'CROSS_ORIGIN');
      assertError(await raw('DELETE', '/api/2fa/authenticators/1', { headers: h, body: JSON.stringify({ password: victim.password }) }), 403, 'CROSS_ORIGIN');
      assertError(await raw('POST', '/api/tokens', { headers: h, body: JSON.stringify({ name: 'x', expiresInDays: 1 }) }), 403, 'CROSS_ORIGIN');
    }
    // The victim's session still works and nothing moved.
    assertOk(await victim.client.get('/api/profile'));
  });

  test('no CORS: preflights are not answered with permissions', async () => {
    const res = await raw('OPTIONS', '/api/login', { headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    assertError(res, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });
});

describe('paths and methods', () => {
  test('unknown API paths: JSON 404 NOT_FOUND; known paths with another method: 405 with Allow', async () => {
    for (const path of ['/api/nope', '/api/', '/api/login/verify/x', '/api/2fa/authenticators/abc', '/api/%2e%2e/login', '/api/tokens/', '/api/profile?x=1#y']) {
      const res = await raw('GET', path);
      if (path === '/api/2fa/authenticators/abc') assertError(res, 405, 'METHOD_NOT_ALLOWED');
      else if (path === '/api/profile?x=1#y') assertError(res, 401, 'UNAUTHENTICATED');
      else assertError(res, 404, 'NOT_FOUND');
    }
    const res = await raw('GET', '/api/login');
    assertError(res, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(res.headers.allow, 'POST');
    assertError(await raw('PUT', '/api/tokens', { headers: JSON_HEADERS, body: '{}' }), 405, 'METHOD_NOT_ALLOWED');
    const del = await victim.client.delete('/api/2fa/authenticators/abc', { password: victim.password });
    assertError(del, 404, 'NOT_FOUND');
    assertError(await victim.client.delete('/api/2fa/authenticators/99', { password: victim.password }), 404, 'NOT_FOUND');
  });
});

test('the account under attack is unchanged and still works', async () => {
  const now = assertOk(await victim.client.get('/api/profile'));
  assert.deepEqual(now.twoFactor, snapshot.twoFactor);
  assert.equal(assertOk(await victim.loginWithCode()).authenticatedWith, 'otp');
});

test('nothing secret in workerd\'s output', () => {
  assert.deepEqual(edge.leakedSecrets(), []);
});
