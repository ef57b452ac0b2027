// End-to-end: the authenticator page (www/authenticator.html) as a person uses it, served by a
// real workerd through the edge worker, in headless Chromium (playwright-core). Codes on the
// page are compared with the package computed here in Node; QR images are drawn here from
// qrMatrix() and handed to the file input (and, as a fake camera, to getUserMedia).
// Screenshots land in target/screenshots/authenticator-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildUri, hotp, parseUri, qrMatrix, remainingSeconds, totp } from 'totp-wasm';
import { qrPng, greyPng } from './support/png.mjs';
import { SHOTS, launchChromium, openPage, sleep, startWorkerd } from './support/workerd.mjs';

const ZBARIMG = '/usr/bin/zbarimg';

// Accounts used below. Secrets: "Hello!\xde\xad\xbe\xef" and the bytes 0..19, in base32.
const HELLO = 'JBSWY3DPEHPK3PXP';
const BYTES20 = 'AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT';
const ACME = 'otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co';
const WIDE = `otpauth://totp/Vault:ops@example.com?secret=${BYTES20}&issuer=Vault&algorithm=SHA512&digits=8&period=60`;
const BANK = `otpauth://hotp/Bank:carol?secret=${HELLO}&issuer=Bank&counter=5`;

/**
 * A Google Authenticator export with two accounts, written byte by byte from its protobuf
 * schema: GitHub:octo (SHA1, 6 digits) and Cloud / ops@example.com (SHA256, 8 digits).
 */
function migrationUri() {
  const enc = new TextEncoder();
  const field = (key, bytes) => [key, bytes.length, ...bytes];
  const hello = [...enc.encode('Hello!'), 0xde, 0xad, 0xbe, 0xef];
  const twenty = Array.from({ length: 20 }, (_, i) => i);
  const github = [...field(0x0a, hello), ...field(0x12, enc.encode('GitHub:octo')), ...field(0x1a, enc.encode('GitHub')), 0x20, 1, 0x28, 1, 0x30, 2];
  const cloud = [...field(0x0a, twenty), ...field(0x12, enc.encode('ops@example.com')), ...field(0x1a, enc.encode('Cloud')), 0x20, 2, 0x28, 2, 0x30, 2];
  const payload = [...field(0x0a, github), ...field(0x0a, cloud), 0x10, 1, 0x18, 1, 0x20, 0, 0x28, 7];
  return `otpauth-migration://offline?data=${encodeURIComponent(Buffer.from(payload).toString('base64'))}`;
}

let server;
let base;
let browser;
let chromiumMissing = null;

