// End-to-end: the authenticator as an installable web app that works offline (www/sw.js,
// www/manifest.json, www/authenticator-offline.js), on a real workerd in headless Chromium.
// Playwright's offline switch does not cover service-worker fetches, so "offline" here is the
// server stopped (SIGKILL), and "an upgrade" is a changed copy of www/ served by workerd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { totp } from 'totp-wasm';
import { ROOT, SHOTS, launchChromium, newKeys, openPage, startWorkerd } from './support/workerd.mjs';

const ACME = 'otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co';
const ACME_SECRET = 'HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ';

let browser;
let chromiumMissing = null;
const servers = [];
const dirs = [];

before(async () => {
  const launched = await launchChromium();
  browser = launched.browser;
  chromiumMissing = launched.missing ?? null;
});

after(async () => {
  await browser?.close();
  for (const s of servers) s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function skipWithoutChromium(t) {
  if (chromiumMissing) {
    t.skip(chromiumMissing);
    return true;
  }
  return false;
}

async function server(options) {
  const s = await startWorkerd({ logName: 'e2e-offline-workerd.log', ...options });
  servers.push(s);
  return s;
}

/** Opens the authenticator and waits until its service worker has kept the page's files. */
async function openKept(base, context) {
  const opened = await openPage(browser, `${base}/authenticator.html`, { context });
  assert.equal(opened.response?.status(), 200);
  await opened.page.waitForSelector('main:not([hidden])', { timeout: 15_000 });
  await opened.page.getByRole('status').filter({ hasText: 'This page works offline now' }).waitFor({ timeout: 15_000 });
  return opened;
}

/** Pastes a setup link by the add form's label and button; returns the code shown. */
async function addAndReadCode(page, uri) {
  await page.getByLabel('Setup link or key').fill(uri);
  await page.getByRole('button', { name: 'Add account' }).click();
  const button = page.getByRole('button', { name: /copy the code for ACME Co/ });
  await button.waitFor({ timeout: 10_000 });
  return ((await button.getAttribute('aria-label')) ?? '').split(':')[0].replace(' ', '');
}

/** A code the page shows is the package's code now (or a moment ago, at a period boundary). */
function assertCurrentCode(shown, secret) {
  const now = Date.now() / 1000;
  const candidates = [now - 2, now].map((time) => totp(secret, { time }));
  assert.ok(candidates.includes(shown), `shown ${shown}, expected one of ${candidates}`);
}

describe('the authenticator offline', () => {
  test('installable: manifest and icons without errors, CSP allows manifest and workers, the worker scope is the page only', async (t) => {
    if (skipWithoutChromium(t)) return;
    const s = await server({ keys: newKeys() });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const { page, problems, response } = await openKept(s.base, context);
      const policy = response.headers()['content-security-policy'] ?? '';
      assert.match(policy, /manifest-src 'self'/);
      assert.match(policy, /worker-src 'self'/);
      const cdp = await context.newCDPSession(page);
      const manifest = await cdp.send('Page.getAppManifest');
      assert.deepEqual(manifest.errors, [], 'the manifest parses');
      assert.equal(manifest.url, `${s.base}/manifest.json`);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      // Playwright's contexts are incognito profiles, where Chromium never installs apps: that
      // one reason is expected, any other (manifest, icons, scope) is a failure.
      assert.deepEqual(installabilityErrors.filter((e) => e.errorId !== 'in-incognito'), [], 'Chromium would install it');
      for (const icon of ['/icon-192.png', '/icon-512.png']) {
        const r = await fetch(`${s.base}${icon}`);
        assert.equal(r.headers.get('content-type'), 'image/png', icon);
      }

      const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope);
      assert.equal(scope, `${s.base}/authenticator.html`);
      // Its own files come through the worker; /api/ never does.
      const [own] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/authenticator-list.js')),
        page.evaluate(() => fetch('/authenticator-list.js').then((r) => r.status)),
      ]);
      assert.equal(own.fromServiceWorker(), true, 'the page\'s JS is served by the service worker');
      const [api] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/profile')),
        page.evaluate(() => fetch('/api/profile').then((r) => r.status)),
      ]);
      assert.equal(api.fromServiceWorker(), false, '/api/ is never answered by the service worker');
      const account = await context.newPage();
      await account.goto(`${s.base}/account.html`);
      assert.equal(await account.evaluate(() => navigator.serviceWorker.controller), null, 'the account page is not controlled');
      // The one expected console line: /api/profile refused without a session (401).
      assert.deepEqual(problems.filter((p) => !/status of 401/.test(p)), []);
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    } finally {
      await context.close();
    }
  });

  test('workerd stopped: a reload still opens the page, and a newly pasted account gets its code', async (t) => {
    if (skipWithoutChromium(t)) return;
    const s = await server();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const { page } = await openKept(s.base, context);
      s.stop();
      const gone = await fetch(`${s.base}/authenticator.html`).then(() => 'answered', () => 'refused');
      assert.equal(gone, 'refused', 'the server is really down');
      await page.reload();
      await page.waitForSelector('main:not([hidden])', { timeout: 15_000 });
      assertCurrentCode(await addAndReadCode(page, ACME), ACME_SECRET);
      await page.screenshot({ path: join(SHOTS, 'authenticator-offline-phone.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('an upgrade of the served files shows within two reloads', async (t) => {
    if (skipWithoutChromium(t)) return;
    const www = mkdtempSync(join(tmpdir(), 'totp-wasm-www-'));
    dirs.push(www);
    cpSync(join(ROOT, 'www'), www, { recursive: true });
    const s = await server({ www });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const { page } = await openKept(s.base, context);
      const heading = () => page.getByRole('heading', { level: 1 }).innerText();
      assert.equal(await heading(), 'totp-wasm authenticator');
      // Version 2: a new heading (the page) and a new module line (its JS).
      const html = join(www, 'authenticator.html');
      writeFileSync(html, readFileSync(html, 'utf8').replace('</span> authenticator</h1>', '</span> authenticator 2</h1>'));
      const js = join(www, 'authenticator.js');
      writeFileSync(js, `${readFileSync(js, 'utf8')}\ndocument.documentElement.dataset.build = 'two';\n`);
      let reloads = 0;
      while (reloads < 2) {
        await page.reload();
        await page.waitForSelector('main:not([hidden])', { timeout: 15_000 });
        reloads++;
        if ((await heading()) === 'totp-wasm authenticator 2') break;
      }
      assert.equal(await heading(), 'totp-wasm authenticator 2', `the new page after ${reloads} reloads`);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.build), 'two', 'the new JS');
      // And that version is what is kept: offline, the new one opens.
      await page.getByRole('status').filter({ hasText: 'This page works offline now' }).waitFor({ timeout: 15_000 });
      s.stop();
      await page.reload();
      await page.waitForSelector('main:not([hidden])', { timeout: 15_000 });
      assert.equal(await heading(), 'totp-wasm authenticator 2');
      t.diagnostic(`the upgrade showed after ${reloads} reload(s)`);
    } finally {
      await context.close();
    }
  });
});
