// The verifier policy through the built package, as a site would use it: the caller stores the
// state text and the secrets (here in Maps), the module decides.
import { test } from './harness.mjs';
import { assert } from './assert.mjs';
import * as verifier from 'totp-wasm/verifier';

const SERVER_KEY = new TextEncoder().encode('32 bytes of server key material!');
const T0 = 1_700_000_010;

/** A tiny "database": state text and secrets per user, as a Durable Object or SQL row would. */
function enrol(api, time = T0) {
  const e = api.startEnrollment({ issuer: 'Example', account: 'alice@example.com' });
  const code = api.totp(e.secret, { time });
  const r = api.confirmEnrollment(null, { secret: e.secret, code, label: 'Phone', time });
  assert.equal(r.outcome, 'accepted');
  return { state: r.state, secrets: { [r.factorId]: e.secret }, secret: e.secret, factorId: r.factorId };
}

for (const [name, api] of [['totp-wasm/verifier', verifier]]) {
  test(`${name}: enrollment shows URI, grouped key and type; no QR in the verifier entry`, () => {
    const e = api.startEnrollment({ issuer: 'Example', account: 'alice@example.com' });
    assert.match(e.secret, /^[A-Z2-7]{32}$/);
    assert.equal(e.key.replaceAll(' ', ''), e.secret);
    assert.match(e.key, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    assert.equal(e.type, 'Time based');
    assert.equal(api.parseUri(e.uri).secret, e.secret);
    if (name === 'totp-wasm') assert.match(e.qrSvg, /^<svg /);
    else assert.equal(e.qrSvg, undefined);
  });

  test(`${name}: the enrollment code is not accepted again at login; the next code once`, () => {
    const u = enrol(api);
    let r = api.verifyCode(u.state, u.secrets, api.totp(u.secret, { time: T0 }), { time: T0 + 3 });
    assert.deepEqual({ outcome: r.outcome, factorId: r.factorId }, { outcome: 'replayed', factorId: u.factorId });
    const next = api.totp(u.secret, { time: T0 + 30 });
    r = api.verifyCode(u.state, u.secrets, next, { time: T0 + 30 });
    assert.equal(r.outcome, 'accepted');
    assert.equal(r.offset, 0);
    const again = api.verifyCode(r.state, u.secrets, next, { time: T0 + 31 });
    assert.equal(again.outcome, 'replayed');
  });
}

test('two authenticators: each code is checked against both, replay state is per authenticator', () => {
  const u = enrol(verifier);
  const laptop = verifier.generateSecret();
  const c = verifier.confirmEnrollment(u.state, { secret: laptop, code: verifier.totp(laptop, { time: T0 + 30 }), label: 'Laptop', time: T0 + 30 });
  assert.equal(c.outcome, 'accepted');
  const secrets = new Map([[u.factorId, u.secret], [c.factorId, laptop]]);
  const t = T0 + 60;
  const a = verifier.verifyCode(c.state, secrets, verifier.totp(laptop, { time: t }), { time: t });
  assert.deepEqual([a.outcome, a.factorId], ['accepted', c.factorId]);
  const b = verifier.verifyCode(a.state, secrets, verifier.totp(u.secret, { time: t }), { time: t });
  assert.deepEqual([b.outcome, b.factorId], ['accepted', u.factorId]);
  const info = verifier.describeState(b.state);
  assert.deepEqual(info.factors.map((f) => f.label), ['Phone', 'Laptop']);
  const renamed = verifier.renameFactor(b.state, c.factorId, 'Work laptop');
  assert.equal(verifier.describeState(renamed).factors[1].label, 'Work laptop');
  const one = verifier.removeFactor(renamed, u.factorId);
  assert.equal(verifier.describeState(one).enabled, true);
  assert.equal(verifier.describeState(verifier.removeFactor(one, c.factorId)).enabled, false);
});

test('a scripted brute force meets the lock sequence 60, 120, 240 s; a success resets it', () => {
  const u = enrol(verifier);
  let { state } = u;
  let t = T0 + 30;
  const right = (at) => verifier.totp(u.secret, { time: at });
  const wrong = right(t) === '000000' ? '000001' : '000000';
  const seen = [];
  for (let i = 1; i <= 8; i++) {
    const r = verifier.verifyCode(state, u.secrets, wrong, { time: t });
    assert.equal(r.outcome, 'invalid');
    state = r.state;
    if (r.retryAt !== undefined) {
      seen.push(r.retryAt - t);
      const locked = verifier.verifyCode(state, u.secrets, right(t + 1), { time: t + 1 });
      assert.equal(locked.outcome, 'locked');
      assert.equal(locked.retryAt, r.retryAt);
      t = r.retryAt;
    } else {
      assert.equal(r.attemptsLeft, 5 - i);
    }
  }
  assert.deepEqual(seen, [60, 120, 240]);
  const ok = verifier.verifyCode(state, u.secrets, right(t), { time: t });
  assert.equal(ok.outcome, 'accepted');
  assert.equal(verifier.describeState(ok.state).failures, 0);
});

test('recovery codes: ten, shown once, each works once, typos do not count, regenerate revokes', () => {
  const u = enrol(verifier);
  const issued = verifier.generateRecoveryCodes(u.state, SERVER_KEY, { removalCode: true });
  assert.equal(issued.codes.length, 10);
  for (const c of issued.codes) assert.match(c, /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
  assert.match(issued.removalCode, /^\d{4} \d{4} \d{4} \d{4}$/);
  for (const c of issued.codes) assert.ok(!issued.state.includes(c.replaceAll('-', '')));
  assert.equal(verifier.describeState(issued.state).recoveryRemaining, 10);

  const first = issued.codes[0];
  const used = verifier.useRecoveryCode(issued.state, SERVER_KEY, ` ${first.toUpperCase().replaceAll('-', ' ')} `, { time: T0 });
  assert.deepEqual([used.outcome, used.remaining], ['accepted', 9]);
  assert.equal(verifier.useRecoveryCode(used.state, SERVER_KEY, first, { time: T0 }).outcome, 'invalid');
  // One wrong symbol: the check symbol catches it, and no attempt is counted.
  const typo = first.slice(0, 5) + (first[5] === 'a' ? 'b' : 'a') + first.slice(6);
  const t = verifier.useRecoveryCode(used.state, SERVER_KEY, typo, { time: T0 });
  assert.equal(t.outcome, 'typo');
  assert.equal(verifier.describeState(t.state).failures, 0);

  const fresh = verifier.generateRecoveryCodes(used.state, SERVER_KEY);
  assert.equal(verifier.useRecoveryCode(fresh.state, SERVER_KEY, issued.codes[1], { time: T0 }).outcome, 'invalid');
  assert.equal(verifier.useRemovalCode(fresh.state, SERVER_KEY, issued.removalCode, { time: T0 }).outcome, 'invalid');
});

test('the removal code turns 2FA off, once', () => {
  const u = enrol(verifier);
  const issued = verifier.generateRecoveryCodes(u.state, 'a string server key, 16+ bytes', { removalCode: true });
  const r = verifier.useRemovalCode(issued.state, 'a string server key, 16+ bytes', issued.removalCode, { time: T0 });
  assert.equal(r.outcome, 'accepted');
  const info = verifier.describeState(r.state);
  assert.deepEqual([info.enabled, info.recoveryRemaining, info.hasRemovalCode], [false, 0, false]);
});

test('states are opaque text; corrupt or foreign values are INVALID_STATE, never a reset', () => {
  const u = enrol(verifier);
  assert.equal(typeof u.state, 'string');
  assert.match(u.state, /^[A-Za-z0-9_-]+$/);
  const flipped = u.state.slice(0, 6) + (u.state[6] === 'A' ? 'B' : 'A') + u.state.slice(7);
  for (const bad of [flipped, '', 'garbage', u.state.slice(0, -2)]) {
    assert.throws(() => verifier.verifyCode(bad, u.secrets, '123456'), (e) => e instanceof verifier.OtpError && e.code === 'INVALID_STATE');
  }
  assert.throws(() => verifier.describeState(42), (e) => e instanceof verifier.OtpError && e.code === 'INVALID_ARGUMENT');
  // The same state works in both entries.
  assert.deepEqual(verifier.describeState(u.state), verifier.describeState(u.state));
});

test('policy fields are validated and applied', () => {
  const u = enrol(verifier);
  const strict = { freeFailures: 0, baseLockout: 10, maxLockout: 10 };
  const r = verifier.verifyCode(u.state, u.secrets, '000000', { time: T0 + 30, policy: strict });
  if (r.outcome === 'invalid') assert.equal(r.retryAt, T0 + 40);
  for (const bad of [{ window: 11 }, { baseLockout: 0 }, { maxLockout: 5, baseLockout: 10 }, { window: 'x' }]) {
    assert.throws(() => verifier.verifyCode(u.state, u.secrets, '000000', { policy: bad }), (e) => e.code === 'INVALID_ARGUMENT');
  }
});
