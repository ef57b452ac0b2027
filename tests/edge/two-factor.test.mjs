// The 2FA flows people know (No-IP, 1Password, IONOS, a DNS provider) over real HTTP:
// enrollment with a code and the password, login in two steps, recovery codes, a second
// authenticator, rename and remove, regenerate, disable and re-enable, the removal code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUri, totp } from 'totp-wasm';
import { PERIOD, Person, assertError, assertOk, nowSeconds, startEdge } from './support/edge.mjs';

let edge;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge?.stop();
});

async function enrolled(options) {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  const out = await p.enroll(options);
  return { p, out };
}

describe('enrollment', () => {
  test('start: the otpauth URI and the manual fields (account, key in groups, "Time based")', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    const e = assertOk(await p.client.post('/api/2fa/enroll', {}));
    const uri = parseUri(e.uri);
    assert.equal(e.account, p.name);
    assert.equal(uri.account, p.name);
    assert.equal(e.issuer, 'totp-wasm demo');
    assert.equal(uri.issuer, 'totp-wasm demo');
    assert.equal(e.type, 'Time based');
    assert.match(e.key, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    assert.equal(e.key.replaceAll(' ', ''), uri.secret);
    assert.equal(uri.secret.length, 32, '160 bits');
    assert.equal(e.qrSvg, undefined, 'the service draws no QR: the page does, with totp-wasm');
    assert.ok(e.expiresAt > nowSeconds() + 290 && e.expiresAt <= nowSeconds() + 301);
    const profile = assertOk(await p.client.get('/api/profile'));
    assert.equal(profile.twoFactor.enabled, false, 'not on before the code is confirmed');
    assert.equal(profile.twoFactor.enrollmentPending, true);
  });

  test('confirm needs the code AND the password; then 2FA is on and ten recovery codes are shown once', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    const e = assertOk(await p.client.post('/api/2fa/enroll', {}));
    const secret = parseUri(e.uri).secret;
    const code = totp(secret);
    edge.secrets.add(code);
    const wrongPw = await p.client.post('/api/2fa/enroll/confirm', { code, password: 'not my password', name: 'Phone' });
    assertError(wrongPw, 401, 'WRONG_PASSWORD');
    const wrongCode = await p.client.post('/api/2fa/enroll/confirm', { code: p.wrongCode.call({ factors: new Map([[1, { secret }]]) }), password: p.password, name: 'Phone' });
    assertError(wrongCode, 401, 'INVALID_CODE');
    assertError(await p.client.post('/api/2fa/enroll/confirm', { password: p.password }), 400, 'INVALID_ARGUMENT');
    assert.equal(assertOk(await p.client.get('/api/profile')).twoFactor.enabled, false);

    const res = await p.client.post('/api/2fa/enroll/confirm', { code: code.slice(0, 3) + ' ' + code.slice(3), password: p.password, name: 'Phone' });
    const out = assertOk(res);
    assert.equal(out.authenticator.name, 'Phone');
    assert.equal(out.recoveryCodes.length, 10);
    for (const c of out.recoveryCodes) assert.match(c, /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    assert.equal(new Set(out.recoveryCodes).size, 10);
    assert.equal(out.removalCode, undefined, 'not asked for');
    const profile = assertOk(await p.client.get('/api/profile'));
    assert.equal(profile.twoFactor.enabled, true);
    assert.deepEqual(profile.twoFactor.authenticators.map((a) => [a.id, a.name]), [[out.authenticator.id, 'Phone']]);
    assert.ok(Math.abs(profile.twoFactor.authenticators[0].added - nowSeconds()) < 60);
    assert.equal(profile.twoFactor.recoveryCodesRemaining, 10);
    assert.equal(profile.twoFactor.enrollmentPending, false);
    // The setup is used up: confirming again has nothing to confirm.
    assertError(await p.client.post('/api/2fa/enroll/confirm', { code, password: p.password }), 409, 'ENROLLMENT_EXPIRED');
  });

  test('confirm without a started setup: ENROLLMENT_EXPIRED; a newer setup replaces the older one', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    assertError(await p.client.post('/api/2fa/enroll/confirm', { code: '123456', password: p.password }), 409, 'ENROLLMENT_EXPIRED');
    const first = parseUri(assertOk(await p.client.post('/api/2fa/enroll', {})).uri).secret;
    const second = parseUri(assertOk(await p.client.post('/api/2fa/enroll', {})).uri).secret;
    assert.notEqual(first, second);
    const stale = totp(first);
    edge.secrets.add(stale);
    assertError(await p.client.post('/api/2fa/enroll/confirm', { code: stale, password: p.password }), 401, 'INVALID_CODE');
    const fresh = totp(second);
    edge.secrets.add(fresh);
    assertOk(await p.client.post('/api/2fa/enroll/confirm', { code: fresh, password: p.password }));
  });

  test('the 16-digit removal code when chosen', async () => {
    const { out } = await enrolled({ removalCode: true });
    assert.match(out.removalCode, /^\d{4} \d{4} \d{4} \d{4}$/);
  });

  test('enrollment needs a session', async () => {
    assertError(await edge.client().post('/api/2fa/enroll', {}), 401, 'UNAUTHENTICATED');
  });
});