before(async () => {
  server = await startWorkerd({ logName: 'e2e-authenticator-workerd.log' });
  base = server.base;
  const launched = await launchChromium();
  browser = launched.browser;
  chromiumMissing = launched.missing ?? null;
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** Opens the authenticator in a fresh context (or `context`), ready to use. */
async function open({ viewport, context } = {}) {
  const opened = await openPage(browser, `${base}/authenticator.html`, { viewport, context });
  assert.equal(opened.response?.status(), 200);
  await opened.page.waitForSelector('main:not([hidden])', { timeout: 15_000 });
  return opened;
}

async function text(page, selector) {
  return ((await page.textContent(selector)) ?? '').trim();
}

/** Pastes `value` into the add box and submits; returns the message shown. */
async function paste(page, value) {
  await page.fill('#add-text', value);
  // Adding can wait for the scan entry (an otpauth-migration link's reader): wait for the answer.
  await page.evaluate(() => { document.getElementById('add-result').textContent = ''; });
  await page.click('#add-form button[type="submit"]');
  await page.waitForFunction(() => (document.getElementById('add-result')?.textContent ?? '') !== '', null, { timeout: 15_000 });
  return text(page, '#add-result');
}

/** The account list as [{ issuer, account, code, settings, counter }]. */
function shownAccounts(page) {
  return page.$$eval('#accounts > li', (items) =>
    items.map((li) => ({
      issuer: li.querySelector('.issuer')?.textContent ?? '',
      account: li.querySelector('.account-name')?.textContent ?? '',
      code: (li.querySelector('.code-text')?.textContent ?? '').replace(' ', ''),
      grouped: li.querySelector('.code-text')?.textContent ?? '',
      settings: li.querySelector('.settings')?.textContent ?? '',
      counter: li.querySelector('.counter')?.textContent ?? '',
      seconds: li.querySelector('.seconds')?.textContent ?? '',
    })),
  );
}

/** Asserts the page shows `options`' TOTP code for `secret`, allowing for a period boundary. */
async function assertTotpShown(page, index, secret, options = {}) {
  const t0 = Date.now() / 1000;
  const shown = (await shownAccounts(page))[index];
  const t1 = Date.now() / 1000;
  const candidates = [t0 - 1.5, t0, t1].map((time) => totp(secret, { ...options, time }));
  assert.ok(candidates.includes(shown.code), `account ${index}: shown ${shown.code}, expected one of ${candidates}`);
  return shown;
}

function skipWithoutChromium(t) {
  if (chromiumMissing) {
    t.skip(chromiumMissing);
    return true;
  }
  return false;
}

describe('the authenticator page', () => {
  test('loads without console errors or CSP violations; the QR reader loads only when used', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page, problems, requests } = await open();
    try {
      await sleep(500);
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'no CSP violations');
      assert.deepEqual(problems, [], 'no console errors or warnings');
      const foreign = requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith('data:'));
      assert.deepEqual(foreign, [], 'no request leaves the origin');
      assert.ok(requests.includes(`${base}/pkg/page/totp_wasm_bg.wasm`));
      assert.ok(!requests.some((u) => u.includes('/pkg/scan/')), 'the scan entry is not loaded up front');
      assert.equal(await page.title(), 'Authenticator — totp-wasm');
      assert.equal(await page.isVisible('#empty'), true);
      assert.equal(await page.isVisible('#vault-off'), true);
      // The setup page links here and back.
      await page.click('.site-nav a[href="/"]');
      await page.waitForSelector('#qr svg');
      await page.click('.site-nav a[href="/authenticator.html"]');
      await page.waitForSelector('main:not([hidden])');
      assert.equal(await page.title(), 'Authenticator — totp-wasm');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('a pasted otpauth URI shows the code totp() computes, grouped, with its countdown', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page, problems } = await open();
    try {
      assert.match(await paste(page, ACME), /^Added ACME Co \(john\.doe@email\.com\)\./);
      assert.equal(await page.inputValue('#add-text'), '', 'the secret does not stay in the form');
      const shown = await assertTotpShown(page, 0, 'HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ');
      assert.equal(shown.issuer, 'ACME Co');
      assert.equal(shown.account, 'john.doe@email.com');
      assert.match(shown.grouped, /^\d{3} \d{3}$/);
      assert.equal(shown.settings, '', 'SHA1/6/30 needs no mention');
      const seconds = Number(shown.seconds);
      assert.ok(seconds >= 1 && seconds <= 30, `countdown ${seconds}`);

      // SHA-512, 8 digits, 60 s: grouped 4 + 4, its own countdown.
      await paste(page, WIDE);
      const wide = await assertTotpShown(page, 1, BYTES20, { algorithm: 'SHA512', digits: 8, period: 60 });
      assert.match(wide.grouped, /^\d{4} \d{4}$/);
      assert.equal(wide.settings, 'SHA-512 · 8 digits · 60 s');
      const around = [];
      for (let s = Date.now() / 1000 - 2; s <= Date.now() / 1000 + 0.5; s += 0.25) around.push(remainingSeconds({ time: s, period: 60 }));
      assert.ok(around.includes(Number(wide.seconds)), `countdown ${wide.seconds}, expected one of ${around}`);

      // The same account again is not added twice.
      assert.match(await paste(page, ACME), /already here/);
      assert.equal((await shownAccounts(page)).length, 2);
      assert.equal(await text(page, '#account-count'), '2');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('a bare key with issuer and account, and refusals with the package\'s messages', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page } = await open();
    try {
      await page.fill('#add-issuer', 'Example');
      await page.fill('#add-account', 'alice@example.com');
      assert.match(await paste(page, 'jbsw y3dp ehpk 3pxp'), /^Added Example \(alice@example\.com\)/);
      await assertTotpShown(page, 0, HELLO);

      // A key with a typo: the position and the hint from INVALID_SECRET.
      await page.fill('#add-issuer', 'Example');
      const bad = await paste(page, 'JBSW Y3DP EHPK 3PX1');
      assert.match(bad, /'1'/);
      assert.match((await page.getAttribute('#add-result', 'class')) ?? '', /\bbad\b/);
      // A key without a name.
      await page.fill('#add-issuer', '');
      await page.fill('#add-account', '');
      assert.match(await paste(page, 'GEZDGNBVGY3TQOJQ'), /issuer or the account name/);
      // A broken URI, and nothing pasted.
      assert.match(await paste(page, 'otpauth://totp/x'), /no secret/);
      assert.match(await paste(page, ''), /Paste a setup link/);
      assert.equal((await shownAccounts(page)).length, 1, 'nothing else was added');

      // Counter-based key with options from the form.
      await page.fill('#add-issuer', 'Door');
      await page.click('.options summary');
      await page.selectOption('#add-type', 'hotp');
      await page.selectOption('#add-digits', '8');
      await page.fill('#add-counter', '41');
      await paste(page, BYTES20);
      const door = (await shownAccounts(page))[1];
      assert.equal(door.issuer, 'Door');
      assert.equal(door.code, hotp(BYTES20, 41, { digits: 8 }));
      assert.equal(door.counter, 'Counter 41');
    } finally {
      await context.close();
    }
  });

  test('an image of a QR code drawn by the package adds its account', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page, problems, requests } = await open();
    try {
      const uri = buildUri({ secret: BYTES20, account: 'dev@example.org', issuer: 'Forge', algorithm: 'SHA256', digits: 8 });
      const png = qrPng(qrMatrix(uri), { scale: 5, margin: 40 });
      await page.setInputFiles('#qr-file', { name: 'setup.png', mimeType: 'image/png', buffer: png });
      await page.waitForFunction(() => document.querySelectorAll('#accounts > li').length === 1, null, { timeout: 15_000 });
      assert.match(await text(page, '#add-result'), /^Added Forge \(dev@example\.org\) from the image\./);
      const shown = await assertTotpShown(page, 0, BYTES20, { algorithm: 'SHA256', digits: 8 });
      assert.equal(shown.settings, 'SHA-256 · 8 digits');
      assert.ok(requests.includes(`${base}/pkg/scan/totp_wasm_bg.wasm`), 'the scan entry was loaded');

      // A Google Authenticator export as a QR code imports all of its accounts.
      await page.setInputFiles('#qr-file', { name: 'export.png', mimeType: 'image/png', buffer: qrPng(qrMatrix(migrationUri()), { scale: 4 }) });
      await page.waitForFunction(() => document.querySelectorAll('#accounts > li').length === 3, null, { timeout: 15_000 });
      assert.match(await text(page, '#add-result'), /^Added 2 accounts from the image: GitHub \(octo\), Cloud \(ops@example\.com\)\./);

      // No QR code, and a QR code that is not a setup code.
      await page.setInputFiles('#qr-file', { name: 'blank.png', mimeType: 'image/png', buffer: greyPng(120, 80, () => 255) });
      await page.waitForFunction(() => /^No QR code found/.test(document.getElementById('add-result')?.textContent ?? ''), null, { timeout: 15_000 });
      await page.setInputFiles('#qr-file', { name: 'link.png', mimeType: 'image/png', buffer: qrPng(qrMatrix('https://example.com/'), { scale: 4 }) });
      await page.waitForFunction(() => /not an authenticator setup code/.test(document.getElementById('add-result')?.textContent ?? ''), null, { timeout: 15_000 });
      await page.setInputFiles('#qr-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
      await page.waitForFunction(() => /is not an image/.test(document.getElementById('add-result')?.textContent ?? ''), null, { timeout: 15_000 });
      assert.equal((await shownAccounts(page)).length, 3);
      assert.deepEqual(problems, []);
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    } finally {
      await context.close();
    }
  });

  test('a pasted Google Authenticator export adds every account (SHA-256 / 8 digits included)', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page } = await open();
    try {
      assert.match(await paste(page, migrationUri()), /^Added 2 accounts from the Google Authenticator export: GitHub \(octo\), Cloud \(ops@example\.com\)\./);
      const [github, cloud] = await shownAccounts(page);
      assert.deepEqual([github.issuer, github.account, cloud.issuer, cloud.account], ['GitHub', 'octo', 'Cloud', 'ops@example.com']);
      await assertTotpShown(page, 0, HELLO);
      const c = await assertTotpShown(page, 1, BYTES20, { algorithm: 'SHA256', digits: 8 });
      assert.match(c.grouped, /^\d{4} \d{4}$/);
      assert.equal(c.settings, 'SHA-256 · 8 digits');
      // Again: both are already there.
      assert.match(await paste(page, migrationUri()), /All 2 accounts are already here/);
      // Truncated data: INVALID_URI's message, nothing added.
      assert.match(await paste(page, migrationUri().slice(0, 60)), /otpauth-migration/);
      assert.equal((await shownAccounts(page)).length, 2);
    } finally {
      await context.close();
    }
  });

  test('HOTP: the code for the counter, "Next code" moves to the next one', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page } = await open();
    try {
      await paste(page, BANK);
      let [bank] = await shownAccounts(page);
      assert.equal(bank.code, hotp(HELLO, 5));
      assert.equal(bank.counter, 'Counter 5');
      assert.equal(bank.seconds, '', 'no countdown for counter-based codes');
      await page.click('button.next');
      [bank] = await shownAccounts(page);
      assert.equal(bank.code, hotp(HELLO, 6));
      assert.equal(bank.counter, 'Counter 6');
      await page.click('button.next');
      assert.equal((await shownAccounts(page))[0].code, hotp(HELLO, 7));
    } finally {
      await context.close();
    }
  });

  test('clicking a code copies it; Remove asks first', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page } = await open();
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
      await paste(page, BANK);
      await page.click('#accounts .code');
      await page.waitForFunction(() => document.getElementById('copy-status')?.textContent !== '');
      const status = await text(page, '#copy-status');
      if (status.startsWith('Copied')) {
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), hotp(HELLO, 5));
        assert.match((await page.getAttribute('#accounts .code', 'class')) ?? '', /\bcopied\b/);
      } else {
        assert.equal((await page.evaluate(() => String(window.getSelection()))).replace(' ', ''), hotp(HELLO, 5));
      }
      // Keyboard: Enter on the focused code copies too.
      await page.focus('#accounts .code');
      await page.keyboard.press('Enter');

      await page.click('#accounts .remove');
      assert.equal(await page.isVisible('#accounts .confirm'), true);
      await page.click('#accounts .confirm button.secondary'); // Keep
      assert.equal((await shownAccounts(page)).length, 1);
      await page.click('#accounts .remove');
      await page.click('#accounts .confirm button.danger');
      assert.equal((await shownAccounts(page)).length, 0);
      assert.equal(await page.isVisible('#empty'), true);
      assert.match(await text(page, '#copy-status'), /^Removed Bank \(carol\)/);
    } finally {
      await context.close();
    }
  });

  test('remember on this device: encrypted in localStorage, unlocked after a reload, wrong passphrase refused', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page, problems } = await open();
    try {
      await paste(page, ACME);
      await paste(page, BANK);
      await page.click('button.next'); // counter 5 -> 6, saved too
      const before = await shownAccounts(page);

      // Mismatched and short passphrases are refused.
      await page.fill('#remember-pass', 'correct horse battery');
      await page.fill('#remember-pass2', 'correct horse battery!');
      await page.click('#remember-form button[type="submit"]');
      assert.match(await text(page, '#vault-result'), /differ/);
      await page.fill('#remember-pass', 'short');
      await page.fill('#remember-pass2', 'short');
      await page.click('#remember-form button[type="submit"]');
      assert.match(await text(page, '#vault-result'), /at least 8/);

      await page.fill('#remember-pass', 'correct horse battery');
      await page.fill('#remember-pass2', 'correct horse battery');
      await page.click('#remember-form button[type="submit"]');
      await page.waitForSelector('#vault-on:not([hidden])', { timeout: 20_000 });
      assert.match(await text(page, '#vault-result'), /^Saved on this device, encrypted: 2 accounts/);

      const stored = await page.evaluate(() => localStorage.getItem('totp-wasm.authenticator.v1'));
      const record = JSON.parse(stored);
      assert.ok(record.iterations >= 300_000, `PBKDF2 iterations ${record.iterations}`);
      assert.equal(Buffer.from(record.salt, 'base64').length, 16);
      assert.equal(Buffer.from(record.iv, 'base64').length, 12);
      for (const secret of ['HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ', HELLO, 'carol', 'ACME']) {
        assert.ok(!stored.includes(secret), `${secret} is not stored in the clear`);
      }

      // A change while remembered is saved (new IV each time).
      await page.click('button.next'); // counter 6 -> 7
      await page.waitForFunction((old) => JSON.parse(localStorage.getItem('totp-wasm.authenticator.v1')).iv !== old, record.iv);
      const expected = (await shownAccounts(page)).map(({ issuer, account, counter }) => ({ issuer, account, counter }));
      assert.equal(expected[1].counter, 'Counter 7');
      assert.notDeepEqual(expected, before.map(({ issuer, account, counter }) => ({ issuer, account, counter })));

      // Reload: locked, no account on the page until unlocked.
      await page.reload({ waitUntil: 'load' });
      await page.waitForSelector('main:not([hidden])');
      assert.equal(await page.isVisible('#vault-locked'), true);
      assert.equal((await shownAccounts(page)).length, 0);

      await page.fill('#unlock-pass', 'correct horse batterY');
      await page.click('#unlock-form button[type="submit"]');
      await page.waitForFunction(() => /Wrong passphrase/.test(document.getElementById('vault-result')?.textContent ?? ''), null, { timeout: 20_000 });
      assert.equal(await page.isVisible('#vault-locked'), true);
      assert.equal((await shownAccounts(page)).length, 0);

      await page.fill('#unlock-pass', 'correct horse battery');
      await page.click('#unlock-form button[type="submit"]');
      await page.waitForSelector('#vault-on:not([hidden])', { timeout: 20_000 });
      const after = await shownAccounts(page);
      assert.deepEqual(after.map(({ issuer, account, counter }) => ({ issuer, account, counter })), expected);
      await assertTotpShown(page, 0, 'HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ');
      assert.equal(after[1].code, hotp(HELLO, 7));

      // Lock, then stop keeping them: the record is gone, the accounts stay on the page.
      await page.click('#lock');
      assert.equal((await shownAccounts(page)).length, 0);
      await page.fill('#unlock-pass', 'correct horse battery');
      await page.click('#unlock-form button[type="submit"]');
      await page.waitForSelector('#vault-on:not([hidden])', { timeout: 20_000 });
      await page.click('#forget');
      assert.equal(await page.evaluate(() => localStorage.getItem('totp-wasm.authenticator.v1')), null);
      assert.equal((await shownAccounts(page)).length, 2);
      assert.equal(await page.isVisible('#vault-off'), true);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('export shows each account as its otpauth URI and a QR code that scans', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page } = await open();
    try {
      await paste(page, ACME);
      await paste(page, WIDE);
      await paste(page, BANK);
      assert.equal(await page.isVisible('#export-panel'), false, 'hidden until asked');
      await page.click('#export-toggle');
      assert.equal(await page.getAttribute('#export-toggle', 'aria-expanded'), 'true');
      const uris = await page.$$eval('#export-list .uri-text', (els) => els.map((e) => e.textContent));
      assert.deepEqual(uris, [ACME, WIDE, BANK].map((u) => buildUri(parseUri(u))));
      assert.deepEqual(uris.map((u) => parseUri(u).secret), ['HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ', BYTES20, HELLO]);
      assert.equal(await page.locator('#export-list .qr svg').count(), 3);

      // HOTP exports the current counter.
      await page.click('button.next');
      const bank = await page.$$eval('#export-list .uri-text', (els) => els[2].textContent);
      assert.equal(parseUri(bank).counter, 6n);

      if (existsSync(ZBARIMG)) {
        const shot = join(SHOTS, 'authenticator-export-qr.png');
        await page.locator('#export-list .qr').nth(1).screenshot({ path: shot });
        const decoded = execFileSync(ZBARIMG, ['--raw', '-q', shot], { encoding: 'utf8', timeout: 20_000 }).trim();
        assert.equal(decoded, uris[1]);
      }
      await page.click('#export-toggle');
      assert.equal(await page.isVisible('#export-panel'), false);
      assert.equal(await page.locator('#export-list li').count(), 0, 'the URIs leave the page when hidden');

      // The links, one per line ("Copy all links"), pasted into another browser: all imported.
      const other = await open();
      try {
        const added = await paste(other.page, `${[uris[0], uris[1], bank].join('\n')}\n`);
        assert.match(added, /^Added 3 accounts: ACME Co \(john\.doe@email\.com\), Vault \(ops@example\.com\), Bank \(carol\)\./);
        assert.equal((await shownAccounts(other.page))[2].counter, 'Counter 6');
      } finally {
        await other.context.close();
      }
    } finally {
      await context.close();
    }
  });

  test('accessibility basics: labels, names, one h1, no inline style or script, keyboard order', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page } = await open();
    try {
      await paste(page, ACME);
      await paste(page, BANK);
      const issues = await page.evaluate(() => {
        const out = [];
        if (!document.documentElement.lang) out.push('no lang');
        for (const e of document.querySelectorAll('input, select, textarea')) {
          if (!e.labels?.length && !e.getAttribute('aria-label')) out.push(`unlabelled ${e.id}`);
        }
        for (const b of document.querySelectorAll('button')) {
          if (!(b.getAttribute('aria-label') || b.textContent.trim())) out.push(`unnamed button ${b.className}`);
        }
        if (document.querySelectorAll('h1').length !== 1) out.push('not exactly one h1');
        if (document.querySelector('[style]')) out.push('inline style attribute');
        if (document.querySelector('script:not([src]):not([type="importmap"])')) out.push('inline script');
        const code = document.querySelector('#accounts .code');
        if (!/copy the code for ACME Co/.test(code?.getAttribute('aria-label') ?? '')) out.push('code button without a useful name');
        return out;
      });
      assert.deepEqual(issues, []);
      // From the top of the page (focus is on the Add button after pasting).
      await page.focus('a.skip');
      const order = [];
      for (let i = 0; i < 24; i++) {
        await page.keyboard.press('Tab');
        order.push(await page.evaluate(() => {
          const a = document.activeElement;
          return a?.id || a?.className || a?.tagName;
        }));
      }
      for (const id of ['add-text', 'add-issuer', 'add-account', 'qr-file', 'remember-pass', 'export-toggle']) {
        assert.ok(order.includes(id), `Tab reaches #${id}: ${order.join(', ')}`);
      }
      assert.ok(order.some((c) => /\bcode\b/.test(c)), `Tab reaches the codes: ${order.join(', ')}`);
      assert.ok(order.indexOf('add-text') < order.indexOf('qr-file'), order.join(', '));
      // Reading order: the pages' links, the accounts' codes, then adding.
      assert.ok(order.findIndex((c) => /\bcode\b/.test(c)) < order.indexOf('add-text'), order.join(', '));
    } finally {
      await context.close();
    }
  });

  for (const [name, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]]) {
    test(`screenshots at ${name} width (${viewport.width}×${viewport.height}), nothing overflows`, async (t) => {
      if (skipWithoutChromium(t)) return;
      const { context, page, problems } = await open({ viewport });
      try {
        await page.screenshot({ path: join(SHOTS, `authenticator-${name}-empty.png`), fullPage: true });
        await paste(page, ACME);
        await paste(page, migrationUri());
        await paste(page, WIDE);
        await paste(page, BANK);
        await page.fill('#add-text', '');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
        await page.screenshot({ path: join(SHOTS, `authenticator-${name}.png`), fullPage: true });
        await page.click('#export-toggle');
        const overflowExport = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflowExport <= 0, `horizontal overflow of ${overflowExport}px with the export shown`);
        await page.locator('.export').screenshot({ path: join(SHOTS, `authenticator-${name}-export.png`) });
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }
});

