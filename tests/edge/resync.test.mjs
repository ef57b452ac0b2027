// Clocks that jump and HOTP counters that run ahead, through the real edge service (#14):
// POST /api/login/resync (two consecutive codes with the login ticket; signs in), POST
// /api/2fa/authenticators/:id/resync (under step-up), HOTP authenticators enrolled with
// { type: "hotp" }, and the 2FA states stored by earlier releases (the `tfa` record's `state`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hotp, parseUri, totp } from 'totp-wasm';
import { PERIOD, Person, ROOT, assertError, assertOk, awayFromBoundary, nowSeconds, startEdge, tally } from './support/edge.mjs';
import { objectFile, readValueHex, sqlite3Path, writeValue } from './support/stored-state.mjs';

const CI = process.env.CI === 'true';
const STEP_UP = 3;
let edge;
before(async () => {
  edge = await startEdge({ lifetimes: { stepUp: STEP_UP } });
});
after(async () => {
  await edge?.stop();
});

const step = () => Math.floor(nowSeconds() / PERIOD);

/** The codes of a phone whose clock is `ahead` steps off, for two consecutive steps. */
function offCodes(p, ahead) {
  const secret = p.factors.get(p.firstFactor()).secret;
  const s = step() + ahead;
  const codes = [totp(secret, { time: s * PERIOD }), totp(secret, { time: (s + 1) * PERIOD })];
  codes.forEach((c) => edge.secrets.add(c));
  return codes;
}

async function withTotp() {
  const p = new Person(edge);
  assertOk(await p.signup(), 201);
  await p.enroll();
  return p;
}

describe('resync at sign-in (TOTP)', () => {
  test('a clock 6 minutes ahead: one code is refused, two consecutive codes sign in, and the offset is learned', async () => {
    const p = await withTotp();
    await awayFromBoundary();
    const ticket = await p.ticket();
    const [first, second] = offCodes(p, 12);
    assertError(await p.client.post('/api/login/verify', { ticket, code: first }), 401, 'INVALID_CODE');
    const ok = assertOk(await p.client.post('/api/login/resync', { ticket, codes: [first, second] }));
    assert.equal(ok.status, 'signed_in');
    assert.equal(ok.authenticatedWith, 'otp');
    const profile = assertOk(await p.client.get('/api/profile'));
    assert.equal(profile.session.authenticatedWith, 'otp');
    // The ticket is spent; the pair cannot sign in again.
    assertError(await edge.client().post('/api/login/resync', { ticket, codes: [first, second] }), 401, 'TICKET_EXPIRED');
    const again = await p.ticket();
    assert.notEqual((await p.client.post('/api/login/resync', { ticket: again, codes: [first, second] })).status, 200);
    // The next code of the phone, still 12 steps ahead, now works with one code.
    await awayFromBoundary();
    const next = totp(p.factors.get(p.firstFactor()).secret, { time: (step() + 14) * PERIOD });
    edge.secrets.add(next);
    assert.equal(assertOk(await p.client.post('/api/login/verify', { ticket: await p.ticket(), code: next })).status, 'signed_in');
  });

  test('two codes that are not consecutive, or one repeated, do not sign in', async () => {
    const p = await withTotp();
    await awayFromBoundary();
    const secret = p.factors.get(p.firstFactor()).secret;
    const s = step() + 10;
    const gap = [totp(secret, { time: s * PERIOD }), totp(secret, { time: (s + 2) * PERIOD })];
    const same = [totp(secret, { time: s * PERIOD }), totp(secret, { time: s * PERIOD })];
    [...gap, ...same].forEach((c) => edge.secrets.add(c));
    const ticket = await p.ticket();
    assertError(await p.client.post('/api/login/resync', { ticket, codes: gap }), 401, 'INVALID_CODE');
    assertError(await p.client.post('/api/login/resync', { ticket, codes: same }), 401, 'INVALID_CODE');
  });

  test('concurrent resync attempts with the same pair: exactly one signs in', async () => {
    const p = await withTotp();
    await awayFromBoundary();
    const tickets = await Promise.all(Array.from({ length: 4 }, () => p.ticket()));
    const codes = offCodes(p, 15);
    const res = await Promise.all(tickets.map((ticket) => edge.client().post('/api/login/resync', { ticket, codes })));
    const counts = tally(res);
    assert.equal(counts['200'], 1, JSON.stringify(counts));
    for (const r of res.filter((x) => x.status !== 200)) assert.ok(['CODE_REPLAYED', 'INVALID_CODE'].includes(r.body.error.code), r.text);
  });

  test('every failed resync counts one failure and uses one ticket attempt; the 6th starts the lock', async () => {
    const p = await withTotp();
    const wrong = () => [p.wrongCode(), String((Number(p.wrongCode()) + 1) % 1e6).padStart(6, '0')];
    let ticket = await p.ticket();
    const seen = [];
    for (let i = 0; i < 5; i++) {
      const e = assertError(await p.client.post('/api/login/resync', { ticket, codes: wrong() }), 401, 'INVALID_CODE');
      seen.push([e.attemptsLeft, e.ticketAttemptsLeft]);
    }
    assert.deepEqual(seen, [[4, 4], [3, 3], [2, 2], [1, 1], [0, 0]]);
    // The ticket is used up; on a new one the 6th failed resync starts the lock (5 free
    // failures, as for single codes), which then holds for resync and a right code alike.
    assertError(await p.client.post('/api/login/resync', { ticket, codes: wrong() }), 401, 'TICKET_EXPIRED');
    ticket = await p.ticket();
    const sixth = assertError(await p.client.post('/api/login/resync', { ticket, codes: wrong() }), 401, 'INVALID_CODE');
    assert.ok(sixth.retryAt > nowSeconds(), JSON.stringify(sixth));
    assertError(await p.client.post('/api/login/resync', { ticket, codes: offCodes(p, 5) }), 429, 'LOCKED');
    const { code } = await p.code();
    assertError(await p.client.post('/api/login/verify', { ticket, code }), 429, 'LOCKED');
  });

  test('bad shapes are INVALID_ARGUMENT; a forged ticket is TICKET_EXPIRED', async () => {
    const p = await withTotp();
    const ticket = await p.ticket();
    for (const codes of [undefined, '123456', ['123456'], ['123456', 7], ['1', '2', '3']]) {
      const body = codes === undefined ? { ticket } : { ticket, codes };
      assertError(await p.client.post('/api/login/resync', body), 400, 'INVALID_ARGUMENT');
    }
    assertError(await p.client.post('/api/login/resync', { ticket: `${ticket}x`, codes: ['123456', '654321'] }), 401, 'TICKET_EXPIRED');
  });
});

