// Crash: workerd is SIGKILLed in the middle of a mixed load of sign-ups, enrollments and
// logins (with codes and recovery codes), then restarted on the same state folder. Whatever the
// clients were told before the crash must hold after it: no code or recovery code that was
// accepted is accepted again, no 2FA that was turned on is off, every account that was created
// works, and no account is half-written (in-flight sign-ups either exist whole or not at all).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Person, assertOk, pool, sleep, startEdge } from './support/edge.mjs';

let edge;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge?.stop();
});

const NEW_USERS = 24;
const ESTABLISHED = 6;
const KILL_AFTER = 50; // answered requests; the whole load is about 170

test('SIGKILL mid-load, restart on the same state: nothing accepted twice, nothing lost, nothing half-written', async (t) => {
  // People who had 2FA before the load.
  const established = [];
  for (let i = 0; i < ESTABLISHED; i++) {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    await p.enroll();
    established.push({ p, signup: 'ok', confirm: 'ok', codes: [], recovery: [], tried: [] });
  }
  const fresh = Array.from({ length: NEW_USERS }, () => ({ p: new Person(edge), signup: null, confirm: null, codes: [], recovery: [], tried: [] }));

  let answered = 0;
  let killed = null;
  let inFlight = 0;
  let inFlightAtKill = -1;
  /** One request of the load: 'ok' | 'failed' | 'unknown' (sent, no answer: the crash) | 'not sent'. */
  async function step(fn) {
    if (killed) return 'not sent';
    inFlight++;
    try {
      const res = await fn();
      answered++;
      if (answered >= KILL_AFTER && !killed) {
        inFlightAtKill = inFlight - 1;
        killed = edge.kill();
      }
      assert.notEqual(res.status, 500, res.text);
      return res.status === 200 || res.status === 201 ? 'ok' : 'failed';
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      return 'unknown';
    } finally {
      inFlight--;
    }
  }

  async function loginWithCode(u) {
    const { p } = u;
    let ticket = null;
    const r1 = await step(async () => {
      const res = await p.login();
      ticket = res.body?.ticket;
      return res;
    });
    if (r1 !== 'ok' || !ticket) return;
    const { code, step: s } = await p.code();
    u.tried.push(s);
    p.accepted(p.firstFactor(), s); // pessimistic: never reuse a step that may have been accepted
    const r2 = await step(() => p.client.post('/api/login/verify', { ticket, code }));
    if (r2 === 'ok') u.codes.push(code);
  }

  async function loginWithRecovery(u) {
    const { p } = u;
    let ticket = null;
    const r1 = await step(async () => {
      const res = await p.login();
      ticket = res.body?.ticket;
      return res;
    });
    if (r1 !== 'ok' || !ticket) return;
    const recoveryCode = p.recoveryCodes[0];
    const r2 = await step(() => p.client.post('/api/login/verify', { ticket, recoveryCode }));
    if (r2 === 'ok') u.recovery.push(recoveryCode);
  }

  async function newcomer(u, i) {
    const { p } = u;
    await sleep(i * 60); // staggered, so that sign-ups are still arriving at the kill
    u.signup = await step(() => p.signup());
    if (u.signup !== 'ok') return;
    let secret = null;
    const started = await step(async () => {
      const res = await p.client.post('/api/2fa/enroll', {});
      secret = res.body?.key?.replaceAll(' ', '');
      return res;
    });
    if (started !== 'ok') return;
    p.factors.set('pending', { secret, lastStep: -Infinity });
    const { code, step: s } = await p.code('pending');
    let confirmed = null;
    u.confirm = await step(async () => {
      const res = await p.client.post('/api/2fa/enroll/confirm', { code, password: p.password, name: 'Phone' });
      confirmed = res.body;
      return res;
    });
    p.factors.delete('pending');
    p.factors.set(confirmed?.authenticator?.id ?? 1, { secret, lastStep: s });
    u.tried.push(s);
    if (u.confirm !== 'ok') return;
    u.codes.push(code);
    p.recoveryCodes = confirmed.recoveryCodes;
    await loginWithCode(u);
    await loginWithRecovery(u);
  }

  async function regular(u) {
    await loginWithCode(u);
    await loginWithRecovery(u);
  }

  const everyone = [...fresh, ...established];
  await pool(everyone, everyone.length, (u, i) => (established.includes(u) ? regular(u) : newcomer(u, i)));
  assert.ok(killed, `the load finished before ${KILL_AFTER} answers`);
  await killed;
  assert.ok(inFlightAtKill > 0, 'requests were in flight at the kill');

  await edge.restart();

  let twoFactorOn = 0;
  let checkedCodes = 0;
  for (const u of everyone) {
    const { p } = u;
    p.client.cookie = null;
    const login = await p.login();
    assert.notEqual(login.status, 500, login.text);
    if (u.signup === 'ok') assert.equal(login.status, 200, `an acknowledged account is gone: ${login.text}`);
    if (login.status !== 200) {
      assert.equal(login.body.error.code, 'WRONG_PASSWORD');
      assert.notEqual(u.signup, 'ok');
      continue;
    }
    if (u.confirm === 'ok') assert.equal(login.body.status, 'two_factor_required', 'acknowledged 2FA was lost');
    if (login.body.status === 'signed_in') {
      const profile = assertOk(await p.client.get('/api/profile'));
      assert.deepEqual([profile.twoFactor.enabled, profile.twoFactor.authenticators.length], [false, 0]);
      continue;
    }
    twoFactorOn++;
    const ticket = login.body.ticket;
    // Every code and recovery code the clients saw accepted is refused now.
    for (const code of u.codes) {
      const r = await p.client.post('/api/login/verify', { ticket, code });
      assert.notEqual(r.status, 200, 'a code was accepted twice');
      assert.ok(['CODE_REPLAYED', 'INVALID_CODE'].includes(r.body.error.code), r.text);
      checkedCodes++;
    }
    for (const recoveryCode of u.recovery) {
      const r = await p.client.post('/api/login/verify', { ticket, recoveryCode });
      assert.notEqual(r.status, 200, 'a recovery code was accepted twice');
      assert.equal(r.body.error.code, 'INVALID_CODE', r.text);
      checkedCodes++;
    }
    // And the person's authenticator still signs in: the account is whole.
    const { code, step: s } = await p.code();
    const ok = await p.client.post('/api/login/verify', { ticket, code });
    assertOk(ok);
    p.accepted(p.firstFactor(), s);
    const profile = assertOk(await p.client.get('/api/profile'));
    assert.equal(profile.twoFactor.enabled, true);
    assert.equal(profile.twoFactor.authenticators.length, 1);
    // Acknowledged recovery codes are spent; at most one more was in flight.
    const left = profile.twoFactor.recoveryCodesRemaining;
    assert.ok(left <= 10 - u.recovery.length && left >= 9 - u.recovery.length, `${left} recovery codes left`);
  }
  const count = (k, v) => everyone.filter((u) => u[k] === v).length;
  t.diagnostic(
    `killed after ${KILL_AFTER} answers with ${inFlightAtKill} in flight; sign-ups ok/unknown ${count('signup', 'ok')}/${count('signup', 'unknown')}, ` +
      `enrollments ok/unknown ${count('confirm', 'ok')}/${count('confirm', 'unknown')}; ${twoFactorOn} with 2FA after the restart; ${checkedCodes} accepted codes re-checked`,
  );
  assert.ok(twoFactorOn >= ESTABLISHED);
  assert.ok(checkedCodes >= ESTABLISHED, `only ${checkedCodes} acknowledged codes to re-check`);
});

test('nothing secret in workerd\'s output', () => {
  assert.deepEqual(edge.leakedSecrets(), []);
});