describe('login with 2FA on', () => {
  test('password -> ticket -> code; the session records "otp"', async () => {
    const { p } = await enrolled();
    const login = assertOk(await p.login());
    assert.equal(login.status, 'two_factor_required');
    assert.equal(login.attempts, 5);
    assert.deepEqual(login.methods, ['otp', 'recovery']);
    assert.ok(login.expiresAt > nowSeconds() + 290 && login.expiresAt <= nowSeconds() + 301);
    const fresh = edge.client();
    const { code, step } = await p.code();
    const res = await fresh.post('/api/login/verify', { ticket: login.ticket, code });
    const body = assertOk(res);
    p.accepted(p.firstFactor(), step);
    assert.deepEqual([body.status, body.authenticatedWith], ['signed_in', 'otp']);
    assert.match(res.setCookie[0], /HttpOnly; SameSite=Strict/);
    assert.equal(assertOk(await fresh.get('/api/profile')).session.authenticatedWith, 'otp');
    // The ticket is used up.
    assertError(await fresh.post('/api/login/verify', { ticket: login.ticket, code }), 401, 'TICKET_EXPIRED');
  });

  test('the password alone gives no session', async () => {
    const { p } = await enrolled();
    const c = edge.client();
    const res = await c.post('/api/login', { username: p.name, password: p.password });
    assertOk(res);
    assert.equal(res.setCookie.length, 0);
    assertError(await c.get('/api/profile'), 401, 'UNAUTHENTICATED');
  });

  test('a wrong code counts (attemptsLeft), a used code is CODE_REPLAYED', async () => {
    const { p } = await enrolled();
    const ticket = await p.ticket();
    const wrong = assertError(await p.client.post('/api/login/verify', { ticket, code: p.wrongCode() }), 401, 'INVALID_CODE');
    assert.equal(wrong.attemptsLeft, 4);
    assert.equal(wrong.ticketAttemptsLeft, 4);
    const { code, step } = await p.code();
    assertOk(await p.client.post('/api/login/verify', { ticket, code }));
    p.accepted(p.firstFactor(), step);
    const again = await p.ticket();
    assertError(await p.client.post('/api/login/verify', { ticket: again, code }), 401, 'CODE_REPLAYED');
    // The enrollment code's step is used too (the server marked it at confirmation), as long
    // as it is still inside the window.
    const first = p.factors.get(p.firstFactor());
    if (first.enrolledStep >= Math.floor(nowSeconds() / PERIOD) - 1) {
      const enrollCode = totp(first.secret, { time: first.enrolledStep * PERIOD });
      assertError(await p.client.post('/api/login/verify', { ticket: again, code: enrollCode }), 401, 'CODE_REPLAYED');
    }
  });

  test('a ticket is good for five attempts', async () => {
    const { p } = await enrolled();
    const ticket = await p.ticket();
    for (let i = 4; i >= 0; i--) {
      const e = assertError(await p.client.post('/api/login/verify', { ticket, code: p.wrongCode() }), 401, 'INVALID_CODE');
      assert.equal(e.ticketAttemptsLeft, i);
    }
    const { code } = await p.code();
    assertError(await p.client.post('/api/login/verify', { ticket, code }), 401, 'TICKET_EXPIRED');
  });

  test('a recovery code instead of a code: once each; a typo is reported, not counted', async () => {
    const { p } = await enrolled();
    const [first, second] = p.recoveryCodes;
    const c = edge.client();
    const ticket = await p.ticket();
    const body = assertOk(await c.post('/api/login/verify', { ticket, recoveryCode: ` ${first.toUpperCase().replaceAll('-', ' ')} ` }));
    assert.deepEqual([body.authenticatedWith, body.recoveryCodesRemaining], ['recovery', 9]);
    assert.equal(assertOk(await c.get('/api/profile')).session.authenticatedWith, 'recovery');

    const t2 = await p.ticket();
    const reused = assertError(await p.client.post('/api/login/verify', { ticket: t2, recoveryCode: first }), 401, 'INVALID_CODE');
    assert.equal(reused.attemptsLeft, 4);
    const typo = second.slice(0, 5) + (second[5] === 'a' ? 'b' : 'a') + second.slice(6);
    edge.secrets.add(typo);
    assertError(await p.client.post('/api/login/verify', { ticket: t2, recoveryCode: typo }), 400, 'CODE_TYPO');
    const ok = assertOk(await p.client.post('/api/login/verify', { ticket: t2, recoveryCode: second }));
    assert.equal(ok.recoveryCodesRemaining, 8);
    assert.equal(assertOk(await p.client.get('/api/profile')).twoFactor.recoveryCodesRemaining, 8);
  });

  test('exactly one of code and recoveryCode', async () => {
    const { p } = await enrolled();
    const ticket = await p.ticket();
    assertError(await p.client.post('/api/login/verify', { ticket }), 400, 'INVALID_ARGUMENT');
    assertError(await p.client.post('/api/login/verify', { ticket, code: '123456', recoveryCode: p.recoveryCodes[0] }), 400, 'INVALID_ARGUMENT');
    assertError(await p.client.post('/api/login/verify', { ticket: 'not-a-ticket', code: '123456' }), 401, 'TICKET_EXPIRED');
  });
});