describe('resync in settings (step-up)', () => {
  test('needs a recent step-up; then two codes repair the offset of that authenticator', async () => {
    const p = await withTotp();
    const id = p.firstFactor();
    await new Promise((r) => setTimeout(r, (STEP_UP + 1) * 1000));
    await awayFromBoundary();
    assertError(await p.client.post(`/api/2fa/authenticators/${id}/resync`, { codes: offCodes(p, 8) }), 403, 'STEP_UP_REQUIRED');
    const { code, step: s } = await p.code();
    assertOk(await p.client.post('/api/session/step-up', { password: p.password, code }));
    p.accepted(id, s);
    assertError(await p.client.post(`/api/2fa/authenticators/${id + 9}/resync`, { codes: offCodes(p, 8) }), 404, 'NOT_FOUND');
    const ok = assertOk(await p.client.post(`/api/2fa/authenticators/${id}/resync`, { codes: offCodes(p, 8) }));
    assert.equal(ok.authenticator.id, id);
    assertError(await p.client.post(`/api/2fa/authenticators/${id}/resync`, { codes: offCodes(p, 4).reverse() }), 401, 'INVALID_CODE');
  });
});

describe('HOTP authenticators', () => {
  /** An account with one HOTP authenticator, enrolled with counter 0. */
  async function withHotp() {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    const start = assertOk(await p.client.post('/api/2fa/enroll', { type: 'hotp' }));
    const uri = parseUri(start.uri);
    assert.equal(uri.kind ?? uri.type, 'hotp', start.uri);
    const press = (n) => {
      const c = hotp(uri.secret, n);
      edge.secrets.add(c);
      return c;
    };
    const out = assertOk(await p.client.post('/api/2fa/enroll/confirm', { code: press(0), password: p.password, name: 'Key fob' }));
    assert.equal(out.authenticator.type, 'hotp');
    return { p, press };
  }

  test('bad type is INVALID_ARGUMENT', async () => {
    const p = new Person(edge);
    assertOk(await p.signup(), 201);
    assertError(await p.client.post('/api/2fa/enroll', { type: 'sms' }), 400, 'INVALID_ARGUMENT');
  });

  test('each counter value is accepted once; the look-ahead is bounded; two codes far ahead resync at login', async () => {
    const { p, press } = await withHotp();
    const verify = async (code) => p.client.post('/api/login/verify', { ticket: await p.ticket(), code });
    assertError(await verify(press(0)), 401, 'CODE_REPLAYED'); // the enrollment's counter
    assertOk(await verify(press(1)));
    assert.notEqual((await verify(press(1))).status, 200);
    assertOk(await verify(press(4))); // within the default look-ahead of 2 past the next (2)
    assert.notEqual((await verify(press(3))).status, 200); // the counter only moves forward
    // 50 presses ahead: one code is refused, two consecutive ones sign in.
    assertError(await verify(press(55)), 401, 'INVALID_CODE');
    const ticket = await p.ticket();
    assertOk(await p.client.post('/api/login/resync', { ticket, codes: [press(55), press(56)] }));
    assert.notEqual((await verify(press(56))).status, 200);
    assertOk(await verify(press(57)));
    // Concurrent resyncs of the same far pair: exactly one wins.
    const tickets = await Promise.all([1, 2, 3].map(() => p.ticket()));
    const res = await Promise.all(tickets.map((t) => edge.client().post('/api/login/resync', { ticket: t, codes: [press(90), press(91)] })));
    assert.equal(tally(res)['200'], 1, JSON.stringify(tally(res)));
  });
});