/**
 * A stand-in for the scan entry's loader whose scanQr fails the way a trap in the decoder
 * does (a WebAssembly.RuntimeError, not an OtpError), or never returns. Everything else is the
 * real module (loaded with a query, which the route below does not catch).
 */
function brokenScanLoader(how) {
  const body = how === 'hang' ? 'for (;;) {}' : "throw new WebAssembly.RuntimeError('unreachable');";
  return `export * from './browser.js?real';\nexport function scanQr() { ${body} }\n`;
}

describe('the QR reader in a worker of its own', () => {
  /** A context whose scan loader is broken while `broken.how` is set. No service worker, so routes see every request. */
  async function brokenContext(broken) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
    await context.route(/\/pkg\/scan\/browser\.js$/, (route) =>
      broken.how ? route.fulfill({ contentType: 'text/javascript', body: brokenScanLoader(broken.how) }) : route.continue(),
    );
    return context;
  }

  const setupPng = () => qrPng(qrMatrix(buildUri({ secret: HELLO, account: 'carol', issuer: 'Forge' })), { scale: 5, margin: 20 });

  test('a trap in the decoder: "couldn\'t read that image", the page keeps working, the next image gets a fresh worker', async (t) => {
    if (skipWithoutChromium(t)) return;
    const broken = { how: 'trap' };
    const { context, page, problems } = await open({ context: await brokenContext(broken) });
    try {
      const workers = [];
      page.on('worker', (w) => workers.push(w.url()));
      await page.setInputFiles('#qr-file', { name: 'setup.png', mimeType: 'image/png', buffer: setupPng() });
      const result = page.locator('#add-result');
      await result.filter({ hasText: /Couldn’t read that image/ }).waitFor({ timeout: 15_000 });
      assert.match(await result.innerText(), /paste the setup link or key instead/);
      await page.screenshot({ path: join(SHOTS, 'authenticator-scan-failed.png'), fullPage: true });
      // The page is fine: a pasted account gets its code.
      await paste(page, ACME);
      assert.equal((await shownAccounts(page)).length, 1);
      // The decoder works again: the next image is read by a new worker with a new module.
      broken.how = null;
      await page.getByLabel('Choose an image of a QR code').setInputFiles({ name: 'setup.png', mimeType: 'image/png', buffer: setupPng() });
      await result.filter({ hasText: /^Added Forge \(carol\) from the image\./ }).waitFor({ timeout: 15_000 });
      await assertTotpShown(page, 1, HELLO);
      assert.equal(workers.filter((u) => u.endsWith('/authenticator-scan-worker.js')).length, 2, `workers: ${workers}`);
      assert.deepEqual(problems.filter((p) => !/service worker|ServiceWorker/i.test(p)), []);
    } finally {
      await context.close();
    }
  });

  test('a decoder that never returns: the page stays responsive, and gives up on the image after 10 s', async (t) => {
    if (skipWithoutChromium(t)) return;
    const broken = { how: 'hang' };
    const { context, page } = await open({ context: await brokenContext(broken) });
    try {
      await page.setInputFiles('#qr-file', { name: 'setup.png', mimeType: 'image/png', buffer: setupPng() });
      await page.locator('#add-result').filter({ hasText: 'Reading the QR code' }).waitFor();
      // Meanwhile the page answers: the codes tick, a paste is added.
      const started = Date.now();
      await paste(page, ACME);
      assert.ok(Date.now() - started < 5_000, 'the paste was handled while the decoder spins');
      await page.locator('#add-result').filter({ hasText: /Couldn’t read that image/ }).waitFor({ timeout: 20_000 });
      assert.equal((await shownAccounts(page)).length, 1);
    } finally {
      await context.close();
    }
  });
});

