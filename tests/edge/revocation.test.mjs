// The revocation rules (issue "account security"): a change to the second factor or the
// password ends every other session, ticket and device cookie; a password change, 2FA off or
// removed also ends the update tokens. The sessions list, signing one out, signing out
// everywhere else, the password change and account deletion. Each attack as it was tried.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Person, assertError, assertOk, startEdge, uniqueName } from './support/edge.mjs';

let edge;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge?.stop();
});

const bearer = (token) => ({ headers: { Authorization: `Bearer ${token}` } });

/** A second browser signed in with the (phished) password. */
async function intruder(p) {
  const c = edge.client();
  assertOk(await c.post('/api/login', { username: p.name, password: p.password }));
  return c;
}

describe('a phished password before 2FA', () => {
  test('the intruder\'s session, ticket and device cookie are dead once the owner turns 2FA on', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    const evil = await intruder(p);
    const evilDevice = evil.device;
    assertOk(await evil.get('/api/profile'));
    const ownerDevice = p.client.device;
    const out = await p.enroll();
    // The owner's browser got a fresh device cookie; the old ones are revoked.
    assert.notEqual(p.client.device, ownerDevice);
    assert.deepEqual(out.existingTokens, []);
    for (const [method, path, body] of [
      ['GET', '/api/profile'],
      ['POST', '/api/2fa/enroll', {}],
      ['POST', '/api/2fa/recovery-codes', { password: p.password }],
      ['POST', '/api/tokens', { name: 'mine now', expiresInDays: 365 }],
      ['POST', '/api/2fa/disable', { password: p.password }],
      ['GET', '/api/sessions'],
    ]) {
      assertError(await evil.request(method, path, body), 401, 'UNAUTHENTICATED');
    }
    // The owner's session is the one that made the change: it still works.
    const profile = assertOk(await p.client.get('/api/profile'));
    assert.equal(profile.twoFactor.enabled, true);
    // The intruder's old device cookie no longer has a count of its own: 12 wrong passwords
    // with it meet the shared count (WRONG_PASSWORD throughout), never a device LOCKED.
    for (let i = 0; i < 12; i++) {
      assertError(await evil.post('/api/login', { username: p.name, password: `guess ${i}` }, { device: evilDevice }), 401, 'WRONG_PASSWORD');
    }
  });

  test('a login ticket opened before a 2FA change is dead after it', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    await p.enroll();
    const stale = await p.ticket();
    assertOk(await p.loginWithCode());
    assertOk(await p.client.post('/api/2fa/recovery-codes', { password: p.password }));
    const { code } = await p.code();
    assertError(await edge.client().post('/api/login/verify', { ticket: stale, code }), 401, 'TICKET_EXPIRED');
  });

  test('enabling 2FA lists the update tokens that exist; they keep working until revoked', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    const tok = assertOk(await p.client.post('/api/tokens', { name: 'router', expiresInDays: 30 }), 201);
    const out = await p.enroll();
    assert.deepEqual(out.existingTokens.map((t) => [t.id, t.name]), [[tok.id, 'router']]);
    assert.equal(JSON.stringify(out.existingTokens).includes(tok.token.split('.')[2]), false, 'never the value');
    const duc = edge.client({ origin: false });
    assertOk(await duc.get('/api/update', bearer(tok.token)));
    assertOk(await p.client.delete(`/api/tokens/${tok.id}`));
    assertError(await duc.get('/api/update', bearer(tok.token)), 401, 'UNAUTHENTICATED');
  });
});

