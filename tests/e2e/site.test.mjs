// End-to-end: the account page (www/account.html), the face of a site that uses totp-wasm,
// against the real edge service (workerd + Durable Objects, fresh state and test keys) in
// headless Chromium (playwright-core). The test acts as a person: it types into labelled
// fields and presses buttons by their names; its "phone" is the package in Node, which reads
// the key from the page's manual-entry fields and computes the codes an authenticator app
// shows. Screenshots of each step at phone and desktop widths: target/screenshots/site-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUri, totp } from 'totp-wasm';
import { SHOTS, launchChromium, newKeys, openPage, sleep, startWorkerd } from './support/workerd.mjs';

const ZBARIMG = '/usr/bin/zbarimg';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const PASSWORD = 'correct horse battery staple';
const BACKUP_CODE = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/;
// The short-lived server: tickets, setups and step-ups expire after this many seconds.
const SHORT = 3;

// The answers of the API that a browser logs as "Failed to load resource" (a wrong password,
// a wrong code…): expected here. Anything else on the console is a failure.
const EXPECTED_HTTP = /^console error: Failed to load resource: the server responded with a status of (400|401|403|409|429) /;

/** The operator token of `server` (support resets, as `cargo xtask operator` sends them). */
const SUPPORT_TOKEN = randomBytes(32).toString('base64url');
let server;
let shortServer;
let browser;
let chromiumMissing = null;

before(async () => {
  const launched = launchChromium();
  [server, shortServer] = await Promise.all([
    startWorkerd({
      keys: { ...newKeys(), operatorTokens: { support: createHash('sha256').update(SUPPORT_TOKEN).digest('hex') } },
      env: { OPERATOR_MIN_RESET_DELAY: '0' },
      logName: 'e2e-site-workerd.log',
    }),
    startWorkerd({ keys: newKeys(), lifetimes: { ticket: SHORT, enrollment: SHORT, stepUp: SHORT }, logName: 'e2e-site-short-workerd.log' }),
  ]);
  const l = await launched;
  browser = l.browser;
  chromiumMissing = l.missing ?? null;
});

after(async () => {
  await browser?.close();
  server?.stop();
  shortServer?.stop();
});

function skipWithoutChromium(t) {
  if (chromiumMissing) {
    t.skip(chromiumMissing);
    return true;
  }
  return false;
}

/**
 * An authenticator app in Node: codes from the key the page shows. Each time step is used
 * once per key (the service refuses a replay); when the current step was used already (the
 * setup code, a sign-in a moment ago) it gives the next step's code, as a phone whose clock is
 * a little ahead would show it - the service's ±1 step window accepts it. Past that it waits
 * for the next step (bounded: at most 31 s).
 */
class Phone {
  constructor() {
    /** key → last step whose code was given */
    this.used = new Map();
    this.last = new Map();
  }

  async code(secret) {
    let now = Math.floor(Date.now() / 1000 / 30);
    let step = Math.max(now, (this.used.get(secret) ?? -1) + 1);
    for (let i = 0; i < 32 && step > now + 1; i++) {
      await sleep(1000);
      now = Math.floor(Date.now() / 1000 / 30);
    }
    this.used.set(secret, step);
    const code = totp(secret, { time: step * 30 });
    this.last.set(secret, code);
    return code;
  }

  /** The code the phone would give next, without using it up (for a try that is not checked). */
  peek(secret) {
    const now = Math.floor(Date.now() / 1000 / 30);
    return totp(secret, { time: Math.max(now, (this.used.get(secret) ?? -1) + 1) * 30 });
  }

  /** The code given last for this key (to replay it). */
  lastCode(secret) {
    return this.last.get(secret);
  }

  /** A code no step near now has (a wrong guess). */
  wrongCode(secret) {
    const now = Date.now() / 1000;
    const near = new Set([-90, -60, -30, 0, 30, 60, 90].map((d) => totp(secret, { time: now + d })));
    let n = 123456;
    while (near.has(String(n).padStart(6, '0'))) n = (n + 1) % 1_000_000;
    return String(n).padStart(6, '0');
  }
}

/** A person's browser: one context, one page, with its console watched. */
async function personAt(base, { viewport = DESKTOP, timezoneId, locale } = {}) {
  const context = await browser.newContext({ viewport, timezoneId, locale, acceptDownloads: true });
  context.setDefaultTimeout(10_000);
  const opened = await openPage(browser, `${base}/account.html`, { context });
  assert.equal(opened.response?.status(), 200);
  await opened.page.waitForSelector('main:not([hidden])', { timeout: 15_000 });
  return opened;
}

/** The view on screen. */
const view = (page) => page.locator('.view:not([hidden])');

/** The view on screen has this heading (waits for it). */
async function expectView(page, heading) {
  await view(page).getByRole('heading', { name: heading, level: 2 }).first().waitFor({ timeout: 10_000 });
}

/** The element that has the focus: its id. */
const focused = (page) => page.evaluate(() => document.activeElement?.id ?? '');

/** The text of the flash message above the views. */
const flashText = (page) => page.locator('#flash').innerText();

/** Waits for the message next to a field and checks it is wired to the field. */
async function fieldMessage(page, inputId, pattern) {
  const input = page.locator(`#${inputId}`);
  const error = page.locator(`#${inputId}-error`);
  await assert.doesNotReject(
    page.waitForFunction(
      ([id, source]) => new RegExp(source).test(document.getElementById(`${id}-error`)?.textContent ?? ''),
      [inputId, pattern.source],
      { timeout: 10_000 },
    ),
    `message next to #${inputId} matching ${pattern}; shown: "${await error.textContent().catch(() => '')}"`,
  );
  assert.equal(await input.getAttribute('aria-invalid'), 'true', `#${inputId} aria-invalid`);
  assert.match((await input.getAttribute('aria-describedby')) ?? '', new RegExp(`\\b${inputId}-error\\b`));
  return (await error.innerText()).trim();
}

/**
 * Screenshots of the page as it is, at phone and desktop widths, back to the size it had.
 * Also checks that nothing is wider than the phone's screen.
 */
