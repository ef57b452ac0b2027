// Server keys and data at rest: TOTP secrets are only stored AES-GCM encrypted (with their key
// id, so keys rotate), recovery and removal codes only as keyed hashes, passwords only as
// PBKDF2 hashes, sessions/tickets/tokens only as SHA-256. The state folder's files are searched
// for every one of them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Edge, Person, assertError, assertOk, newKeys, startEdge } from './support/edge.mjs';

/** Every file under the state folder (SQLite databases, WAL and SHM files), concatenated. */
function stateBytes(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(stateBytes(p));
    else out.push(readFileSync(p));
  }
  return Buffer.concat(out);
}

function base32Bytes(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of s) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

let edges = [];
after(async () => {
  for (const e of edges) await e.stop();
});

test('no TOTP secret, recovery code, removal code, password or bearer value in the state files', async () => {
  const edge = await startEdge();
  edges.push(edge);
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  await p.enroll({ removalCode: true });
  const pending = assertOk(await p.client.post('/api/2fa/enroll', {})); // a pending secret too
  const { token } = assertOk(await p.client.post('/api/tokens', { name: 'r', expiresInDays: 3 }), 201);
  const ticket = await p.ticket();
  await edge.kill(); // flushes nothing extra: what is on disk is what a crash leaves

  const disk = stateBytes(edge.stateDir);
  assert.ok(disk.length > 0);
  const secret = p.factors.get(p.firstFactor()).secret;
  const pendingSecret = pending.key.replaceAll(' ', '');
  const texts = [
    secret,
    secret.toLowerCase(),
    pendingSecret,
    p.password,
    p.removalCode,
    p.removalCode.replaceAll(' ', ''),
    ...p.recoveryCodes,
    ...p.recoveryCodes.map((c) => c.replaceAll('-', '')),
    token.split('.')[2],
    ticket.split('.')[1],
    p.client.cookie.split('.')[1],
  ];
  for (const t of texts) assert.equal(disk.indexOf(Buffer.from(t)), -1, 'a secret value is stored in clear');
  for (const b of [base32Bytes(secret), base32Bytes(pendingSecret)]) {
    assert.equal(disk.indexOf(b), -1, 'raw TOTP key bytes are stored');
  }
  for (const v of Object.values(edge.keys.encryptionKeys)) assert.equal(disk.indexOf(Buffer.from(v)), -1);
});

test('key rotation: a new current key, old secrets re-encrypted at login, then the old key can go', async () => {
  const k1 = newKeys(['k1']);
  const edge = await startEdge({ keys: k1 });
  edges.push(edge);
  const rotated = new Person(edge);
  const late = new Person(edge);
  for (const p of [rotated, late]) {
    assertOk(await p.signup(), 201);
    await p.enroll();
  }
  // Add k2 as the current key, keep k1 to decrypt.
  const k12 = { ...k1, encryptionKeys: { ...k1.encryptionKeys, k2: newKeys(['k2']).encryptionKeys.k2 }, currentEncryptionKey: 'k2' };
  await edge.restart({ keys: k12 });
  assert.equal(assertOk(await rotated.loginWithCode()).authenticatedWith, 'otp');
  // A new authenticator under k2 for good measure.
  await rotated.enroll({ name: 'Tablet' });
  // Drop k1: the person who signed in meanwhile still can.
  const k2only = { ...k12, encryptionKeys: { k2: k12.encryptionKeys.k2 } };
  await edge.restart({ keys: k2only });
  assert.equal(assertOk(await rotated.loginWithCode()).authenticatedWith, 'otp');
  // Whose secret is still under the dropped key is told, not silently reset.
  const ticket = await late.ticket();
  const { code } = await late.code();
  assertError(await late.client.post('/api/login/verify', { ticket, code }), 500, 'SERVER_MISCONFIGURED');
  // Put k1 back: it works again (nothing was lost).
  await edge.restart({ keys: k12 });
  assert.equal(assertOk(await late.loginWithCode()).authenticatedWith, 'otp');
  assert.deepEqual(edge.leakedSecrets(), []);
});

test('without TOTP_WASM_KEYS the API answers SERVER_MISCONFIGURED and the page is still served', async () => {
  const edge = new Edge({ keys: null });
  edges.push(edge);
  await edge.start();
  const c = edge.client();
  assertError(await c.post('/api/signup', { username: 'someone', password: 'long enough' }), 500, 'SERVER_MISCONFIGURED');
  const page = await fetch(`${edge.base}/`);
  assert.equal(page.status, 200);
  await page.arrayBuffer();
  assertError(await c.get('/api/nope'), 404, 'NOT_FOUND');
});

test('nothing secret in workerd\'s output', () => {
  for (const e of edges) assert.deepEqual(e.leakedSecrets(), []);
});