describe('which changes revoke what', () => {
  async function withIntruderAndToken() {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    await p.enroll();
    const tok = assertOk(await p.client.post('/api/tokens', { name: 'duc', expiresInDays: 30 }), 201);
    // A second signed-in browser of the owner (or a thief's: the rule cannot tell them apart).
    const other = edge.client();
    const ticket = assertOk(await other.post('/api/login', { username: p.name, password: p.password })).ticket;
    const { code, step } = await p.code();
    assertOk(await other.post('/api/login/verify', { ticket, code }));
    p.accepted(p.firstFactor(), step);
    return { p, tok, other };
  }
  const duc = () => edge.client({ origin: false });

  test('regenerating codes and adding an authenticator: other sessions end, tokens stay', async () => {
    let { p, tok, other } = await withIntruderAndToken();
    assertOk(await p.client.post('/api/2fa/recovery-codes', { password: p.password }));
    assertError(await other.get('/api/profile'), 401, 'UNAUTHENTICATED');
    assertOk(await duc().get('/api/update', bearer(tok.token)));
    ({ p, tok, other } = await withIntruderAndToken());
    await p.enroll({ name: 'Second' });
    assertError(await other.get('/api/profile'), 401, 'UNAUTHENTICATED');
    assertOk(await duc().get('/api/update', bearer(tok.token)));
  });

  test('removing an authenticator (not the last): other sessions end, tokens stay', async () => {
    const { p, tok, other } = await withIntruderAndToken();
    const second = (await p.enroll({ name: 'Second' })).authenticator.id;
    // enroll ended `other`; sign it in again, then remove the second authenticator
    const again = edge.client();
    const ticket = assertOk(await again.post('/api/login', { username: p.name, password: p.password })).ticket;
    const { code, step } = await p.code();
    assertOk(await again.post('/api/login/verify', { ticket, code }));
    p.accepted(p.firstFactor(), step);
    assertOk(await p.client.delete(`/api/2fa/authenticators/${second}`, { password: p.password }));
    assertError(await again.get('/api/profile'), 401, 'UNAUTHENTICATED');
    assertError(await other.get('/api/profile'), 401, 'UNAUTHENTICATED');
    assertOk(await duc().get('/api/update', bearer(tok.token)));
  });

  test('turning 2FA off: other sessions and the update tokens end', async () => {
    const { p, tok, other } = await withIntruderAndToken();
    assertOk(await p.client.post('/api/2fa/disable', { password: p.password }));
    assertError(await other.get('/api/profile'), 401, 'UNAUTHENTICATED');
    assertError(await duc().get('/api/update', bearer(tok.token)), 401, 'UNAUTHENTICATED');
    assertOk(await p.client.get('/api/profile'));
    assert.deepEqual(assertOk(await p.client.get('/api/tokens')).tokens, []);
  });

  test('the removal code (no session): every session and token ends', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    await p.enroll({ removalCode: true });
    const tok = assertOk(await p.client.post('/api/tokens', { name: 'duc', expiresInDays: 30 }), 201);
    assertOk(await edge.client().post('/api/2fa/remove', { username: p.name, password: p.password, removalCode: p.removalCode }));
    assertError(await p.client.get('/api/profile'), 401, 'UNAUTHENTICATED');
    assertError(await duc().get('/api/update', bearer(tok.token)), 401, 'UNAUTHENTICATED');
  });

  test('a password change: the old password fails, others and tokens end, this browser stays', async () => {
    const { p, tok, other } = await withIntruderAndToken();
    const oldDevice = p.client.device;
    const e = assertError(await p.client.post('/api/password', { password: 'wrong password', newPassword: 'a new password 1' }), 401, 'WRONG_PASSWORD');
    assert.equal(e.attemptsLeft, undefined);
    const short = assertError(await p.client.post('/api/password', { password: p.password, newPassword: 'short' }), 400, 'INVALID_ARGUMENT');
    assert.equal(short.field, 'newPassword');
    const newPassword = `new-${uniqueName('pw')}`;
    edge.secrets.add(newPassword);
    const res = await p.client.post('/api/password', { password: p.password, newPassword });
    assert.equal(assertOk(res).status, 'changed');
    assert.notEqual(p.client.device, oldDevice, 'a fresh device cookie for this browser');
    assertError(await other.get('/api/profile'), 401, 'UNAUTHENTICATED');
    assertError(await duc().get('/api/update', bearer(tok.token)), 401, 'UNAUTHENTICATED');
    assertOk(await p.client.get('/api/profile'));
    assertError(await edge.client().post('/api/login', { username: p.name, password: p.password }), 401, 'WRONG_PASSWORD');
    p.password = newPassword;
    assert.equal(assertOk(await p.login()).status, 'two_factor_required');
  });
});

