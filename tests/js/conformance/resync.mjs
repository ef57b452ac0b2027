// Learned drift, two-code resync and HOTP authenticators through the package, as a site (or a
// Durable Object, synchronously inside one request) would call them: state in, outcome and
// new state out. Also the state versions stored by earlier releases, and the separate
// throttles of codes and recovery codes.
import { test } from './harness.mjs';
import { assert } from './assert.mjs';
import * as core from 'totp-wasm/core';
import { ascii, HASHES, refHotp, refTotp, throwsCode } from './reference.mjs';

const KEY = ascii('12345678901234567890');
const TOKEN = ascii('abcdefghijabcdefghij');
const T0 = 1_700_000_010;
const DAY = 86_400;
const SERVER_KEY = 'a string server key, 16+ bytes';

// Copies of tests/data/state-v1.txt and state-v2.txt (tests/state.rs checks they match): states
// written by the releases before, with factor 1 = KEY enrolled at 1_700_000_000, factor 2 =
// TOKEN (SHA256, 8 digits, 60 s), two failed codes.
const STATE_V1 = 'AQMCAAIBgOLPqgYABh6r1IIbBVBob25lArziz6oGAQg8l6rBDQxDbMOpIFVTQiDinJMJGfsVfvDkpKjRuCA4FOku9OqUlzj0GbYgcTr1VJwaIuZIHC50EOdxV5uhx6_tnPIGaCEJJGMXoOTuVZgJ8i7NZT3yEzWIqLc6lCMzPOM_gPDPDRjyVPrP9CRkVxf1DtvgnihckkS-NGHZq0CHInqNPZLIdow-pVP3cupWgR1sqrAe58LPyUPTC_kFVIXPRbDpeIvVHZUfJzJga7vA2R4_xnJy6HyJ_K_wJPXQY9Dk29EdQEAEVZYGWnWlX2GIvICzkU446X14dCD2FFa_Rhzo7vTRu-eFAgDceujbV28vc5T0wm2zXsEdPyuUYiscRRmlf8se8amv4ylLmMYE_LK61YGyPcd1ZWzkOyfOUGN8kXC13ST1T8Oor8POJM6hDctbAdGvc3DAzWdRfQr5ynnSGDVj2UisnBIGEvnJjtb53RZb4Vxuog';
const STATE_V2 = 'AgMCAAAAAgGA4s-qBgAGHqvUghsFUGhvbmUCvOLPqgYBCDyXqsENDENsw6kgVVNCIOKckwkZ-xV-8OSkqNG4IDgU6S706pSXOPQZtiBxOvVUnBoi5kgcLnQQ53FXm6HHr-2c8gZoIQkkYxeg5O5VmAnyLs1lPfITNYiotzqUIzM84z-A8M8NGPJU-s_0JGRXF_UO2-CeKFySRL40YdmrQIcieo09ksh2jD6lU_dy6laBHWyqsB7nws_JQ9ML-QVUhc9FsOl4i9UdlR8nMmBru8DZHj_GcnLofIn8r_Ak9dBj0OTb0R1AQARVlgZadaVfYYi8gLORTjjpfXh0IPYUVr9GHOju9NG754UCANx66NtXby9zlPTCbbNewR0_K5RiKxxFGaV_yx7xqa_jKUuYxgT8srrVgbI9x3VlbOQ7J85QY3yRcLXdJPVPw6ivw84kzqENy1sCzook_UVtUMgeQqZ4qJgZCVggublXBvDtAiKjaoeNnRklvfYe';

const code = (time) => refTotp(KEY, time);
const press = (counter) => refHotp(KEY, counter);

function enrol(time = T0) {
  const r = core.confirmEnrollment(null, { secret: KEY, code: code(time), label: 'Phone', time });
  assert.equal(r.outcome, 'accepted');
  return r.state;
}

test('a phone losing 10 s a day signs in daily for 30 days with the default window; describeState shows the learned offset', () => {
  let state = enrol();
  for (let day = 1; day <= 30; day++) {
    const now = T0 + day * DAY + ((day * 7) % 30);
    const r = core.verifyCode(state, { 1: KEY }, code(now - 10 * day), { time: now });
    assert.equal(r.outcome, 'accepted', `day ${day}`);
    state = r.state;
  }
  const f = core.describeState(state).factors[0];
  assert.equal(f.type, 'totp');
  assert.ok(f.drift <= -9 && f.drift >= -11, `drift ${f.drift}`);
  // The far side of the learned offset: the server's own time is 10 steps away, refused.
  const now = T0 + 31 * DAY;
  assert.equal(core.verifyCode(state, { 1: KEY }, code(now), { time: now }).outcome, 'invalid');
  // Reset: centred on the server's time again.
  const reset = core.resetDrift(state, 1);
  assert.equal(core.describeState(reset).factors[0].drift, 0);
  assert.equal(core.verifyCode(reset, { 1: KEY }, code(now), { time: now }).outcome, 'accepted');
  throwsCode(assert, core.OtpError, () => core.resetDrift(state, 9), 'INVALID_ARGUMENT');
});

