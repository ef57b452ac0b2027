// The security log in words (www/account-security-log.js): every event type of the edge's
// vocabulary has a sentence, the issue's own example reads as written, and the list renders
// in real Chromium (text only, never HTML), with screenshots at 390 and 1280 px.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EVENTS, checkEvent } from '../../edge/security-log.js';
import { WORDS, describeEvent, isAlert, resetNotice } from '../../www/account-security-log.js';
import { ROOT } from './support/audit-edge.mjs';

const CI = /^(true|1|yes)$/i.test(process.env.CI ?? '');
const GB = { locale: 'en-GB', timeZone: 'UTC' };
const DEC3 = Date.UTC(2026, 11, 3, 10, 30) / 1000;

/** One valid detail per event type, built from the vocabulary itself. */
function sampleDetail(type) {
  const values = { id: 2, count: 3, time: DEC3 + 86400, bool: true, label: 'Work phone', reason: 'ID checked by video call', tokenId: 'abcDEF123456', operator: 'ann' };
  const detail = {};
  for (const [name, spec] of Object.entries(EVENTS[type])) {
    detail[name] = Array.isArray(spec) ? spec[0] : values[spec.replace('?', '')];
  }
  return checkEvent(type, detail);
}

test('every event type of edge/security-log.js has words, and no words exist for unknown types', () => {
  assert.deepEqual(Object.keys(WORDS).sort(), Object.keys(EVENTS).sort());
  for (const type of Object.keys(EVENTS)) {
    const sentence = describeEvent({ seq: 1, at: DEC3, type, detail: sampleDetail(type) }, GB);
    assert.match(sentence, /^[A-Z0-9].* on 3 Dec 2026(: .+)?\.$/, `${type}: ${sentence}`);
    assert.doesNotMatch(sentence, /undefined|null|\[object/, `${type}: ${sentence}`);
  }
});

test("the issue's example: a support reset with its reason", () => {
  const e = { seq: 9, at: DEC3, type: 'operator-reset', detail: { operator: 'ann', reason: 'lost phone, ID checked' } };
  assert.equal(describeEvent(e, GB), '2FA was reset by support on 3 Dec 2026: reason “lost phone, ID checked”.');
  assert.equal(isAlert(e), true);
  assert.equal(resetNotice([e], DEC3 - 1, GB), '2FA was reset by support on 3 Dec 2026: reason “lost phone, ID checked”. Set up 2FA again to protect your account; if you did not ask support for this, change your password now.');
  assert.equal(resetNotice([e], DEC3, GB), null, 'not after a later sign-in');
});

test('details are worded, in the time zone given', () => {
  const say = (type, detail, at = DEC3) => describeEvent({ seq: 1, at, type, detail }, GB);
  assert.equal(say('sign-in', { method: 'recovery' }), 'Signed in with a backup code on 3 Dec 2026.');
  assert.equal(say('recovery-code-used', { remaining: 1 }), 'A backup code was used on 3 Dec 2026: 1 code left.');
  assert.equal(say('sessions-revoked', { count: 2, cause: 'password-changed' }), '2 other sessions were signed out on 3 Dec 2026: the password was changed.');
  assert.equal(say('sessions-revoked', { count: 1, cause: 'support' }), '1 session was signed out on 3 Dec 2026: support reset 2FA.');
  assert.equal(say('authenticator-renamed', { authenticator: 1, from: 'Phone', to: 'Old phone' }), 'Authenticator “Phone” was renamed to “Old phone” on 3 Dec 2026.');
  assert.equal(say('operator-lookup', { operator: 'ann' }), 'Support looked at your 2FA settings on 3 Dec 2026.');
  assert.equal(describeEvent({ at: Date.UTC(2026, 11, 3, 23, 30) / 1000, type: 'password-changed', detail: {} }, { locale: 'en-GB', timeZone: 'Asia/Tokyo' }), 'The password was changed on 4 Dec 2026.');
  assert.equal(describeEvent({ at: DEC3, type: 'from-the-future', detail: {} }, GB), 'A security event (from-the-future) on 3 Dec 2026.');
});

test('renderSecurityLog in Chromium: newest first, text only, <time> with the exact moment', async (t) => {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const playwright = join(ROOT, 'node_modules', 'playwright-core', 'index.mjs');
  if (!existsSync(chromium) || !existsSync(playwright)) {
    if (CI) assert.fail(`chromium (${chromium}) or playwright-core missing`);
    t.skip('chromium or playwright-core missing');
    return;
  }
  const { chromium: launcher } = await import(playwright);
  const browser = await launcher.launch({
    executablePath: chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const css = readFileSync(join(ROOT, 'www', 'style.css'), 'utf8') + readFileSync(join(ROOT, 'www', 'account.css'), 'utf8');
    await page.setContent(`<!doctype html><meta name="viewport" content="width=device-width"><style>${css}</style>
      <main class="account-main"><section class="card"><h3>Security events</h3><ul id="log" class="security-log"></ul></section></main>`);
    const source = readFileSync(join(ROOT, 'www', 'account-security-log.js'), 'utf8');
    await page.addScriptTag({ type: 'module', content: `${source}\nwindow.renderSecurityLog = renderSecurityLog;` });
    await page.waitForFunction(() => typeof window.renderSecurityLog === 'function');
    const events = [
      { seq: 1, at: DEC3 - 7200, type: 'sign-in', detail: { method: 'otp' } },
      { seq: 2, at: DEC3 - 3600, type: 'authenticator-added', detail: { authenticator: 2, name: '<img src=x onerror=alert(1)>' } },
      { seq: 3, at: DEC3, type: 'operator-reset', detail: { operator: 'ann', reason: 'lost phone, ID checked by video call' } },
      { seq: 4, at: DEC3, type: '2fa-disabled', detail: { via: 'support' } },
    ];
    const items = await page.evaluate((evs) => {
      const list = document.getElementById('log');
      window.renderSecurityLog(list, evs, { locale: 'en-GB', timeZone: 'UTC' });
      return [...list.children].map((li) => ({
        text: li.textContent,
        cls: li.className,
        imgs: li.querySelectorAll('img').length,
        time: li.querySelector('time')?.dateTime,
        title: li.querySelector('time')?.title,
      }));
    }, events);
    assert.deepEqual(items.map((i) => i.text), [
      '2FA was turned off by support on 3 Dec 2026.',
      '2FA was reset by support on 3 Dec 2026: reason “lost phone, ID checked by video call”.',
      'Authenticator “<img src=x onerror=alert(1)>” was added on 3 Dec 2026.',
      'Signed in with the password and an authenticator code on 3 Dec 2026.',
    ]);
    assert.deepEqual(items.map((i) => i.imgs), [0, 0, 0, 0], 'names are text, never HTML');
    assert.equal(items[1].time, '2026-12-03T10:30:00.000Z');
    assert.match(items[1].title, /^Thursday,? 3 December 2026 at 10:30$/); // ICU versions differ on the comma
    assert.deepEqual(items.map((i) => i.cls.includes('alert')), [true, true, false, false]);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 500 });
      const dir = join(ROOT, 'target', 'screenshots');
      if (existsSync(dir)) await page.screenshot({ path: join(dir, `security-log-${width}.png`), fullPage: true });
    }
    const empty = await page.evaluate(() => {
      const list = document.getElementById('log');
      window.renderSecurityLog(list, []);
      return list.textContent;
    });
    assert.equal(empty, 'No security events yet.');
  } finally {
    await browser.close();
  }
});