describe('the sessions list', () => {
  test('lists created, method, last seen and this one; signs one out; signs out everywhere else', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    const laptop = await intruder(p);
    const tablet = await intruder(p);
    const list = assertOk(await p.client.get('/api/sessions')).sessions;
    assert.equal(list.length, 3);
    assert.deepEqual(list.map((s) => s.current), [true, false, false], 'this one first');
    for (const s of list) {
      assert.match(s.id, /^[A-Za-z0-9_-]{12}$/);
      assert.equal(s.method, 'password');
      assert.ok(s.lastSeen >= s.created && s.expiresAt > s.created);
    }
    assert.equal(JSON.stringify(list).includes(laptop.cookie.split('.')[1]), false, 'never a cookie value');
    assertOk(await p.client.delete(`/api/sessions/${list[1].id}`));
    // Exactly one of the two other browsers is signed out (which one: the list's order within a
    // second is not defined), and this one is not.
    const alive = [];
    for (const c of [laptop, tablet]) alive.push((await c.get('/api/profile')).status);
    assert.deepEqual(alive.sort(), [200, 401]);
    assertOk(await p.client.get('/api/profile'));
    assertError(await p.client.delete(`/api/sessions/${list[1].id}`), 404, 'NOT_FOUND');
    assertError(await p.client.delete('/api/sessions/nonsense'), 404, 'NOT_FOUND');
    // Another user's session id is not found in this account.
    const q = new Person(edge);
    assertOk(await q.signup(), 201);
    assertError(await q.client.delete(`/api/sessions/${list[2].id}`), 404, 'NOT_FOUND');

    const more = await intruder(p);
    assertOk(await p.client.post('/api/sessions/revoke-others', {}));
    for (const c of [laptop, tablet, more]) assertError(await c.get('/api/profile'), 401, 'UNAUTHENTICATED');
    const left = assertOk(await p.client.get('/api/sessions')).sessions;
    assert.deepEqual(left.map((s) => s.current), [true]);
    // Signing this session out by id clears its cookie.
    const mine = p.client.cookie;
    assertOk(await p.client.delete(`/api/sessions/${left[0].id}`));
    assert.equal(p.client.cookie, null);
    assertError(await p.client.get('/api/sessions', { cookie: mine }), 401, 'UNAUTHENTICATED');
  });

  test('a stranger cannot list or end sessions', async () => {
    assertError(await edge.client().get('/api/sessions'), 401, 'UNAUTHENTICATED');
    assertError(await edge.client().post('/api/sessions/revoke-others', {}), 401, 'UNAUTHENTICATED');
  });
});

describe('account deletion', () => {
  test('needs the password; then every record goes and the name is free again', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    await p.enroll();
    const tok = assertOk(await p.client.post('/api/tokens', { name: 'duc', expiresInDays: 30 }), 201);
    const other = edge.client();
    const ticket = assertOk(await other.post('/api/login', { username: p.name, password: p.password })).ticket;
    assertError(await p.client.delete('/api/account', { password: 'wrong password' }), 401, 'WRONG_PASSWORD');
    assertError(await p.client.delete('/api/account', {}), 400, 'INVALID_ARGUMENT');
    const res = await p.client.delete('/api/account', { password: p.password });
    assert.equal(assertOk(res).status, 'deleted');
    assert.equal(p.client.cookie, null);
    assert.equal(p.client.device, null);
    const { code } = await p.code();
    assertError(await other.post('/api/login/verify', { ticket, code }), 401, 'TICKET_EXPIRED');
    assertError(await edge.client({ origin: false }).get('/api/update', bearer(tok.token)), 401, 'UNAUTHENTICATED');
    const gone = await edge.client().post('/api/login', { username: p.name, password: p.password });
    const unknown = await edge.client().post('/api/login', { username: uniqueName('never'), password: p.password });
    assertError(gone, 401, 'WRONG_PASSWORD');
    assert.equal(gone.text, unknown.text);
    // The name can be taken again, by anyone, with nothing of the old account.
    const again = new Person(edge, { name: p.name });
    assertOk(await again.signup(), 201);
    const profile = assertOk(await again.client.get('/api/profile'));
    assert.deepEqual([profile.twoFactor.enabled, profile.twoFactor.authenticators.length], [false, 0]);
    assert.deepEqual(assertOk(await again.client.get('/api/tokens')).tokens, []);
  });
});

test('nothing secret in workerd\'s output', () => {
  assert.deepEqual(edge.leakedSecrets(), []);
});