describe('authenticators', () => {
  test('a second authenticator: no new recovery codes; either one signs in; rename; remove', async () => {
    const { p, out } = await enrolled();
    const phone = out.authenticator.id;
    const laptopOut = await p.enroll({ name: 'Laptop' });
    const laptop = laptopOut.authenticator.id;
    assert.notEqual(laptop, phone);
    assert.equal(laptopOut.recoveryCodes, undefined);
    let profile = assertOk(await p.client.get('/api/profile'));
    assert.deepEqual(profile.twoFactor.authenticators.map((a) => a.name), ['Phone', 'Laptop']);
    assert.equal(profile.twoFactor.recoveryCodesRemaining, 10);

    assert.equal(assertOk(await p.loginWithCode(laptop)).authenticatedWith, 'otp');
    assert.equal(assertOk(await p.loginWithCode(phone)).authenticatedWith, 'otp');

    const renamed = assertOk(await p.client.patch(`/api/2fa/authenticators/${laptop}`, { name: '  Work laptop ' }));
    assert.deepEqual(renamed.authenticator, { id: laptop, name: 'Work laptop', added: renamed.authenticator.added, type: 'totp' });
    assertError(await p.client.patch('/api/2fa/authenticators/99', { name: 'x' }), 404, 'NOT_FOUND');
    assertError(await p.client.patch(`/api/2fa/authenticators/${laptop}`, { name: '' }), 400, 'INVALID_ARGUMENT');
    assertError(await p.client.patch(`/api/2fa/authenticators/${laptop}`, { name: 'a\u0000b' }), 400, 'INVALID_ARGUMENT');

    assertError(await p.client.delete(`/api/2fa/authenticators/${phone}`, { password: 'wrong password' }), 401, 'WRONG_PASSWORD');
    assert.deepEqual(assertOk(await p.client.delete(`/api/2fa/authenticators/${phone}`, { password: p.password })), { twoFactorEnabled: true });
    profile = assertOk(await p.client.get('/api/profile'));
    assert.deepEqual(profile.twoFactor.authenticators.map((a) => [a.id, a.name]), [[laptop, 'Work laptop']]);
    // The removed authenticator's codes no longer sign in.
    p.factors.get(phone).lastStep = -Infinity;
    assertError(await p.loginWithCode(phone), 401, 'INVALID_CODE');
  });

  test('removing the last authenticator turns 2FA off: login is the password again', async () => {
    const { p, out } = await enrolled();
    assert.deepEqual(assertOk(await p.client.delete(`/api/2fa/authenticators/${out.authenticator.id}`, { password: p.password })), { twoFactorEnabled: false });
    const profile = assertOk(await p.client.get('/api/profile'));
    assert.deepEqual([profile.twoFactor.enabled, profile.twoFactor.recoveryCodesRemaining, profile.twoFactor.authenticators.length], [false, 0, 0]);
    assert.equal(assertOk(await p.login()).status, 'signed_in');
  });
});