describe('the countdown for screen readers', () => {
  /** Chromium's accessibility tree (what a screen reader reads), through the DevTools protocol. */
  async function axTree(context, page) {
    const cdp = await context.newCDPSession(page);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    await cdp.detach();
    return nodes;
  }
  const prop = (n, name) => n.properties?.find((p) => p.name === name)?.value?.value;

  test('each code is read with its time left, kept current, and never announced every second', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page } = await open();
    try {
      await paste(page, ACME);
      const codeButton = async () => {
        const nodes = await axTree(context, page);
        const button = nodes.find((n) => n.role?.value === 'button' && /copy the code for ACME Co/.test(n.name?.value ?? ''));
        assert.ok(button, 'the code is a button in the accessibility tree');
        return { nodes, button };
      };
      const { nodes, button } = await codeButton();
      const shown = (await shownAccounts(page))[0];
      assert.equal(button.name.value, `${shown.grouped}: copy the code for ACME Co (john.doe@email.com)`);
      assert.match(button.description?.value ?? '', /^New code in \d{1,2} seconds?\.$/, 'the time left is its description');
      const left = Number(/\d+/.exec(button.description.value)[0]);
      assert.ok(Math.abs(left - remainingSeconds()) <= 1, `${left} s left, the package says ${remainingSeconds()}`);
      // No live region holds the seconds (they would be announced every second).
      const live = nodes.filter((n) => ['polite', 'assertive'].includes(prop(n, 'live')) && /second/.test(n.name?.value ?? ''));
      assert.deepEqual(live.map((n) => n.name?.value), []);
      const liveIds = await page.evaluate(() =>
        [...document.querySelectorAll('[aria-live], [role="status"], [role="alert"], [role="timer"][aria-live]')]
          .filter((e) => e.getAttribute('aria-live') !== 'off')
          .filter((e) => e.querySelector('.time-left, .seconds'))
          .map((e) => e.id),
      );
      assert.deepEqual(liveIds, [], 'the countdown is in no live region');
      // The decorative ring is hidden from screen readers.
      assert.equal(await page.locator('#accounts .countdown').getAttribute('aria-hidden'), 'true');
      // Two seconds later the description has moved on with the clock.
      await sleep(2100);
      const later = (await codeButton()).button.description?.value ?? '';
      const leftLater = Number(/\d+/.exec(later)?.[0]);
      assert.ok(Math.abs(leftLater - remainingSeconds()) <= 1, `later: ${later}, the package says ${remainingSeconds()}`);
      assert.notEqual(later, button.description.value);
    } finally {
      await context.close();
    }
  });
});

