// Step-up ("sudo mode", GitHub's model): once 2FA is on, adding or removing an authenticator,
// regenerating codes, turning 2FA off, creating update tokens, changing the password and
// deleting the account need a second factor verified in the last LIFETIMES.stepUp seconds
// (shortened to 3 s here through TOTP_WASM_TEST_LIFETIMES). A stolen session cookie alone,
// older than that, can do none of them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Person, assertError, assertOk, nowSeconds, sleep, startEdge } from './support/edge.mjs';

const STEP_UP = 3;
let edge;
before(async () => {
  edge = await startEdge({ lifetimes: { stepUp: STEP_UP } });
});
after(async () => {
  await edge?.stop();
});

/** An account with 2FA on, whose session's step-up has lapsed (as a stolen cookie's would). */
async function lapsed(options) {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  await p.enroll(options);
  assertOk(await p.loginWithCode());
  await sleep((STEP_UP + 1) * 1000);
  return p;
}

describe('with 2FA on', () => {
  test('a stolen session cannot add an authenticator, disable 2FA, mint a token or change anything sensitive', async () => {
    const p = await lapsed({ removalCode: true });
    const id = p.firstFactor();
    const stolen = edge.client();
    stolen.cookie = p.client.cookie;
    for (const [method, path, body] of [
      ['POST', '/api/2fa/enroll', {}],
      ['POST', '/api/2fa/enroll/confirm', { code: '123456', password: p.password }],
      ['POST', '/api/2fa/disable', { password: p.password }],
      ['POST', '/api/tokens', { name: 'a year of access', expiresInDays: 365 }],
      ['POST', '/api/2fa/recovery-codes', { password: p.password }],
      ['DELETE', `/api/2fa/authenticators/${id}`, { password: p.password }],
      ['POST', '/api/password', { password: p.password, newPassword: 'taken over now' }],
      ['DELETE', '/api/account', { password: p.password }],
    ]) {
      const e = assertError(await stolen.request(method, path, body), 403, 'STEP_UP_REQUIRED');
      assert.match(e.message, /password/);
    }
    // What is not sensitive still works: reading, renaming, listing.
    const profile = assertOk(await stolen.get('/api/profile'));
    assert.equal(profile.twoFactor.enabled, true);
    assert.equal(profile.session.stepUpUntil, null);
    assertOk(await stolen.patch(`/api/2fa/authenticators/${id}`, { name: 'Renamed' }));
    assertOk(await stolen.get('/api/tokens'));
    // Nothing changed.
    assert.deepEqual(assertOk(await p.client.get('/api/tokens')).tokens, []);
    assert.equal(assertOk(await p.client.get('/api/profile')).twoFactor.recoveryCodesRemaining, 10);
  });

  test('step-up with the password and a code of an existing authenticator; then the change works', async () => {
    const p = await lapsed();
    assertError(await p.client.post('/api/tokens', { name: 'duc', expiresInDays: 30 }), 403, 'STEP_UP_REQUIRED');
    // The password alone is not a step-up while 2FA is on.
    assertError(await p.client.post('/api/session/step-up', { password: p.password }), 400, 'INVALID_ARGUMENT');
    assertError(await p.client.post('/api/session/step-up', { password: 'wrong password', code: p.wrongCode() }), 401, 'WRONG_PASSWORD');
    const wrong = assertError(await p.client.post('/api/session/step-up', { password: p.password, code: p.wrongCode() }), 401, 'INVALID_CODE');
    assert.equal(typeof wrong.attemptsLeft, 'number');
    const { code, step } = await p.code();
    const ok = assertOk(await p.client.post('/api/session/step-up', { password: p.password, code }));
    p.accepted(p.firstFactor(), step);
    assert.ok(ok.stepUpUntil > nowSeconds() && ok.stepUpUntil <= nowSeconds() + STEP_UP + 1);
    assertError(await p.client.post('/api/session/step-up', { password: p.password, code }), 401, 'CODE_REPLAYED');
    assertOk(await p.client.post('/api/tokens', { name: 'duc', expiresInDays: 30 }), 201);
    // It lapses again.
    await sleep((STEP_UP + 1) * 1000);
    assertError(await p.client.post('/api/tokens', { name: 'duc 2', expiresInDays: 30 }), 403, 'STEP_UP_REQUIRED');
  });

  test('step-up with a recovery code uses it up', async () => {
    const p = await lapsed();
    const [first] = p.recoveryCodes;
    const ok = assertOk(await p.client.post('/api/session/step-up', { password: p.password, recoveryCode: first }));
    assert.equal(ok.recoveryCodesRemaining, 9);
    assertOk(await p.client.post('/api/2fa/disable', { password: p.password }));
    assertError(await p.client.post('/api/session/step-up', { password: p.password, code: '123456' }), 409, 'TWO_FACTOR_OFF');
  });

  test('a fresh sign-in with a code is a step-up for its own session', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    await p.enroll();
    await sleep((STEP_UP + 1) * 1000);
    assertOk(await p.loginWithCode());
    assert.ok(assertOk(await p.client.get('/api/profile')).session.stepUpUntil > nowSeconds());
    assertOk(await p.client.post('/api/tokens', { name: 'duc', expiresInDays: 30 }), 201);
  });

  test('step-up needs a session', async () => {
    assertError(await edge.client().post('/api/session/step-up', { password: 'whatever1', code: '123456' }), 401, 'UNAUTHENTICATED');
  });
});

describe('with 2FA off: step-up is the password alone', () => {
  test('an old session needs the password again to mint a token', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    await sleep((STEP_UP + 1) * 1000);
    assertError(await p.client.post('/api/tokens', { name: 'duc', expiresInDays: 365 }), 403, 'STEP_UP_REQUIRED');
    assertError(await p.client.post('/api/session/step-up', { password: p.password, code: '123456' }), 409, 'TWO_FACTOR_OFF');
    assertOk(await p.client.post('/api/session/step-up', { password: p.password }));
    assertOk(await p.client.post('/api/tokens', { name: 'duc', expiresInDays: 365 }), 201);
    // Changes that carry the password need nothing more.
    await sleep((STEP_UP + 1) * 1000);
    const newPassword = 'a brand new password';
    edge.secrets.add(newPassword);
    assertOk(await p.client.post('/api/password', { password: p.password, newPassword }));
  });
});

test('nothing secret in workerd\'s output', () => {
  assert.deepEqual(edge.leakedSecrets(), []);
});