test('a replayed code stays refused under a learned offset', () => {
  let state = enrol();
  const now = T0 + 3600;
  for (const ahead of [1, 2, 3]) {
    state = core.verifyCode(state, new Map([[1, KEY]]), code(now + ahead * 60 + 30 * ahead), { time: now + ahead * 60 }).state;
  }
  assert.equal(core.describeState(state).factors[0].drift, 3);
  const t = now + 300;
  const typed = code(t + 90);
  const first = core.verifyCode(state, { 1: KEY }, typed, { time: t });
  assert.deepEqual([first.outcome, first.offset], ['accepted', 3]);
  assert.equal(core.verifyCode(first.state, { 1: KEY }, typed, { time: t + 20 }).outcome, 'replayed');
});

test('resync: a jumped clock is repaired by two consecutive codes, never by one; each failure counts once', () => {
  const state = enrol();
  const now = T0 + 3600;
  const phone = now + 8 * 60;
  const [c1, c2, c3] = [code(phone), code(phone + 30), code(phone + 60)];
  assert.equal(core.verifyCode(state, { 1: KEY }, c1, { time: now }).outcome, 'invalid');
  for (const pair of [[c1, c1], [c1, c3], [c2, c1]]) {
    const r = core.resync(state, { 1: KEY }, pair, { time: now });
    assert.deepEqual([r.outcome, r.attemptsLeft], ['invalid', 4], pair.join(','));
    assert.equal(core.describeState(r.state).failures, 1);
  }
  const ok = core.resync(state, { 1: KEY }, [c1, c2], { time: now, factorId: 1 });
  assert.deepEqual([ok.outcome, ok.factorId, ok.offset], ['accepted', 1, 17]);
  assert.equal(core.describeState(ok.state).factors[0].drift, 17);
  assert.equal(core.resync(ok.state, { 1: KEY }, [c1, c2], { time: now + 1 }).outcome, 'replayed');
  assert.equal(core.verifyCode(ok.state, { 1: KEY }, code(phone + 90), { time: now + 60 }).outcome, 'accepted');
  // Beyond ±10 minutes: refused.
  const far = now + 11 * 60;
  assert.equal(core.resync(state, { 1: KEY }, [code(far), code(far + 30)], { time: now }).outcome, 'invalid');
  for (const bad of [undefined, 'x', ['123456'], ['123456', 7], [1, 2]]) {
    throwsCode(assert, core.OtpError, () => core.resync(state, { 1: KEY }, bad, { time: now }), 'INVALID_ARGUMENT');
  }
  throwsCode(assert, core.OtpError, () => core.resync(state, { 1: KEY }, [c1, c2], { time: now, factorId: 5 }), 'INVALID_ARGUMENT');
  throwsCode(assert, core.OtpError, () => core.resync(state, { 1: KEY }, [c1, c2], { policy: { resyncWindow: 30 } }), 'INVALID_ARGUMENT');
});

test('the throttle counts every failed resync, then locks resyncs and codes alike', () => {
  let state = enrol();
  const now = T0 + 3600;
  let retryAt;
  for (let i = 1; i <= 6; i++) {
    const r = core.resync(state, { 1: KEY }, ['000000', '000001'], { time: now });
    assert.equal(r.outcome, 'invalid');
    assert.equal(core.describeState(r.state).failures, i);
    retryAt = r.retryAt;
    state = r.state;
  }
  assert.equal(retryAt, now + 60);
  const pair = [code(now + 300), code(now + 330)];
  assert.deepEqual([core.resync(state, { 1: KEY }, pair, { time: now + 1 }).outcome], ['locked']);
  assert.equal(core.verifyCode(state, { 1: KEY }, code(now + 1), { time: now + 1 }).outcome, 'locked');
  assert.equal(core.resync(state, { 1: KEY }, pair, { time: now + 60 }).outcome, 'accepted');
});

test('HOTP: enrol with type hotp, a look-ahead of 2, each counter once, two codes far ahead resync', () => {
  const e = core.startEnrollment({ issuer: 'Example', account: 'alice', type: 'hotp' });
  assert.equal(e.type, 'Counter based');
  assert.match(e.uri, /^otpauth:\/\/hotp\/Example:alice\?secret=[A-Z2-7]+&issuer=Example&counter=0$/);
  const c = core.confirmEnrollment(null, { secret: KEY, code: press(1), label: 'Token', type: 'hotp', time: T0 });
  assert.deepEqual([c.outcome, c.offset], ['accepted', 1]);
  let state = c.state;
  const f = core.describeState(state).factors[0];
  assert.deepEqual([f.type, f.lastStep, f.drift], ['hotp', 1, 0]);
  assert.equal(core.verifyCode(state, { 1: KEY }, press(1), { time: T0 }).outcome, 'replayed');
  assert.equal(core.verifyCode(state, { 1: KEY }, press(5), { time: T0 }).outcome, 'invalid');
  const r = core.verifyCode(state, { 1: KEY }, press(4), { time: T0 });
  assert.deepEqual([r.outcome, r.offset], ['accepted', 2]);
  state = r.state;
  for (const old of [2, 3]) assert.equal(core.verifyCode(state, { 1: KEY }, press(old), { time: T0 }).outcome, 'invalid');
  const jumped = core.resync(state, { 1: KEY }, [press(70), press(71)], { time: T0 });
  assert.deepEqual([jumped.outcome, core.describeState(jumped.state).factors[0].lastStep], ['accepted', 71]);
  assert.equal(core.verifyCode(jumped.state, { 1: KEY }, press(72), { time: T0 }).outcome, 'accepted');
  assert.equal(core.verifyCode(jumped.state, { 1: KEY }, press(70), { time: T0 }).outcome, 'invalid');
  // A wider policy look-ahead, within its bound.
  assert.equal(core.verifyCode(state, { 1: KEY }, press(20), { time: T0, policy: { lookAhead: 20 } }).outcome, 'accepted');
  throwsCode(assert, core.OtpError, () => core.verifyCode(state, { 1: KEY }, press(20), { policy: { lookAhead: 101 } }), 'INVALID_ARGUMENT');
  throwsCode(assert, core.OtpError, () => core.confirmEnrollment(null, { secret: KEY, code: '123456', label: 'T', type: 'x' }), 'INVALID_ARGUMENT');
});

