// What a stranger can learn and leave behind: forged sessions, tickets, tokens and device
// cookies are refused in the worker (MAC) before any Durable Object is reached; unknown
// usernames reach no user object; a wrong password and an unknown username get byte-identical
// answers (apart from the Date header), also while the account's shared count is locked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Person, assertError, assertOk, pool, startEdge, uniqueName } from './support/edge.mjs';

let edge;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge?.stop();
});

/** Every file under the state folder (workerd's SQLite files, -wal and -shm included). */
function files(dir = edge.stateDir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? files(join(dir, e.name)) : 1;
  return n;
}

/** The Directory shard of a name (edge/directory.js: first byte of SHA-256 mod 16). */
const shardOf = (name) => createHash('sha256').update(`dir:${name}`).digest()[0] % 16;

const b64 = (text) => Buffer.from(text).toString('base64url');
const rand = (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(Math.random() * 256))).toString('base64url');

test('1,000 requests with forged credentials or unknown usernames leave the state folder\'s file count unchanged', async () => {
  // The 16 directory shards exist once real people have signed up into each; strangers can
  // wake no other object. Sign up until every shard has someone.
  const victim = new Person(edge);
  assertOk(await victim.signup(), 201);
  await victim.enroll({ removalCode: true });
  const seen = new Set([shardOf(victim.name)]);
  while (seen.size < 16) {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    seen.add(shardOf(p.name));
  }
  const [vUser, vSecret, vMac] = victim.client.cookie.split('.');
  await edge.restart();
  const before = files();

  const requests = [];
  for (let i = 0; i < 1000; i++) {
    const nobody = uniqueName('nobody');
    const kind = i % 10;
    const session = kind === 0 ? `${b64(nobody)}.${rand(32)}.${rand(16)}` : `${vUser}.${rand(32)}.${vMac}`;
    requests.push(
      [
        () => edge.client().post('/api/login', { username: nobody, password: 'a guess of mine' }),
        () => edge.client().get('/api/profile', { cookie: session }),
        () => edge.client().post('/api/login/verify', { ticket: `${b64(nobody)}.${rand(32)}.${rand(16)}`, code: '123456' }),
        () => edge.client({ origin: false }).get('/api/update', { headers: { Authorization: `Bearer ${b64(nobody)}.${rand(9)}.${rand(32)}.${rand(16)}` } }),
        () => edge.client().post('/api/2fa/remove', { username: nobody, password: 'a guess of mine', removalCode: '1234 5678 9012 3456' }),
        () => edge.client().post('/api/tokens', { name: 'x', expiresInDays: 1 }, { cookie: `${vUser}.${vSecret}.${rand(16)}` }),
        () => edge.client().post('/api/logout', {}, { cookie: `${b64(nobody)}.${rand(32)}.${rand(16)}` }),
        () => edge.client().get('/api/sessions', { cookie: session }),
        () => edge.client().post('/api/login', { username: nobody, password: 'another guess' }, { device: `${b64(nobody)}.${rand(9)}.${rand(16)}` }),
        () => edge.client().delete('/api/account', { password: 'a guess of mine' }, { cookie: session }),
      ][kind],
    );
  }
  const responses = await pool(requests, 8, (fn) => fn());
  // Every one refused (401), except logout, which answers "signed out" to anyone.
  responses.forEach((r, i) => assert.equal(r.status, i % 10 === 6 ? 200 : 401, `request kind ${i % 10}: ${r.text}`));
  await edge.restart();
  assert.equal(files(), before, 'no new file in the state folder');
  // The victim's account still works.
  assertOk(await victim.client.get('/api/profile'));
});

/** Headers of an answer without Date. */
function headersOf(res) {
  return [...res.headers].filter(([k]) => k !== 'date');
}

test('a wrong password and an unknown username: the same status, body and headers', async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  const wrong = await edge.client().post('/api/login', { username: p.name, password: 'not the password' });
  const unknown = await edge.client().post('/api/login', { username: uniqueName('nobody'), password: 'not the password' });
  const e = assertError(wrong, 401, 'WRONG_PASSWORD');
  assert.deepEqual(Object.keys(e).sort(), ['code', 'message'], 'no attemptsLeft');
  assert.equal(wrong.status, unknown.status);
  assert.equal(wrong.text, unknown.text);
  assert.deepEqual(headersOf(wrong), headersOf(unknown));
  // The same for the removal-code route.
  const body = { password: 'not the password', removalCode: '1234 5678 9012 3456' };
  const r1 = await edge.client().post('/api/2fa/remove', { ...body, username: p.name });
  const r2 = await edge.client().post('/api/2fa/remove', { ...body, username: uniqueName('nobody') });
  assert.deepEqual([r1.status, r1.text, headersOf(r1)], [r2.status, r2.text, headersOf(r2)]);
});

test('while the shared count is locked, the account still answers like an unknown name', async () => {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  const guesses = await pool(Array.from({ length: 15 }), 5, (_, i) => edge.client().post('/api/login', { username: p.name, password: `guess ${i}` }));
  const unknown = await edge.client().post('/api/login', { username: uniqueName('nobody'), password: 'guess 0' });
  const locked = await edge.client().post('/api/login', { username: p.name, password: p.password });
  for (const r of [...guesses, locked]) {
    assert.deepEqual([r.status, r.text, headersOf(r)], [unknown.status, unknown.text, headersOf(unknown)]);
  }
  // The owner's browser is not locked.
  assert.equal(assertOk(await p.login()).status, 'signed_in');
});

test('nothing secret in workerd\'s output', () => {
  assert.deepEqual(edge.leakedSecrets(), []);
});
