// The sign-in forms of the account page, walked by role and label in headless Chromium against
// real workerd: the one-form login (#12, seed 004: username, password and "OTP Code" in one
// form; `cargo xtask demo --login one-form`), and on the two-step form the two-code resync
// offered after a refused code (#14) and an HOTP authenticator set up through the page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { hotp, parseUri, totp } from 'totp-wasm';
import { SHOTS, launchChromium, newKeys, openPage, sleep, startWorkerd } from './support/workerd.mjs';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const PASSWORD = 'correct horse battery staple';
const EXPECTED_HTTP = /^console error: Failed to load resource: the server responded with a status of (400|401|403|409|429) /;

let oneForm;
let twoStep;
let browser;
let chromiumMissing = null;
let users = 0;
const username = () => `forms-${process.pid}-${++users}`;

before(async () => {
  const launched = launchChromium();
  [oneForm, twoStep] = await Promise.all([
    startWorkerd({ keys: newKeys(), loginForm: 'one-form', logName: 'e2e-one-form-workerd.log' }),
    startWorkerd({ keys: newKeys(), logName: 'e2e-two-step-workerd.log' }),
  ]);
  const l = await launched;
  browser = l.browser;
  chromiumMissing = l.missing ?? null;
});

after(async () => {
  await browser?.close();
  oneForm?.stop();
  twoStep?.stop();
});

function skipWithoutChromium(t) {
  if (chromiumMissing) t.skip(chromiumMissing);
  return Boolean(chromiumMissing);
}

const view = (page) => page.locator('.view:not([hidden])');

async function expectView(page, heading) {
  await view(page).getByRole('heading', { name: heading, level: 2 }).first().waitFor({ timeout: 10_000 });
}

async function personAt(base) {
  const context = await browser.newContext({ viewport: DESKTOP });
  context.setDefaultTimeout(10_000);
  const opened = await openPage(browser, `${base}/account.html`, { context });
  await opened.page.waitForSelector('main:not([hidden])', { timeout: 15_000 });
  return opened;
}