test('recovery codes stay usable after a TOTP lockout; their own counter shows in describeState', () => {
  const issued = core.generateRecoveryCodes(enrol(), SERVER_KEY, { removalCode: true });
  let state = issued.state;
  let t = T0 + 60;
  for (let i = 0; i < 8; i++) {
    const r = core.verifyCode(state, { 1: KEY }, code(t) === '000000' ? '000001' : '000000', { time: t });
    state = r.state;
  }
  let info = core.describeState(state);
  assert.ok(info.lockedUntil > t, 'authenticator codes are locked');
  assert.deepEqual([info.recoveryFailures, info.recoveryLockedUntil], [0, null]);
  const wrong = core.useRecoveryCode(state, SERVER_KEY, '0000-0000-0000', { time: t });
  assert.equal(wrong.outcome, 'invalid');
  info = core.describeState(wrong.state);
  assert.deepEqual([info.recoveryFailures, info.failures], [1, 6]);
  const ok = core.useRecoveryCode(wrong.state, SERVER_KEY, issued.codes[0], { time: t });
  assert.equal(ok.outcome, 'accepted');
  assert.deepEqual([core.describeState(ok.state).failures, core.describeState(ok.state).lockedUntil], [0, null]);
});

test('the removal code has a check digit: a mistyped digit is a typo, not a counted failure', () => {
  const issued = core.generateRecoveryCodes(enrol(), SERVER_KEY, { removalCode: true });
  const digits = issued.removalCode.replaceAll(' ', '');
  for (const pos of [0, 7, 15]) {
    const typo = digits.slice(0, pos) + ((Number(digits[pos]) + 1) % 10) + digits.slice(pos + 1);
    const r = core.useRemovalCode(issued.state, SERVER_KEY, typo, { time: T0 });
    assert.equal(r.outcome, 'typo', typo);
    assert.equal(core.describeState(r.state).recoveryFailures, 0);
  }
  assert.equal(core.useRemovalCode(issued.state, SERVER_KEY, digits, { time: T0 }).outcome, 'accepted');
});

test('states written by earlier releases (versions 1 and 2) still sign in; a future version is INVALID_STATE', () => {
  for (const [name, stored] of [['v1', STATE_V1], ['v2', STATE_V2]]) {
    const info = core.describeState(stored);
    assert.deepEqual(info.factors.map((f) => [f.id, f.type, f.drift]), [[1, 'totp', 0], [2, 'totp', 0]], name);
    assert.equal(info.failures, 2, name);
    const secrets = { 1: KEY, 2: TOKEN };
    assert.equal(core.verifyCode(stored, secrets, code(1_700_000_000), { time: 1_700_000_001 }).outcome, 'replayed', name);
    const r = core.verifyCode(stored, secrets, code(1_700_000_300), { time: 1_700_000_300 });
    assert.deepEqual([r.outcome, r.factorId], ['accepted', 1], name);
    const token = refTotp(TOKEN, 1_700_000_300, { algorithm: 'SHA256', digits: 8, period: 60 });
    assert.equal(core.verifyCode(stored, secrets, token, { time: 1_700_000_300 }).outcome, 'accepted', name);
    assert.equal(fromBase64url(r.state)[0], 3, 'written back as version 3');
  }
  const body = fromBase64url(core.newState()).slice(0, -4);
  body[0] = 4;
  const future = toBase64url(new Uint8Array([...body, ...HASHES.SHA256.hash(body).slice(0, 4)]));
  throwsCode(assert, core.OtpError, () => core.describeState(future), 'INVALID_STATE');
  body[0] = 3;
  const current = toBase64url(new Uint8Array([...body, ...HASHES.SHA256.hash(body).slice(0, 4)]));
  assert.equal(core.describeState(current).enabled, false, 'the checksum is built right');
});

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function fromBase64url(text) {
  const out = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    value = (value << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}

function toBase64url(bytes) {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += B64[(value >> bits) & 63];
    }
  }
  if (bits > 0) out += B64[(value << (6 - bits)) & 63];
  return out;
}
