// State and keys written before the account-security upgrade (edge/README.md, "Upgrading"):
// keys without a macKey are refused with a clear SERVER_MISCONFIGURED (cargo xtask demo adds
// one to keys.json); an account made before the Directory existed signs in again after one
// sign-up attempt with its name (409, and the name is recorded), with its password and 2FA kept.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Person, assertError, assertOk, newKeys, startEdge } from './support/edge.mjs';

const edges = [];
after(async () => {
  for (const e of edges) await e.stop();
});

test('keys without macKey: SERVER_MISCONFIGURED naming it', async () => {
  const { macKey, ...old } = newKeys();
  assert.ok(macKey);
  const edge = await startEdge({ keys: old });
  edges.push(edge);
  const e = assertError(await edge.client().post('/api/login', { username: 'someone', password: 'whatever1' }), 500, 'SERVER_MISCONFIGURED');
  assert.match(e.message, /macKey/);
});

test('an account the Directory does not know: a sign-up with its name records it, and it signs in as before', async () => {
  const edge = await startEdge();
  edges.push(edge);
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  await p.enroll();
  // What an account made before the Directory looks like: its object, no directory entry.
  await edge.kill();
  rmSync(join(edge.stateDir, 'totp-wasm-directory'), { recursive: true, force: true });
  await edge.start();
  assertError(await edge.client().post('/api/login', { username: p.name, password: p.password }), 401, 'WRONG_PASSWORD');
  assertError(await edge.client().post('/api/signup', { username: p.name, password: 'any password at all' }), 409, 'USERNAME_TAKEN');
  p.client.cookie = null;
  assertOk(await p.loginWithCode());
  const profile = assertOk(await p.client.get('/api/profile'));
  assert.equal(profile.twoFactor.enabled, true);
  assert.deepEqual(edge.leakedSecrets(), []);
});