async function shot(page, name) {
  const size = page.viewportSize();
  for (const [label, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: join(SHOTS, `forms-${name}-${label}.png`), fullPage: true });
    if (label === 'phone') {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than a phone`);
    }
  }
  await page.setViewportSize(size);
}

async function assertClean(page, problems) {
  assert.deepEqual(problems.filter((p) => !EXPECTED_HTTP.test(p)), [], 'console');
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations');
}

async function signUp(page, name) {
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expectView(page, 'Create an account');
  await view(page).getByLabel('Username').fill(name);
  await view(page).getByLabel('Password').fill(PASSWORD);
  await view(page).getByRole('button', { name: 'Create account' }).click();
  await expectView(page, /^Signed in as/);
}

async function logOut(page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expectView(page, 'Sign in');
}

/** The current step's code of `secret`, waiting past a step boundary so it stays valid. */
async function currentCode(secret) {
  if ((Date.now() / 1000) % 30 > 27) await sleep(3500);
  return totp(secret, { time: Math.floor(Date.now() / 1000) });
}

/**
 * Turns 2FA on through the page; `code(secret)` is the authenticator's first code. With
 * `hotp`, the setup is switched to a counter-based one first. Returns the secret.
 */
async function turnOn(page, { hotpSetup = false } = {}) {
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await expectView(page, 'Turn on two-factor authentication');
  const v = view(page);
  await v.locator('#enroll-qr svg').waitFor();
  if (hotpSetup) {
    await v.getByRole('button', { name: /counts presses \(HOTP\)/ }).click();
    await v.locator('#enroll-type', { hasText: 'Counter based' }).waitFor();
    await shot(page, 'hotp-setup');
  }
  await v.getByText('Show the otpauth:// link').click();
  const uri = parseUri((await v.locator('#enroll-uri').innerText()).trim());
  assert.equal(uri.secret, (await v.locator('#enroll-key').innerText()).replace(/\s+/g, ''));
  await v.getByRole('button', { name: 'Yes, I scanned it' }).click();
  await v.getByLabel('Password').fill(PASSWORD);
  const first = hotpSetup ? hotp(uri.secret, 0) : await currentCode(uri.secret);
  await v.getByLabel('Code from your app').pressSequentially(first);
  await expectView(page, 'Save your backup codes');
  await page.getByRole('button', { name: 'I saved my backup codes' }).click();
  await expectView(page, /^Signed in as/);
  return uri;
}

describe('one-form sign-in (TOTP_WASM_LOGIN_FORM=one-form)', () => {
  test('2FA off: the OTP Code field left blank signs in', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page, problems } = await personAt(oneForm.base);
    const name = username();
    await signUp(page, name);
    await logOut(page);
    const v = view(page);
    await page.locator('#signin-form[data-login-form="one-form"]').waitFor();
    await v.getByLabel('OTP Code').waitFor();
    await shot(page, 'one-form');
    await v.getByLabel('Username').fill(name);
    await v.getByLabel('Password').fill(PASSWORD);
    await v.getByRole('button', { name: 'Sign in' }).click();
    await expectView(page, /^Signed in as/);
    await assertClean(page, problems);
    await context.close();
  });

  test('2FA on: no code gives the note next to the field; the code in the same form signs in', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page, problems } = await personAt(oneForm.base);
    const name = username();
    await signUp(page, name);
    const { secret } = await turnOn(page);
    await logOut(page);
    const v = view(page);
    await v.getByLabel('Username').fill(name);
    await v.getByLabel('Password').fill(PASSWORD);
    await v.getByRole('button', { name: 'Sign in' }).click();
    const field = v.getByLabel('OTP Code');
    await page.locator('#signin-code-error', { hasText: 'enter the code from your app' }).waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.match((await field.getAttribute('aria-describedby')) ?? '', /\bsignin-code-error\b/);
    await expectView(page, 'Sign in'); // still the one form, password kept
    assert.equal(await v.getByLabel('Password').inputValue(), PASSWORD);
    await shot(page, 'one-form-needs-code');
    // A wrong code: the message is next to the code field, and the form stays.
    await field.fill('000000' === totp(secret) ? '111111' : '000000');
    await v.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#signin-code-error', { hasText: /not right/ }).waitFor();
    // The code (after the one enrolled, whose step is used) in the same form signs in.
    if ((Date.now() / 1000) % 30 > 27) await sleep(3500);
    await field.fill(totp(secret, { time: Math.floor(Date.now() / 1000) + 30 }));
    await v.getByRole('button', { name: 'Sign in' }).click();
    await expectView(page, /^Signed in as/);
    await assertClean(page, problems);
    await context.close();
  });
});

describe('two-step sign-in (the default)', () => {
  test('no OTP Code field; after a refused code the page offers two codes in a row, which sign in', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page, problems } = await personAt(twoStep.base);
    const name = username();
    await page.locator('#signin-form[data-login-form="two-step"]').waitFor();
    assert.equal(await view(page).getByLabel('OTP Code').isVisible(), false, 'the two-step form has no code field');
    await signUp(page, name);
    const { secret } = await turnOn(page);
    await logOut(page);
    const v = view(page);
    await v.getByLabel('Username').fill(name);
    await v.getByLabel('Password').fill(PASSWORD);
    await v.getByRole('button', { name: 'Sign in' }).click();
    await expectView(page, 'Two-factor authentication');
    const offer = page.getByText("If your phone's clock may be wrong, enter two codes in a row");
    assert.equal(await offer.isVisible(), false, 'not offered before a code was refused');
    // A phone whose clock is 6 minutes ahead: its code is refused ...
    const s = Math.floor(Date.now() / 1000 / 30) + 12;
    await view(page).getByLabel('Code from your app').pressSequentially(totp(secret, { time: s * 30 }));
    await page.locator('#otp-code-error', { hasText: /not right/ }).waitFor();
    await offer.waitFor();
    await shot(page, 'resync-offer');
    // ... and two in a row sign in.
    await view(page).getByLabel('First code').fill(totp(secret, { time: s * 30 }));
    await view(page).getByLabel('Next code').fill(totp(secret, { time: (s + 1) * 30 }));
    await view(page).getByRole('button', { name: 'Sign in with both codes' }).click();
    await expectView(page, /^Signed in as/);
    await assertClean(page, problems);
    await context.close();
  });

  test('an HOTP authenticator set up through the page signs in with its next press', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page, problems } = await personAt(twoStep.base);
    const name = username();
    await signUp(page, name);
    const { secret } = await turnOn(page, { hotpSetup: true });
    await logOut(page);
    const v = view(page);
    await v.getByLabel('Username').fill(name);
    await v.getByLabel('Password').fill(PASSWORD);
    await v.getByRole('button', { name: 'Sign in' }).click();
    await expectView(page, 'Two-factor authentication');
    await view(page).getByLabel('Code from your app').pressSequentially(hotp(secret, 1));
    await expectView(page, /^Signed in as/);
    await assertClean(page, problems);
    await context.close();
  });
});