describe('the camera (Chromium with a fake camera showing a QR code)', () => {
  let cameraBrowser;
  let videoDir;
  const uri = buildUri({ secret: HELLO, account: 'cam@example.com', issuer: 'Camera Co', period: 45 });

  before(async () => {
    if (chromiumMissing) return;
    // A Y4M video (4:2:0, grey) of the QR code for Chromium's fake capture device.
    const m = qrMatrix(uri);
    const [w, h, scale] = [480, 360, 6];
    const left = Math.floor((w - m.size * scale) / 2);
    const top = Math.floor((h - m.size * scale) / 2);
    const y = Buffer.alloc(w * h, 235);
    for (let py = 0; py < m.size * scale; py++) {
      for (let px = 0; px < m.size * scale; px++) {
        if (m.modules[Math.floor(py / scale) * m.size + Math.floor(px / scale)]) y[(top + py) * w + left + px] = 16;
      }
    }
    const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128);
    const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
    videoDir = mkdtempSync(join(tmpdir(), 'totp-wasm-camera-'));
    const video = join(videoDir, 'qr.y4m');
    writeFileSync(video, Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]));
    const launched = await launchChromium([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    cameraBrowser = launched.browser;
  });

  after(async () => {
    await cameraBrowser?.close();
    if (videoDir) rmSync(videoDir, { recursive: true, force: true });
  });

  test('"Scan with the camera" reads the QR code, adds the account and turns the camera off', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page, problems } = await openPage(cameraBrowser, `${base}/authenticator.html`);
    try {
      await page.waitForSelector('main:not([hidden])');
      await context.grantPermissions(['camera'], { origin: base });
      assert.equal(await page.isVisible('#camera-start'), true);
      await page.click('#camera-start');
      await page.waitForFunction(() => document.querySelectorAll('#accounts > li').length === 1, null, { timeout: 20_000 });
      assert.match(await text(page, '#add-result'), /^Added Camera Co \(cam@example\.com\) from the camera\./);
      await assertTotpShown(page, 0, HELLO, { period: 45 });
      assert.equal(await page.isVisible('#camera-view'), false, 'the preview is closed');
      assert.equal(await page.evaluate(() => document.getElementById('camera-video').srcObject), null, 'the stream is released');
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'no CSP violation (media from a MediaStream)');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