describe('2FA states stored by earlier releases', () => {
  // tests/data: factor 1 = "12345678901234567890" (SHA1, 6 digits, 30 s), factor 2 =
  // "abcdefghijabcdefghij" (SHA256, 8 digits, 60 s), both enrolled in 2023, two failed codes.
  const FIXTURE_KEY_1 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  const FIXTURE_KEY_2 = 'MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK';
  const fixture = (name) => readFileSync(join(ROOT, 'tests', 'data', name), 'utf8').trim();

  /** One account on its own workerd, whose stored state is replaced by `state`. */
  async function storedWith(state) {
    const own = await startEdge();
    const p = new Person(own);
    assertOk(await p.signup(), 201);
    await p.enroll();
    await own.kill();
    const dir = join(own.stateDir, 'totp-wasm-users');
    const files = readdirSync(dir).filter((f) => /^[0-9a-f]{64}\.sqlite$/.test(f));
    assert.equal(files.length, 1, files.join(', '));
    const file = objectFile(own.stateDir, 'totp-wasm-users', p.name);
    assert.equal(file, join(dir, files[0]));
    assert.ok(readValueHex(file, 'tfa').length > 0);
    await writeValue(file, 'tfa', own.keys, p.name, state, { 1: FIXTURE_KEY_1, 2: FIXTURE_KEY_2 });
    await own.start();
    return { own, p };
  }

  for (const name of ['state-v1.txt', 'state-v2.txt']) {
    test(`${name}: its authenticators sign in, and the state is written back in the current version`, async (t) => {
      if (!sqlite3Path()) {
        if (CI) assert.fail('sqlite3 is missing (cargo xtask installs Debian sqlite3)');
        t.skip('sqlite3 not installed');
        return;
      }
      const { own, p } = await storedWith(fixture(name));
      try {
        await awayFromBoundary();
        const t0 = nowSeconds();
        const ticket = assertOk(await p.login()).ticket;
        const code2 = totp(FIXTURE_KEY_2, { time: t0, algorithm: 'SHA256', digits: 8, period: 60 });
        own.secrets.add(code2);
        assert.equal(assertOk(await p.client.post('/api/login/verify', { ticket, code: code2 })).status, 'signed_in');
        const code1 = totp(FIXTURE_KEY_1, { time: t0 });
        own.secrets.add(code1);
        assertOk(await p.client.post('/api/login/verify', { ticket: assertOk(await p.login()).ticket, code: code1 }));
        const profile = assertOk(await p.client.get('/api/profile'));
        assert.deepEqual(profile.twoFactor.authenticators.map((a) => [a.id, a.type]), [[1, 'totp'], [2, 'totp']]);
        assert.deepEqual(own.leakedSecrets(), []);
      } finally {
        await own.stop();
      }
    });
  }

  test('a state from a future version is INVALID_STATE, and is not reset', async (t) => {
    if (!sqlite3Path()) {
      if (CI) assert.fail('sqlite3 is missing (cargo xtask installs Debian sqlite3)');
      t.skip('sqlite3 not installed');
      return;
    }
    // Version byte 0x04 in front of a version-2 body ("Ag" -> "BA": 0x02 -> 0x04).
    const future = `BA${fixture('state-v2.txt').slice(2)}`;
    const { own, p } = await storedWith(future);
    try {
      assertError(await p.login(), 500, 'INVALID_STATE');
      assertError(await p.login(), 500, 'INVALID_STATE');
    } finally {
      await own.stop();
    }
  });
});

test('nothing secret in workerd\'s output', () => {
  assert.deepEqual(edge.leakedSecrets(), []);
});