async function shot(page, name) {
  const size = page.viewportSize();
  for (const [label, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: join(SHOTS, `site-${name}-${label}.png`), fullPage: true });
    if (label === 'phone') {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than a phone`);
    }
  }
  await page.setViewportSize(size);
}

/** No console errors (except the API's expected refusals), no page errors, no CSP violations. */
async function assertCleanConsole(page, problems) {
  assert.deepEqual(problems.filter((p) => !EXPECTED_HTTP.test(p)), [], 'console');
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations');
}

/** Sign up through the page: "Create an account". */
async function signUp(page, username) {
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expectView(page, 'Create an account');
  assert.equal(await focused(page), 'signup-username');
  await view(page).getByLabel('Username').fill(username);
  await view(page).getByLabel('Password').fill(PASSWORD);
  await view(page).getByRole('button', { name: 'Create account' }).click();
  await expectView(page, /^Signed in as/);
}

/** Signs in with the password; to the code step when 2FA is on. */
async function signInWithPassword(page, username, { twoFactor = true } = {}) {
  await expectView(page, 'Sign in');
  await view(page).getByLabel('Username').fill(username);
  await view(page).getByLabel('Password').fill(PASSWORD);
  await view(page).getByRole('button', { name: 'Sign in' }).click();
  if (twoFactor) {
    await expectView(page, 'Two-factor authentication');
    assert.equal(await focused(page), 'otp-code', 'the code field has the focus');
  } else {
    await expectView(page, /^Signed in as/);
  }
}

async function logOut(page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expectView(page, 'Sign in');
  assert.equal(await flashText(page), 'You are signed out.');
}

/** Reads the manual-entry fields and the URI of the setup on screen. */
async function readSetup(page) {
  const v = view(page);
  await v.locator('#enroll-qr svg').waitFor();
  const key = (await v.locator('#enroll-key').innerText()).replace(/\s+/g, ' ').trim();
  const account = (await v.locator('#enroll-account').innerText()).trim();
  const type = (await v.locator('#enroll-type').innerText()).trim();
  await v.getByText('Show the otpauth:// link').click();
  const uri = (await v.locator('#enroll-uri').innerText()).trim();
  return { key, account, type, uri, secret: key.replace(/ /g, '') };
}

/**
 * From the setup's QR step to its end: "Yes, I scanned it", then the code (typed digit by
 * digit after the password: the last digit submits) and the password.
 */
async function confirmSetup(page, phone, secret, { name, removalCode = false } = {}) {
  await view(page).getByRole('button', { name: 'Yes, I scanned it' }).click();
  assert.equal(await focused(page), 'enroll-code', 'the code field has the focus');
  const v = view(page);
  await v.getByLabel('Password').fill(PASSWORD);
  if (name !== undefined) await v.getByLabel('Name of this authenticator').fill(name);
  if (removalCode) await v.getByLabel('Also make a removal code (16 digits)').check();
  await v.getByLabel('Code from your app').pressSequentially(await phone.code(secret));
}

/** Reads the backup codes on screen. */
async function readBackupCodes(page) {
  await expectView(page, 'Save your backup codes');
  const codes = (await page.locator('#codes-list li').allInnerTexts()).map((c) => c.trim());
  const removal = (await page.locator('#removal-code').innerText()).trim();
  return { codes, removal: removal || null };
}

/** Turns 2FA on from the account view; returns the key and the backup codes. */
async function turnOn(page, phone, options = {}) {
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await expectView(page, 'Turn on two-factor authentication');
  const setup = await readSetup(page);
  await confirmSetup(page, phone, setup.secret, options);
  return { ...setup, ...(await readBackupCodes(page)) };
}

/**
 * The setup screen, before confirming: what happens if the phone is lost and which backups
 * exist; "Save this QR code" as PNG (decodes to the URI) and SVG, and Print (the QR code, the
 * manual entry and the warning only).
 */
async function keepQrBackup(page, setup) {
  const v = view(page);
  const lost = v.getByRole('region', { name: 'Before you go on: if you lose your phone' });
  assert.equal(await lost.isVisible(), true, 'the lost-phone note is on the setup screen');
  const said = await lost.innerText();
  for (const backup of ['Backup codes', 'This QR code', 'The removal code']) assert.ok(said.includes(backup), `names ${backup}`);
  const keep = v.getByRole('region', { name: 'Keep this QR code as a backup' });
  assert.match(await keep.innerText(), /as sensitive as your password/);
  assert.match(await keep.innerText(), /Scanning it into a second device .* is the other backup/);
  const saved = async (name) => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), keep.getByRole('button', { name }).click()]);
    const path = join(SHOTS, `site-04-${download.suggestedFilename()}`);
    await download.saveAs(path);
    return { name: download.suggestedFilename(), path };
  };
  const png = await saved('Save this QR code (PNG)');
  assert.equal(png.name, 'totp-wasm-2fa-qr-alice.png');
  assert.match(await keep.getByRole('status').innerText(), /Saved as totp-wasm-2fa-qr-alice\.png/);
  if (existsSync(ZBARIMG)) {
    const decoded = execFileSync(ZBARIMG, ['--raw', '-q', png.path], { encoding: 'utf8', timeout: 20_000 }).trim();
    assert.equal(decoded, setup.uri, 'the saved PNG is the setup URI');
  }
  const svg = await saved('Save this QR code (SVG)');
  assert.equal(svg.name, 'totp-wasm-2fa-qr-alice.svg');
  assert.match(readFileSync(svg.path, 'utf8'), /^<svg[\s\S]*<path[\s\S]*<\/svg>$/);
  await page.emulateMedia({ media: 'print' });
  try {
    await page.screenshot({ path: join(SHOTS, 'site-04-enroll-print.png'), fullPage: true });
    const printed = await page.evaluate(() => document.body.innerText);
    assert.ok(printed.replace(/\s+/g, ' ').includes(setup.key), 'the key prints');
    assert.match(printed, /as sensitive as your password/);
    assert.ok(!printed.includes('Yes, I scanned it') && !printed.includes('Save this QR code'), `printed: ${printed}`);
    assert.equal(await page.locator('#enroll-qr svg').isVisible(), true, 'the QR code prints');
  } finally {
    await page.emulateMedia({ media: 'screen' });
  }
  assert.equal(await keep.getByRole('button', { name: 'Print' }).isVisible(), true);
}

describe('the account page', () => {
  test('loads clean for a fresh visitor (no API call, no console error, no CSP violation), linked from the other pages', async (t) => {
    if (skipWithoutChromium(t)) return;
    const context = await browser.newContext({ viewport: DESKTOP });
    try {
      const { page, problems, requests } = await openPage(browser, `${server.base}/`, { context });
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Account' }).click();
      await page.waitForURL(/\/account\.html$/);
      await expectView(page, 'Sign in');
      assert.equal(await page.title(), 'Account — totp-wasm');
      assert.equal(await focused(page), 'signin-username');
      assert.ok(!requests.some((u) => u.includes('/api/')), 'a fresh visitor is not asked about: no /api/profile');
      const foreign = requests.filter((u) => !u.startsWith(`${server.base}/`) && !u.startsWith('data:'));
      assert.deepEqual(foreign, [], 'no request leaves the origin');
      assert.deepEqual(problems, [], 'no console errors at all');
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
      // Every code input is a one-time-code field with a numeric keyboard.
      for (const id of ['otp-code', 'enroll-code']) {
        assert.equal(await page.getAttribute(`#${id}`, 'autocomplete'), 'one-time-code', id);
        assert.equal(await page.getAttribute(`#${id}`, 'inputmode'), 'numeric', id);
      }
      await shot(page, '01-sign-in');
      // The links of the sign-in page, and back.
      await page.getByRole('link', { name: 'Lost your phone? Remove 2FA with your removal code' }).click();
      await expectView(page, 'Remove 2FA with your removal code');
      await page.getByRole('link', { name: 'Back to sign in' }).click();
      await expectView(page, 'Sign in');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await expectView(page, 'Create an account');
      await shot(page, '02-sign-up');
    } finally {
      await context.close();
    }
  });

  describe('a person turns on 2FA and uses it (one account, step by step)', () => {
    const phone = new Phone();
    const user = 'alice';
    let context;
    let page;
    let problems;
    /** the first setup: { key, secret, uri, codes } */
    let first;
    let regenerated;
    /** The step that failed: the later ones are skipped (they build on it). */
    let broken = null;

    const step = (name, fn) =>
      test(name, async (t) => {
        if (skipWithoutChromium(t)) return;
        if (broken) return t.skip(`an earlier step failed: ${broken}`);
        try {
          await fn();
        } catch (e) {
          broken = name;
          throw e;
        }
      });

    before(async () => {
      if (chromiumMissing) return;
      ({ context, page, problems } = await personAt(server.base));
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
    });

    after(async () => {
      await context?.close();
    });

    step('sign up, then turn on 2FA: the QR code, the manual entry, "Yes, I scanned it", the code and the password', async () => {
      await signUp(page, 'Alice');
      assert.equal(await page.locator('#account-user').innerText(), user, 'usernames are lower-cased');
      assert.match(await flashText(page), /Your account is ready/);
      assert.equal(await page.locator('#tfa-badge').innerText(), 'Off');
      await shot(page, '03-account-2fa-off');

      await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
      await expectView(page, 'Turn on two-factor authentication');
      assert.equal(await focused(page), 'scan-title', 'the focus moves to the step');
      const setup = await readSetup(page);
      const parsed = parseUri(setup.uri);
      assert.equal(parsed.account, user);
      assert.equal(parsed.issuer, 'totp-wasm demo');
      assert.equal(setup.account, user, 'Account name');
      assert.equal(setup.type, 'Time based', 'Type');
      assert.match(setup.key, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/, `the key in groups of four: ${setup.key}`);
      assert.equal(setup.secret, parsed.secret, 'the key is the secret of the URI');
      assert.equal(parsed.secret.length, 32, '160 bits');
      assert.match(await page.innerHTML('#enroll-qr'), /^<svg[\s\S]*<path[\s\S]*<\/svg>$/, 'a QR code drawn on the page');
      // The Copy button copies the key without spaces.
      await view(page).getByRole('button', { name: 'Copy the key' }).click();
      await page.locator('#enroll-copy-status').filter({ hasText: /./ }).waitFor();
      if ((await page.locator('#enroll-copy-status').innerText()) === 'Key copied.') {
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), parsed.secret);
      }
      await shot(page, '04-enroll-scan');
      if (existsSync(ZBARIMG)) {
        const png = join(SHOTS, 'site-04-enroll-qr.png');
        await page.locator('#enroll-qr').screenshot({ path: png });
        const decoded = execFileSync(ZBARIMG, ['--raw', '-q', png], { encoding: 'utf8', timeout: 20_000 }).trim();
        assert.equal(decoded, setup.uri, 'the QR code on screen is the URI');
      }

      await keepQrBackup(page, setup);

      // "Yes, I scanned it"; a wrong code first: the message is next to the code field.
      await view(page).getByRole('button', { name: 'Yes, I scanned it' }).click();
      assert.equal(await focused(page), 'enroll-code');
      assert.equal(await page.locator('#step-label-confirm').getAttribute('aria-current'), 'step');
      const v = view(page);
      await v.getByLabel('Password').fill(PASSWORD);
      await v.getByLabel('Code from your app').pressSequentially(phone.wrongCode(setup.secret));
      const message = await fieldMessage(page, 'enroll-code', /^⚠?\s*That code is not right/);
      assert.match(message, /Check that the app shows this account/);
      assert.equal(await focused(page), 'enroll-code', 'the focus stays on the code');
      await shot(page, '05-enroll-wrong-code');
      // The service wants the password too: a wrong one is shown next to the password.
      await v.getByLabel('Password').fill('not my password');
      await v.getByLabel('Code from your app').fill('');
      await v.getByLabel('Code from your app').pressSequentially(phone.wrongCode(setup.secret));
      await fieldMessage(page, 'enroll-password', /That password is not right/);
      // Now right: the last digit submits.
      await v.getByLabel('Password').fill(PASSWORD);
      await v.getByLabel('Code from your app').fill('');
      await v.getByLabel('Code from your app').pressSequentially(await phone.code(setup.secret));
      const { codes, removal } = await readBackupCodes(page);
      first = { ...setup, codes };
      assert.equal(removal, null, 'no removal code unless asked');
      assert.equal(codes.length, 10);
      for (const c of codes) assert.match(c, BACKUP_CODE);
      assert.equal(new Set(codes).size, 10);
      assert.equal(await flashText(page), 'Two-factor authentication is on.');
      // The setup QR code is not offered again once 2FA is on.
      assert.equal(await page.getByRole('button', { name: 'Save this QR code (PNG)' }).isVisible(), false);
    });

    step('the backup codes, shown once: Print prints only them, the account and the date; Download .txt; Copy', async () => {
      const v = view(page);
      assert.equal(await page.locator('#codes-account').innerText(), user);
      const date = (await page.locator('#codes-date').innerText()).trim();
      assert.ok(date.length > 0);
      await shot(page, '06-backup-codes');

      // Print: the stylesheet leaves the codes, the account and the date.
      await page.emulateMedia({ media: 'print' });
      try {
        await page.screenshot({ path: join(SHOTS, 'site-06-backup-codes-print.png'), fullPage: true });
        const printed = (await page.evaluate(() => document.body.innerText))
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean);
        const allowed = new Set(['totp-wasm backup codes', `Account ${user} · ${date}`, ...first.codes]);
        assert.deepEqual(printed.filter((l) => !allowed.has(l)), [], `printed: ${JSON.stringify(printed)}`);
        for (const line of allowed) assert.ok(printed.includes(line), `printed: ${line}`);
      } finally {
        await page.emulateMedia({ media: 'screen' });
      }
      assert.equal(await v.getByRole('button', { name: 'Print' }).isVisible(), true);

      // Download .txt: a file named after the account, with every code.
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 10_000 }),
        v.getByRole('button', { name: 'Download .txt' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), `totp-wasm-backup-codes-${user}.txt`);
      const file = readFileSync(await download.path(), 'utf8');
      assert.match(file, /^totp-wasm backup codes\nAccount: alice\n/);
      for (const c of first.codes) assert.ok(file.includes(c), `${c} in the file`);

      // Copy: the same text.
      await v.getByRole('button', { name: 'Copy' }).click();
      await page.locator('#codes-status').filter({ hasText: 'Backup codes copied.' }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), file);

      await v.getByRole('button', { name: 'I saved my backup codes' }).click();
      await expectView(page, /^Signed in as/);
      assert.equal(await page.locator('#codes-list li').count(), 0, 'the codes are gone from the page');
      assert.equal(await page.locator('#tfa-badge').innerText(), 'On');
      assert.deepEqual(await page.locator('#authenticators .item-name').allInnerTexts(), ['Phone']);
      assert.equal(await page.locator('#backup-left').innerText(), '10 of 10 backup codes left.');
      assert.equal(await page.locator('#backup-warning').isVisible(), false);
      // The setup QR code is gone for good; the page says how to get a new one.
      assert.equal(await page.locator('#enroll-qr svg').count(), 0, 'no QR code left on the page');
      assert.match(await page.getByRole('region', { name: 'Two-factor authentication' }).innerText(), /turn two-factor authentication off and on again: that gives a new key and a\s+new QR code/);
      await shot(page, '07-account-2fa-on');
    });

    step('log out; log in: the password, then the code (pasted as "123 456"; six digits submit by themselves)', async () => {
      await logOut(page);
      await signInWithPassword(page, user);
      assert.equal(await page.locator('#otp-code').getAttribute('autocomplete'), 'one-time-code');
      await shot(page, '08-sign-in-code');
      const code = await phone.code(first.secret);
      // Pasted the way apps show it, with a space: no button pressed.
      await page.evaluate((text) => navigator.clipboard.writeText(text), `${code.slice(0, 3)} ${code.slice(3)}`);
      await page.locator('#otp-code').focus();
      await page.keyboard.press('ControlOrMeta+V');
      await expectView(page, /^Signed in as/);
      assert.match(await page.locator('#session-info').innerText(), /a code from your app/);
    });

    step('a replayed code, a backup code with a typo, then a backup code: signed in, 9 left', async () => {
      await logOut(page);
      await signInWithPassword(page, user);
      await page.locator('#otp-code').pressSequentially(phone.lastCode(first.secret));
      const replayed = await fieldMessage(page, 'otp-code', /already used/);
      assert.equal(replayed.replace(/^⚠\s*/, ''), 'That code was already used. Wait for the next one.');
      await shot(page, '09-code-replayed');

      await view(page).getByRole('button', { name: 'Use a backup code instead' }).click();
      assert.equal(await focused(page), 'backup-code');
      assert.equal(await page.locator('#otp-code').isVisible(), false);
      // And back, and again.
      await view(page).getByRole('button', { name: 'Use a code from your app instead' }).click();
      assert.equal(await focused(page), 'otp-code');
      await view(page).getByRole('button', { name: 'Use a backup code instead' }).click();

      // One symbol changed: the check symbol catches it and nothing is counted.
      const good = first.codes[0];
      const typo = `${good.slice(0, 5)}${good[5] === 'a' ? 'b' : 'a'}${good.slice(6)}`;
      await view(page).getByLabel('Backup code').fill(typo);
      await view(page).getByRole('button', { name: 'Verify' }).click();
      await fieldMessage(page, 'backup-code', /That backup code has a typo: check it against your copy/);
      await shot(page, '10-backup-code-typo');

      // Typed in capitals with spaces: still the code.
      await view(page).getByLabel('Backup code').fill(good.toUpperCase().replaceAll('-', ' '));
      await view(page).getByRole('button', { name: 'Verify' }).click();
      await expectView(page, /^Signed in as/);
      assert.equal(await flashText(page), 'Signed in with a backup code. 9 backup codes left.');
      assert.equal(await page.locator('#backup-left').innerText(), '9 of 10 backup codes left.');
      assert.match(await page.locator('#session-info').innerText(), /a backup code/);
      await shot(page, '11-signed-in-with-backup-code');
    });

    step('new backup codes (with the 16-digit removal code): the old ones are refused; few left, a warning', async () => {
      await page.getByRole('button', { name: 'Make new backup codes' }).click();
      const dialog = page.getByRole('dialog', { name: 'Make new backup codes?' });
      await dialog.waitFor();
      assert.equal(await focused(page), 'dialog-password');
      // A wrong password: said next to it, nothing made.
      await dialog.getByLabel('Password').fill('wrong password');
      await dialog.getByRole('button', { name: 'Make new codes' }).click();
      await fieldMessage(page, 'dialog-password', /That password is not right/);
      await dialog.getByLabel('Also make a removal code (16 digits)').check();
      await dialog.getByLabel('Password').fill(PASSWORD);
      await shot(page, '12-regenerate-dialog');
      await dialog.getByRole('button', { name: 'Make new codes' }).click();
      regenerated = await readBackupCodes(page);
      assert.equal(await dialog.isVisible(), false);
      assert.equal(regenerated.codes.length, 10);
      assert.ok(regenerated.codes.every((c) => !first.codes.includes(c)), 'all new');
      assert.match(regenerated.removal ?? '', /^\d{4} \d{4} \d{4} \d{4}$/, '16 digits');
      assert.equal(await flashText(page), 'New backup codes made: the earlier ones no longer work.');
      // The removal code prints too.
      await page.emulateMedia({ media: 'print' });
      try {
        const printed = await page.evaluate(() => document.body.innerText);
        assert.ok(printed.includes(regenerated.removal ?? '-'), 'the removal code is printed');
        assert.ok(!printed.includes('I saved my backup codes'));
      } finally {
        await page.emulateMedia({ media: 'screen' });
      }
      await shot(page, '13-new-codes-with-recovery-code');
      await view(page).getByRole('button', { name: 'I saved my backup codes' }).click();
      await expectView(page, /^Signed in as/);
      assert.equal(await page.locator('#backup-left').innerText(), '10 of 10 backup codes left.');
      assert.match(await page.locator('#removal-status').innerText(), /You have a removal code/);

      // An old code (never used) is refused now.
      await logOut(page);
      await signInWithPassword(page, user);
      await view(page).getByRole('button', { name: 'Use a backup code instead' }).click();
      await view(page).getByLabel('Backup code').fill(first.codes[1]);
      await view(page).getByRole('button', { name: 'Verify' }).click();
      const refused = await fieldMessage(page, 'backup-code', /backup code is not right, or it was already used/);
      assert.match(refused, /Each code works once/);
      await shot(page, '14-old-backup-code-refused');
      await view(page).getByLabel('Backup code').fill(regenerated.codes[0]);
      await view(page).getByRole('button', { name: 'Verify' }).click();
      await expectView(page, /^Signed in as/);
      assert.equal(await page.locator('#backup-left').innerText(), '9 of 10 backup codes left.');

      // Six more used elsewhere (through the API, as another browser would): 3 left, a warning.
      for (const code of regenerated.codes.slice(1, 7)) {
        const login = await fetch(`${server.base}/api/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: user, password: PASSWORD }),
        }).then((r) => r.json());
        const r = await fetch(`${server.base}/api/login/verify`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ ticket: login.ticket, recoveryCode: code }),
        });
        assert.equal(r.status, 200, await r.text());
      }
      await page.reload();
      await expectView(page, /^Signed in as/);
      assert.equal(await page.locator('#backup-left').innerText(), '3 of 10 backup codes left.');
      assert.equal(await page.locator('#backup-warning').isVisible(), true);
      assert.equal(await page.locator('#backup-warning').innerText(), 'Only 3 backup codes left: make new ones before you run out.');
      await shot(page, '15-few-backup-codes-left');
    });

    step('a second authenticator the same way; renamed; the first removed (with the password)', async () => {
      await page.getByRole('button', { name: 'Add another authenticator' }).click();
      await expectView(page, 'Add another authenticator');
      const second = await readSetup(page);
      assert.notEqual(second.secret, first.secret, 'a new key');
      await view(page).getByRole('button', { name: 'Yes, I scanned it' }).click();
      assert.equal(await page.locator('#enroll-removal').isVisible(), false, 'codes only come with the first');
      await view(page).getByRole('button', { name: 'Back to the QR code' }).click();
      assert.equal(await focused(page), 'enroll-scanned');
      await confirmSetup(page, phone, second.secret, { name: 'Laptop' });
      await expectView(page, /^Signed in as/);
      assert.equal(await flashText(page), 'Authenticator “Laptop” added: it gives codes for this account now.');
      assert.deepEqual(await page.locator('#authenticators .item-name').allInnerTexts(), ['Phone', 'Laptop']);
      assert.equal(await page.locator('#backup-left').innerText(), '3 of 10 backup codes left.', 'no new codes');

      await page.getByRole('button', { name: 'Rename Laptop' }).click();
      const rename = page.getByRole('dialog', { name: 'Rename authenticator' });
      await rename.waitFor();
      assert.equal(await focused(page), 'rename-name');
      await rename.getByLabel('Name').fill('Work laptop');
      await shot(page, '16-rename');
      await rename.getByRole('button', { name: 'Save' }).click();
      await page.locator('#authenticators .item-name', { hasText: 'Work laptop' }).waitFor();
      assert.deepEqual(await page.locator('#authenticators .item-name').allInnerTexts(), ['Phone', 'Work laptop']);
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Rename Work laptop');

      await page.getByRole('button', { name: 'Remove Phone' }).click();
      const remove = page.getByRole('dialog', { name: 'Remove “Phone”?' });
      await remove.waitFor();
      await remove.getByLabel('Password').fill(PASSWORD);
      await shot(page, '17-remove-authenticator');
      await remove.getByRole('button', { name: 'Remove' }).click();
      await page.locator('#flash', { hasText: '“Phone” removed.' }).waitFor();
      assert.deepEqual(await page.locator('#authenticators .item-name').allInnerTexts(), ['Work laptop']);
      assert.equal(await page.locator('#tfa-badge').innerText(), 'On');

      // The laptop signs in; the phone's key no longer does.
      await logOut(page);
      await signInWithPassword(page, user);
      // (The removed key's current code: no step bookkeeping needed, it is refused anyway.)
      await page.locator('#otp-code').pressSequentially(totp(first.secret));
      await fieldMessage(page, 'otp-code', /^⚠?\s*That code is not right\.$/);
      await page.locator('#otp-code').fill('');
      await page.locator('#otp-code').pressSequentially(await phone.code(second.secret));
      await expectView(page, /^Signed in as/);
    });

    step('update-client tokens: created with a name and an expiry, shown once, listed; /api/update works with 2FA on; deleted', async () => {
      const card = page.getByRole('region', { name: 'Update clients' });
      await card.getByLabel('Name').fill('Home router');
      await card.getByLabel('Expires after').selectOption({ label: '30 days' });
      await card.getByRole('button', { name: 'Create token' }).click();
      await page.locator('#token-new:not([hidden])').waitFor();
      const token = (await page.locator('#token-value').innerText()).trim();
      assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}$/);
      assert.equal(await focused(page), 'token-copy');
      await card.getByRole('button', { name: 'Copy', exact: true }).click();
      await page.locator('#flash', { hasText: 'Token copied.' }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
      const items = page.locator('#tokens .item');
      assert.equal(await items.count(), 1);
      assert.match(await items.first().innerText(), /Home router[\s\S]*Created .* · Expires .* · never used/);
      await shot(page, '18-token-created');

      // The update client, in Node: the token alone, no code, 2FA on.
      const res = await fetch(`${server.base}/api/update`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.status, 'updated');
      assert.equal(body.username, user);
      assert.equal(body.token.name, 'Home router');
      // After a reload the value is gone (shown once); the list says it was used.
      await page.reload();
      await expectView(page, /^Signed in as/);
      assert.equal(await page.locator('#token-new').isVisible(), false);
      assert.match(await page.locator('#tokens .item').first().innerText(), /last used/);

      await page.getByRole('button', { name: 'Delete token Home router' }).click();
      await page.locator('#flash', { hasText: 'Token “Home router” deleted' }).waitFor();
      assert.equal(await page.locator('#tokens .item').count(), 0);
      assert.equal(await page.locator('#tokens-empty').isVisible(), true);
      const gone = await fetch(`${server.base}/api/update`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(gone.status, 401);
    });

    step('turn off 2FA with the password; on again (a new key) with a removal code; a backup code typed there is offered for sign-in; "Lost your phone?" removes 2FA with it', async () => {
      await page.getByRole('button', { name: 'Turn off 2FA' }).click();
      const dialog = page.getByRole('dialog', { name: 'Turn off two-factor authentication?' });
      await dialog.waitFor();
      await dialog.getByLabel('Password').fill(PASSWORD);
      await shot(page, '19-turn-off');
      await dialog.getByRole('button', { name: 'Turn off' }).click();
      await page.locator('#flash', { hasText: 'Two-factor authentication is off.' }).waitFor();
      assert.equal(await page.locator('#tfa-badge').innerText(), 'Off');
      await logOut(page);
      await signInWithPassword(page, user, { twoFactor: false });

      // On again: a new key, and this time the 16-digit removal code.
      const again = await turnOn(page, phone, { removalCode: true });
      assert.notEqual(again.secret, first.secret, 'a new key after turning off and on');
      assert.match(again.removal ?? '', /^\d{4} \d{4} \d{4} \d{4}$/);
      await view(page).getByRole('button', { name: 'I saved my backup codes' }).click();
      await expectView(page, /^Signed in as/);
      await logOut(page);

      // Lost the phone: the sign-in page's link. A backup code typed where the removal code
      // goes: the page says what it is and offers to sign in with it (2FA stays on).
      await page.getByRole('link', { name: 'Lost your phone? Remove 2FA with your removal code' }).click();
      await expectView(page, 'Remove 2FA with your removal code');
      const v = view(page);
      await v.getByLabel('Username').fill(user);
      await v.getByLabel('Password').fill(PASSWORD);
      await v.getByLabel('Removal code (16 digits)').fill(again.codes[0]);
      await v.getByRole('button', { name: 'Remove 2FA' }).click();
      await fieldMessage(page, 'remove-code', /That is a backup code, not the removal code/);
      await shot(page, '20-removal-got-a-backup-code');
      await v.getByRole('button', { name: 'Sign in with this backup code' }).click();
      await expectView(page, /^Signed in as/);
      assert.match(await flashText(page), /^Signed in with a backup code\. 9 backup codes left\./);
      assert.equal(await page.locator('#tfa-badge').innerText(), 'On', '2FA stays on');
      await logOut(page);
      await page.getByRole('link', { name: 'Lost your phone? Remove 2FA with your removal code' }).click();
      await expectView(page, 'Remove 2FA with your removal code');
      await v.getByLabel('Username').fill(user);
      await v.getByLabel('Password').fill(PASSWORD);
      // A wrong digit first: the check digit (state v2) makes it a typo, and nothing is counted.
      const removal = again.removal ?? '';
      const wrong = `${removal.slice(0, -1)}${removal.endsWith('0') ? '1' : '0'}`;
      await v.getByLabel('Removal code (16 digits)').fill(wrong);
      await v.getByRole('button', { name: 'Remove 2FA' }).click();
      await fieldMessage(page, 'remove-code', /removal code has a typo: one of the 16 digits is wrong.*Nothing was counted/);
      await shot(page, '20-remove-2fa-wrong-code');
      await v.getByLabel('Removal code (16 digits)').fill(removal);
      await v.getByRole('button', { name: 'Remove 2FA' }).click();
      await expectView(page, 'Sign in');
      assert.match(await flashText(page), /^Two-factor authentication is off for alice\. Sign in with your password/);
      assert.equal(await focused(page), 'signin-password', 'the username is kept');
      await shot(page, '21-2fa-removed');
      await view(page).getByLabel('Password').fill(PASSWORD);
      await view(page).getByRole('button', { name: 'Sign in' }).click();
      await expectView(page, /^Signed in as/);
      assert.equal(await page.locator('#tfa-badge').innerText(), 'Off');

      // The session ends (here: the cookie is gone): the next action says so, back to sign in.
      await context.clearCookies();
      const card = page.getByRole('region', { name: 'Update clients' });
      await card.getByLabel('Name').fill('NAS');
      await card.getByRole('button', { name: 'Create token' }).click();
      await expectView(page, 'Sign in');
      assert.equal(await flashText(page), 'You are signed out (the session ended). Sign in again.');
      await assertCleanConsole(page, problems);
    });
  });

  test('wrong codes: what is left, the sign-in used up after 5, then a lock until a local time; wrong passwords: a pause', async (t) => {
    if (skipWithoutChromium(t)) return;
    // Far from UTC, half-hour offset: the time shown must be the reader's.
    const timeZone = 'Asia/Kolkata';
    const { context, page, problems } = await personAt(server.base, { timezoneId: timeZone, locale: 'en-GB' });
    try {
      const phone = new Phone();
      await signUp(page, 'bob');
      const { secret } = await turnOn(page, phone);
      await view(page).getByRole('button', { name: 'I saved my backup codes' }).click();
      await expectView(page, /^Signed in as/);
      await logOut(page);
      await signInWithPassword(page, 'bob');

      const code = page.locator('#otp-code');
      const expected = [
        /^⚠?\s*That code is not right\.$/,
        /That code is not right\. 3 more wrong codes and sign-in pauses for a while\./,
        /That code is not right\. 2 more wrong codes and sign-in pauses/,
        /That code is not right\. 1 more wrong code and sign-in pauses/,
      ];
      for (const [i, pattern] of expected.entries()) {
        await code.fill('');
        await code.pressSequentially(phone.wrongCode(secret));
        await fieldMessage(page, 'otp-code', pattern);
        if (i === 1) await shot(page, '22-wrong-code');
        // The message is replaced by the next one: wait for the field to be cleared of it.
      }
      // The fifth: this sign-in is used up; back to the password.
      await code.fill('');
      await code.pressSequentially(phone.wrongCode(secret));
      await expectView(page, 'Sign in');
      const usedUp = await fieldMessage(page, 'signin-password', /last try of this sign-in: enter your password again/);
      assert.match(usedUp, /^⚠?\s*That code is not right\./);
      assert.equal(await focused(page), 'signin-password');
      assert.equal(await view(page).getByLabel('Username').inputValue(), 'bob', 'the username is kept');

      // The sixth wrong code starts a lock; its end in local time.
      await view(page).getByLabel('Password').fill(PASSWORD);
      await view(page).getByRole('button', { name: 'Sign in' }).click();
      await expectView(page, 'Two-factor authentication');
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/login/verify')),
        code.pressSequentially(phone.wrongCode(secret)),
      ]);
      const { error } = await answer.json();
      assert.equal(error.code, 'INVALID_CODE');
      assert.ok(Number.isInteger(error.retryAt), 'the lock started');
      const local = new Date(error.retryAt * 1000).toLocaleTimeString('en-GB', { timeStyle: 'medium', timeZone });
      const lockText = await fieldMessage(page, 'otp-code', /Too many wrong codes: try again at/);
      assert.ok(lockText.endsWith(`try again at ${local}.`), `"${lockText}" shows ${local}`);
      const time = page.locator('#otp-code-error time');
      assert.equal(await time.getAttribute('datetime'), new Date(error.retryAt * 1000).toISOString());

      // Even the right code is refused while locked.
      await code.fill('');
      const [locked] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/login/verify')),
        code.pressSequentially(await phone.code(secret)),
      ]);
      assert.equal(locked.status(), 429);
      const retryAt = (await locked.json()).error.retryAt;
      const lockedText = await fieldMessage(page, 'otp-code', /^⚠?\s*Too many wrong codes\. Try again at/);
      const localLocked = new Date(retryAt * 1000).toLocaleTimeString('en-GB', { timeStyle: 'medium', timeZone });
      assert.ok(lockedText.endsWith(`Try again at ${localLocked}.`), `"${lockedText}" shows ${localLocked}`);
      await shot(page, '23-locked');

      // Passwords have their own count. Strangers (no device cookie) share the account's: 20
      // wrong ones lock it, with the same answer as any wrong password…
      for (let i = 0; i < 20; i++) {
        const r = await fetch(`${server.base}/api/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: 'bob', password: `guess number ${i}` }),
        });
        assert.equal(r.status, 401);
      }
      // …but this browser signed in before: its device cookie has a count of its own, 10 free.
      await view(page).getByRole('button', { name: 'Back to the password' }).click();
      await expectView(page, 'Sign in');
      assert.equal(await focused(page), 'signin-password');
      const password = view(page).getByLabel('Password');
      for (let i = 0; i < 11; i++) {
        await password.fill(`still not it ${i}`);
        const [r] = await Promise.all([
          page.waitForResponse((res) => res.url().endsWith('/api/login')),
          view(page).getByRole('button', { name: 'Sign in' }).click(),
        ]);
        assert.equal(r.status(), 401);
      }
      await fieldMessage(page, 'signin-password', /^⚠?\s*Wrong username or password\. After many wrong attempts/);
      await password.fill('nor this one');
      await view(page).getByRole('button', { name: 'Sign in' }).click();
      const paused = await fieldMessage(page, 'signin-password', /^⚠?\s*Too many wrong passwords\. Try again at \d\d:\d\d:\d\d\.$/);
      assert.ok(paused);
      await shot(page, '24-password-paused');
      await assertCleanConsole(page, problems);
    } finally {
      await context.close();
    }
  });

  test('an expired setup (start again: a new QR code) and an expired sign-in (back to the password)', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page, problems } = await personAt(shortServer.base);
    try {
      const phone = new Phone();
      await signUp(page, 'carol');
      await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
      const stale = await readSetup(page);
      await sleep(SHORT * 1000 + 600);
      await confirmSetup(page, phone, stale.secret);
      const formError = page.locator('#enroll-form-error');
      await formError.filter({ hasText: /This setup expired/ }).waitFor();
      assert.equal(await focused(page), 'enroll-restart');
      await shot(page, '25-setup-expired');
      await view(page).getByRole('button', { name: 'Start again' }).click();
      const fresh = await readSetup(page);
      assert.notEqual(fresh.secret, stale.secret, 'a new QR code');
      await confirmSetup(page, phone, fresh.secret);
      await readBackupCodes(page);
      await view(page).getByRole('button', { name: 'I saved my backup codes' }).click();
      await expectView(page, /^Signed in as/);

      await logOut(page);
      await signInWithPassword(page, 'carol');
      await sleep(SHORT * 1000 + 600);
      // Not checked by the service (the sign-in is gone), so the phone's step is not used up.
      await page.locator('#otp-code').pressSequentially(phone.peek(fresh.secret));
      await expectView(page, 'Sign in');
      const text = await fieldMessage(page, 'signin-password', /This sign-in expired\. Enter your password again\./);
      assert.ok(text);
      assert.equal(await focused(page), 'signin-password');
      assert.equal(await view(page).getByLabel('Username').inputValue(), 'carol');
      await shot(page, '26-sign-in-expired');
      // And the password again, then the code: in.
      await view(page).getByLabel('Password').fill(PASSWORD);
      await view(page).getByRole('button', { name: 'Sign in' }).click();
      await expectView(page, 'Two-factor authentication');
      await page.locator('#otp-code').pressSequentially(await phone.code(fresh.secret));
      await expectView(page, /^Signed in as/);
      await assertCleanConsole(page, problems);
    } finally {
      await context.close();
    }
  });

  test('security events in words on the profile; after a support reset the next sign-in says so', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page, problems } = await personAt(server.base, { timezoneId: 'UTC', locale: 'en-GB' });
    try {
      const phone = new Phone();
      await signUp(page, 'erin');
      await turnOn(page, phone, { name: 'Pixel' });
      await view(page).getByRole('button', { name: 'I saved my backup codes' }).click();
      await expectView(page, /^Signed in as/);
      const events = page.getByRole('list', { name: 'Security events' });
      // The list fills in after the profile (and refills after each change): wait for the event.
      await events.getByRole('listitem').filter({ hasText: 'turned on with' }).waitFor();
      assert.match(await events.getByRole('listitem').first().innerText(), /^2FA was turned on with “Pixel” on \d{1,2} [A-Z][a-z]{2} \d{4}\.$/);

      const reason = 'lost phone and codes, ID checked by video call';
      const res = await fetch(`${server.base}/api/operator/users/${Buffer.from('erin').toString('base64url')}/reset-2fa`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${SUPPORT_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ reason }),
      });
      assert.equal(res.status, 200, await res.text());

      // The session was revoked with the reset: the page is signed out.
      await page.reload();
      await signInWithPassword(page, 'erin', { twoFactor: false });
      const notice = await flashText(page);
      assert.match(notice, new RegExp(`^2FA was reset by support on \\d{1,2} [A-Z][a-z]{2} \\d{4}: reason “${reason}”\\. 2FA is off`));
      assert.equal(await page.locator('#tfa-badge').innerText(), 'Off');
      await events.getByRole('listitem').filter({ hasText: 'reset by support' }).waitFor();
      const texts = await events.getByRole('listitem').allInnerTexts();
      assert.match(texts[0], /^Signed in with the password on /);
      assert.ok(texts.some((x) => x.startsWith('2FA was reset by support on ') && x.includes(reason)), texts.join('\n'));
      assert.ok(texts.some((x) => x.startsWith('2FA was turned off by support on ')), texts.join('\n'));
      await shot(page, '30-support-reset');

      // Told once: the next sign-in has no notice.
      await logOut(page);
      await signInWithPassword(page, 'erin', { twoFactor: false });
      assert.doesNotMatch(await flashText(page), /support/);
      await assertCleanConsole(page, problems);
    } finally {
      await context.close();
    }
  });

  test('where you are signed in: the sessions list, sign out everywhere else; confirm it is you; change the password; delete the account', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page, problems } = await personAt(shortServer.base);
    const other = await personAt(shortServer.base);
    try {
      const phone = new Phone();
      await signUp(page, 'dave');
      await signInWithPassword(other.page, 'dave', { twoFactor: false });
      await page.reload();
      await expectView(page, /^Signed in as/);
      const sessions = page.locator('#sessions li');
      await sessions.nth(1).waitFor();
      assert.equal(await sessions.count(), 2);
      assert.match(await sessions.nth(0).innerText(), /This browser[\s\S]*with password · last seen/);
      await shot(page, '27-sessions');
      await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
      await page.locator('#flash').filter({ hasText: 'Every other browser is signed out.' }).waitFor();
      assert.equal(await sessions.count(), 1);
      assert.equal(await page.locator('#sessions-status').innerText(), 'Only this browser is signed in.');
      // The other browser is signed out at its next request.
      await other.page.reload();
      await expectView(other.page, 'Sign in');

      // A token made while 2FA is off (the sign-in is older than the step-up window: the
      // password alone confirms it).
      await sleep(SHORT * 1000 + 600);
      await page.locator('#token-name').fill('Old router');
      await page.getByRole('button', { name: 'Create token' }).click();
      const dialog = page.locator('#stepup-dialog');
      await dialog.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
      assert.equal(await dialog.getByLabel('Code from your app').isVisible(), false, '2FA off: the password only');
      await dialog.getByLabel('Password').fill(PASSWORD);
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await page.locator('#token-new:not([hidden])').waitFor();

      // 2FA on: the token made before is pointed out (it keeps working without a code).
      const { secret } = await turnOn(page, phone);
      await view(page).getByRole('button', { name: 'I saved my backup codes' }).click();
      await expectView(page, /^Signed in as/);
      const old = page.locator('#tokens-before-2fa');
      await old.waitFor();
      assert.match(await old.innerText(), /1 update token was made before two-factor authentication was on \(“Old router”\)/);
      await shot(page, '28-tokens-before-2fa');
      await page.getByRole('button', { name: 'Delete token Old router' }).click();
      await old.waitFor({ state: 'hidden' });
      // Once the step-up has lapsed, a new token asks to confirm with the password and a code.
      await sleep(SHORT * 1000 + 600);
      await page.locator('#token-name').fill('Home router');
      await page.getByRole('button', { name: 'Create token' }).click();
      await dialog.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
      assert.equal(await focused(page), 'stepup-password');
      await dialog.getByLabel('Password').fill(PASSWORD);
      await shot(page, '28-step-up-prompt');
      // Six digits submit by themselves (the password is filled in).
      await dialog.getByLabel('Code from your app').fill(phone.wrongCode(secret));
      await fieldMessage(page, 'stepup-code', /That code is not right/);
      await dialog.getByLabel('Password').fill(PASSWORD);
      await dialog.getByLabel('Code from your app').pressSequentially(await phone.code(secret));
      await page.locator('#token-new:not([hidden])').waitFor();
      assert.equal(await dialog.isVisible(), false, 'the dialog closed and the token was made');

      // The password change (within the step-up window).
      await page.getByLabel('Current password').fill('not my password');
      await page.getByLabel('New password').fill('a brand new password');
      await page.getByRole('button', { name: 'Change password' }).click();
      await fieldMessage(page, 'current-password', /That password is not right/);
      await page.getByLabel('Current password').fill(PASSWORD);
      await page.getByLabel('New password').fill('a brand new password');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.locator('#flash').filter({ hasText: 'Password changed.' }).waitFor();
      assert.equal(await page.locator('#token-new').isHidden(), true, 'the revoked token is no longer shown');
      await shot(page, '29-password-changed');

      // Deleting the account (the step-up lapses first: the prompt comes again, then it goes).
      await sleep(SHORT * 1000 + 600);
      await page.getByText('Delete this account').click();
      await page.locator('#delete-password').fill('a brand new password');
      await page.getByRole('button', { name: 'Delete my account' }).click();
      await dialog.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
      await dialog.getByLabel('Password').fill('a brand new password');
      await dialog.getByLabel('Code from your app').pressSequentially(await phone.code(secret));
      await expectView(page, 'Sign in');
      assert.equal(await flashText(page), 'Your account is deleted.');
      await view(page).getByLabel('Username').fill('dave');
      await view(page).getByLabel('Password').fill('a brand new password');
      await view(page).getByRole('button', { name: 'Sign in' }).click();
      await fieldMessage(page, 'signin-password', /Wrong username or password/);
      await assertCleanConsole(page, problems);
    } finally {
      await context.close();
      await other.context.close();
    }
  });
});
