// The security log (edge/security-log.js) as a pure module: the chain formula against
// node:crypto's SHA-256, the vocabulary whitelist, the bound, and what verification catches.
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  EVENTS,
  LOG_LIMIT,
  ZERO_HASH,
  appendEvent,
  checkEvent,
  exportLog,
  verifyChain,
  verifyMac,
  verifySecurityLog,
} from '../../edge/security-log.js';
import { hex, hmacSha256, sha256 } from '../../edge/sha256.js';
import { MemoryStore } from './support/memory-store.mjs';

const key = randomBytes(32);
const log = { key: new Uint8Array(key), subject: 'alice' };
const T0 = 1_795_000_000;

/** The formula, computed with node:crypto. */
function nodeHash(prev, { seq, at, type, detail }) {
  return createHash('sha256').update(`${prev}\n${JSON.stringify({ seq, at, type, detail })}`).digest('hex');
}

async function filled(n) {
  const store = new MemoryStore();
  for (let i = 0; i < n; i++) {
    await appendEvent(store, log, i % 2 ? 'sign-in' : 'second-factor-failed', { method: 'otp' }, T0 + i);
  }
  return store;
}

test('sha256 and hmacSha256 agree with node:crypto on every length 0-300 and multi-byte text', () => {
  for (let n = 0; n <= 300; n++) {
    const data = randomBytes(n);
    assert.equal(hex(sha256(data)), createHash('sha256').update(data).digest('hex'), `length ${n}`);
    const k = randomBytes(n % 130);
    assert.equal(hex(hmacSha256(k, data)), createHmac('sha256', k).update(data).digest('hex'), `hmac ${n}`);
  }
  const text = 'Grüße, 日本, 🙂\n';
  assert.equal(hex(sha256(text)), createHash('sha256').update(text, 'utf8').digest('hex'));
  // FIPS 180-4 example "abc".
  assert.equal(hex(sha256('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('each event chains onto the previous with the documented formula (first prev: 64 zeros)', async () => {
  const store = new MemoryStore();
  const a = await appendEvent(store, log, 'sign-in', { method: 'password' }, T0);
  const b = await appendEvent(store, log, 'operator-reset', { reason: 'ID checked by phone', operator: 'ann' }, T0 + 5);
  assert.deepEqual(Object.keys(a), ['seq', 'at', 'type', 'detail', 'hash']);
  assert.equal(a.seq, 1);
  assert.equal(a.hash, nodeHash(ZERO_HASH, a));
  assert.equal(b.seq, 2);
  // The detail is stored in the vocabulary's field order, whatever order the caller used.
  assert.deepEqual(Object.keys(b.detail), ['operator', 'reason']);
  assert.equal(b.hash, nodeHash(a.hash, b));
  const exported = await exportLog(store, 'alice');
  assert.deepEqual(exported.head, { seq: 2, hash: b.hash });
  assert.deepEqual(exported.base, { seq: 0, hash: ZERO_HASH });
  assert.deepEqual(exported.events, [a, b]);
  // The export survives JSON (what a client receives) and verifies from it alone.
  const roundTrip = JSON.parse(JSON.stringify(exported));
  assert.deepEqual(verifyChain(roundTrip), { ok: true, events: 2, head: exported.head });
  assert.deepEqual(verifySecurityLog(roundTrip, { key }), { ok: true, chain: verifyChain(roundTrip), mac: 'valid' });
});

test('the vocabulary refuses unknown types, unknown or missing fields and bad values', () => {
  assert.throws(() => checkEvent('coffee', {}), { code: 'UNKNOWN_EVENT' });
  assert.throws(() => checkEvent('sign-in', { method: 'otp', code: '123456' }), { code: 'INVALID_EVENT' });
  assert.throws(() => checkEvent('sign-in', {}), { code: 'INVALID_EVENT' });
  assert.throws(() => checkEvent('sign-in', { method: 'magic' }), { code: 'INVALID_EVENT' });
  assert.throws(() => checkEvent('operator-reset', { operator: 'ann', reason: '' }), { code: 'INVALID_EVENT' });
  assert.throws(() => checkEvent('operator-reset', { operator: 'ann', reason: 'x'.repeat(501) }), { code: 'INVALID_EVENT' });
  assert.throws(() => checkEvent('operator-reset', { operator: 'ann', reason: 'a\nb' }), { code: 'INVALID_EVENT' });
  assert.throws(() => checkEvent('operator-reset', { operator: 'a b', reason: 'ok' }), { code: 'INVALID_EVENT' });
  assert.throws(() => checkEvent('recovery-code-used', { remaining: -1 }), { code: 'INVALID_EVENT' });
  assert.throws(() => checkEvent('removal-code-used', null), { code: 'INVALID_EVENT' });
  assert.deepEqual(checkEvent('operator-lookup', { operator: 'ann' }), { operator: 'ann' });
  // 500 code points is the limit, not 500 UTF-16 units.
  assert.doesNotThrow(() => checkEvent('operator-unlock', { operator: 'ann', reason: '🙂'.repeat(500) }));
});

test('no field of the vocabulary can hold a secret: names and kinds are a fixed whitelist', () => {
  const secretish = /code$|^code|password|secret|ticket|cookie|^token$|session|key/i;
  for (const [type, fields] of Object.entries(EVENTS)) {
    for (const [name, kind] of Object.entries(fields)) {
      assert.ok(!secretish.test(name), `${type}.${name}`);
      // Free text is only a user's label or an operator's reason, both bounded.
      if (typeof kind === 'string') assert.match(kind, /^(id|count|time|bool|label|reason|tokenId|operator)\??$/, `${type}.${name}`);
    }
  }
});

test('bounded: the last 1,000 events stay, the base keeps the hash before the oldest, and it verifies', async () => {
  const n = LOG_LIMIT + 37;
  const store = await filled(n);
  const exported = await exportLog(store, 'alice');
  assert.equal(exported.events.length, LOG_LIMIT);
  assert.equal(exported.events[0].seq, 38);
  assert.equal(exported.base.seq, 37);
  assert.equal(exported.head.seq, n);
  // The base hash is the dropped event 37's hash: event 38 chains onto it.
  assert.equal(exported.events[0].hash, nodeHash(exported.base.hash, exported.events[0]));
  assert.equal(store.map.size, LOG_LIMIT + 1); // events + head: nothing else grows
  assert.equal(verifySecurityLog(exported, { key }).ok, true);
});

test('verification finds an edited, deleted, reordered or front-truncated event', async () => {
  const exported = await exportLog(await filled(10), 'alice');
  const copy = () => structuredClone(exported);

  const edited = copy();
  edited.events[4].detail.method = 'recovery';
  assert.deepEqual([verifyChain(edited).code, verifyChain(edited).seq], ['HASH_MISMATCH', 5]);

  const deleted = copy();
  deleted.events.splice(6, 1);
  assert.equal(verifyChain(deleted).code, 'MISSING_EVENTS');

  const swapped = copy();
  [swapped.events[2], swapped.events[3]] = [swapped.events[3], swapped.events[2]];
  assert.equal(verifyChain(swapped).code, 'OUT_OF_ORDER');

  const newestGone = copy();
  newestGone.events.pop();
  newestGone.head = { seq: 9, hash: newestGone.events[8].hash };
  assert.equal(verifyChain(newestGone).ok, true, 'a consistent shorter chain verifies without the key ...');
  assert.equal(verifySecurityLog(newestGone, { key }).mac, 'invalid', '... but not its MAC');

  const oldestGone = copy();
  oldestGone.base = { seq: 2, hash: oldestGone.events[1].hash };
  oldestGone.events.splice(0, 2);
  assert.equal(verifyChain(oldestGone).code, 'TRUNCATED');
  assert.equal(verifyMac(oldestGone, key), false);

  assert.equal(verifyChain({ nope: 1 }).code, 'NOT_A_LOG');
  assert.equal(verifyChain(null).code, 'NOT_A_LOG');
});

test('a rewritten chain with every hash recomputed verifies as a chain, not under the MAC', async () => {
  const forged = await exportLog(await filled(6), 'alice');
  forged.events[1].detail = { method: 'password' };
  let prev = forged.base.hash;
  for (const e of forged.events) prev = e.hash = nodeHash(prev, e);
  forged.head.hash = prev;
  assert.equal(verifyChain(forged).ok, true);
  const r = verifySecurityLog(forged, { key });
  assert.deepEqual([r.ok, r.mac], [false, 'invalid']);
  assert.equal(verifySecurityLog(forged).mac, 'unchecked');
});

test('an append after a rewrite of the storage does not vouch for it: the MAC stays invalid', async () => {
  const store = await filled(4);
  const head = store.map.get('log:head');
  // A forged head (as if every hash had been recomputed), its old MAC left in place.
  store.map.set('log:head', { ...head, hash: 'f'.repeat(64) });
  await appendEvent(store, log, 'password-changed', {}, T0 + 100);
  await appendEvent(store, log, 'password-changed', {}, T0 + 101);
  const exported = await exportLog(store, 'alice');
  assert.equal(exported.mac, 'tampered');
  assert.equal(verifySecurityLog(exported, { key }).mac, 'invalid');
  // Nor does clearing the MAC (null is only the empty log's).
  store.map.set('log:head', { ...store.map.get('log:head'), mac: null });
  await appendEvent(store, log, 'password-changed', {}, T0 + 102);
  assert.equal((await exportLog(store, 'alice')).mac, 'tampered');
});

test('the MAC binds the log to its user and its key', async () => {
  const exported = await exportLog(await filled(3), 'alice');
  assert.equal(verifyMac(exported, key), true);
  assert.equal(verifyMac({ ...exported, user: 'bob' }, key), false);
  assert.equal(verifyMac(exported, randomBytes(32)), false);
  assert.equal(verifyMac({ ...exported, mac: exported.mac.toUpperCase() }, key), false);
});

test('an empty log exports as such and verifies', async () => {
  const exported = await exportLog(new MemoryStore(), 'alice');
  assert.deepEqual(exported.events, []);
  assert.deepEqual(exported.head, { seq: 0, hash: ZERO_HASH });
  assert.equal(verifySecurityLog(exported, { key }).ok, true);
});

test('appendEvent refuses a missing key and a bad time before writing anything', async () => {
  const store = new MemoryStore();
  await assert.rejects(appendEvent(store, { key: new Uint8Array(4), subject: 'a' }, 'password-changed', {}, T0), { code: 'NO_KEY' });
  await assert.rejects(appendEvent(store, log, 'password-changed', {}, 1.5), { code: 'INVALID_EVENT' });
  assert.equal(store.map.size, 0);
});