describe('recovery codes, disable, removal code', () => {
  test('regenerate (password needed): the old codes die, the new ones work', async () => {
    const { p } = await enrolled();
    const old = [...p.recoveryCodes];
    assertError(await p.client.post('/api/2fa/recovery-codes', { password: 'wrong password' }), 401, 'WRONG_PASSWORD');
    const fresh = assertOk(await p.client.post('/api/2fa/recovery-codes', { password: p.password }));
    assert.equal(fresh.recoveryCodes.length, 10);
    assert.equal(fresh.recoveryCodes.filter((c) => old.includes(c)).length, 0);
    const ticket = await p.ticket();
    assertError(await p.client.post('/api/login/verify', { ticket, recoveryCode: old[1] }), 401, 'INVALID_CODE');
    assert.equal(assertOk(await p.client.post('/api/login/verify', { ticket, recoveryCode: fresh.recoveryCodes[1] })).recoveryCodesRemaining, 9);
  });

  test('regenerate with 2FA off: TWO_FACTOR_OFF', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    assertError(await p.client.post('/api/2fa/recovery-codes', { password: p.password }), 409, 'TWO_FACTOR_OFF');
  });

  test('disable with the password; enabling again gives a new secret, and the old one is dead', async () => {
    const { p } = await enrolled();
    const oldSecret = p.factors.get(p.firstFactor()).secret;
    assertError(await p.client.post('/api/2fa/disable', { password: 'wrong password' }), 401, 'WRONG_PASSWORD');
    assert.equal(assertOk(await p.client.get('/api/profile')).twoFactor.enabled, true);
    assertOk(await p.client.post('/api/2fa/disable', { password: p.password }));
    let profile = assertOk(await p.client.get('/api/profile'));
    assert.deepEqual([profile.twoFactor.enabled, profile.twoFactor.recoveryCodesRemaining], [false, 0]);
    assert.equal(assertOk(await p.login()).status, 'signed_in');

    p.factors.clear();
    const out = await p.enroll({ name: 'New phone' });
    const newSecret = p.factors.get(out.authenticator.id).secret;
    assert.notEqual(newSecret, oldSecret);
    assert.equal(out.recoveryCodes.length, 10);
    profile = assertOk(await p.client.get('/api/profile'));
    assert.deepEqual(profile.twoFactor.authenticators.map((a) => a.name), ['New phone']);
    const ticket = await p.ticket();
    const stale = totp(oldSecret);
    edge.secrets.add(stale);
    if (stale !== totp(newSecret)) {
      assertError(await p.client.post('/api/login/verify', { ticket, code: stale }), 401, 'INVALID_CODE');
    }
  });

  test('remove 2FA with username + password + removal code, no session (IONOS); once', async () => {
    const { p } = await enrolled({ removalCode: true });
    const anon = edge.client();
    const body = { username: p.name, password: p.password, removalCode: p.removalCode };
    assertError(await anon.post('/api/2fa/remove', { ...body, password: 'wrong password' }), 401, 'WRONG_PASSWORD');
    const wrongCode = p.removalCode.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    edge.secrets.add(wrongCode);
    const e = await anon.post('/api/2fa/remove', { ...body, removalCode: wrongCode });
    assert.ok(['INVALID_CODE', 'CODE_TYPO'].includes(e.body.error.code), e.text);
    assert.deepEqual(assertOk(await anon.post('/api/2fa/remove', { ...body, removalCode: p.removalCode.replaceAll(' ', '') })), { twoFactorEnabled: false });
    assertError(await anon.post('/api/2fa/remove', body), 409, 'TWO_FACTOR_OFF');
    assert.equal(assertOk(await p.login()).status, 'signed_in');
    const profile = assertOk(await p.client.get('/api/profile'));
    assert.deepEqual([profile.twoFactor.enabled, profile.twoFactor.removalCode], [false, false]);
  });
});

test('nothing secret in workerd\'s output', () => {
  assert.ok(edge.secrets.size > 50);
  assert.deepEqual(edge.leakedSecrets(), []);
});
