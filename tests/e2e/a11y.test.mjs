// Accessibility: axe-core (npm) run inside the pages as they are served, with their real
// Content-Security-Policy and no rule disabled, in the states a person meets: the setup page,
// the authenticator with one account, and the account page signed out, at the enable step and
// with the backup codes shown. Serious and critical findings fail; the rest are reported.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { totp } from 'totp-wasm';
import { ROOT, launchChromium, newKeys, openPage, startWorkerd } from './support/workerd.mjs';

const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
const PASSWORD = 'correct horse battery staple';
const ACME = 'otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co';

let server;
let browser;
let chromiumMissing = null;

before(async () => {
  server = await startWorkerd({ logName: 'e2e-a11y-workerd.log', keys: newKeys() });
  const launched = await launchChromium();
  browser = launched.browser;
  chromiumMissing = launched.missing ?? null;
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** Where the pages load axe from: a same-origin URL that the test's route answers. */
const AXE_URL = '/__axe-core.js';

/**
 * Runs axe on the page as it is. The page's CSP (script-src 'self', no inline script) stays
 * exactly as served, so axe is added with page.addScriptTag as a same-origin script URL that
 * the test's route answers with node_modules/axe-core/axe.min.js.
 */
async function axe(t, page, state) {
  await page.addScriptTag({ url: AXE_URL });
  const checked = await page.evaluate(async () => {
    // @ts-ignore axe is the global the script defines
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return {
      passed: r.passes.length,
      violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })),
    };
  });
  // axe really looked at the page: dozens of rules apply to any of these states.
  assert.ok(checked.passed >= 20, `${state}: axe passed only ${checked.passed} rules`);
  const results = checked.violations;
  for (const v of results) t.diagnostic(`${state}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(', ')}`);
  const serious = results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${state}: serious or critical axe findings`);
  // axe ran under the page's CSP and nothing of the page was blocked.
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], `${state}: CSP violations`);
  return results;
}

function skipWithoutChromium(t) {
  if (chromiumMissing) {
    t.skip(chromiumMissing);
    return true;
  }
  return false;
}

async function visit(path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.route(`${server.base}${AXE_URL}`, (route) => route.fulfill({ path: AXE, contentType: 'text/javascript' }));
  const opened = await openPage(browser, `${server.base}${path}`, { context });
  assert.equal(opened.response?.status(), 200);
  assert.match(opened.response.headers()['content-security-policy'] ?? '', /default-src 'none'/, 'the real CSP is served');
  await opened.page.waitForSelector('main:not([hidden])', { timeout: 15_000 });
  return opened;
}

describe('axe-core finds nothing serious', () => {
  test('/ (set up 2FA, the live code and its countdown)', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page } = await visit('/');
    try {
      await page.locator('#qr svg').waitFor();
      await axe(t, page, '/');
      // The live code and its time left are readable text, in no live region (not announced
      // every second); the ring is decoration.
      const cdp = await context.newCDPSession(page);
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      const texts = nodes.filter((n) => n.role?.value === 'StaticText').map((n) => n.name?.value ?? '');
      const code = (await page.locator('#code').innerText()).trim();
      assert.ok(texts.includes(code), `the code ${code} is read`);
      assert.ok(texts.some((x) => /^A new code in \d{1,2} seconds?\.$/.test(x)), 'the time left is read');
      assert.equal(await page.locator('#remaining-text').evaluate((e) => e.closest('[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"]')), null);
      assert.equal(await page.locator('.live .countdown').getAttribute('aria-hidden'), 'true');
    } finally {
      await context.close();
    }
  });

  test('/authenticator.html with one account', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page } = await visit('/authenticator.html');
    try {
      await page.getByLabel('Setup link or key').fill(ACME);
      await page.getByRole('button', { name: 'Add account' }).click();
      await page.getByRole('button', { name: /copy the code for ACME Co/ }).waitFor();
      await axe(t, page, 'authenticator, one account');
    } finally {
      await context.close();
    }
  });

  test('/account.html signed out, at the enable step, with the backup codes shown', async (t) => {
    if (skipWithoutChromium(t)) return;
    const { context, page } = await visit('/account.html');
    const view = () => page.locator('.view:not([hidden])');
    try {
      await view().getByRole('heading', { name: 'Sign in', level: 2 }).waitFor();
      await axe(t, page, 'account, signed out');

      await page.getByRole('link', { name: 'Create an account' }).click();
      await view().getByLabel('Username').fill('axel');
      await view().getByLabel('Password').fill(PASSWORD);
      await view().getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
      await view().locator('#enroll-qr svg').waitFor();
      await axe(t, page, 'account, the enable step');

      const secret = (await page.locator('#enroll-key').innerText()).replace(/\s+/g, '');
      await view().getByRole('button', { name: 'Yes, I scanned it' }).click();
      await axe(t, page, 'account, the enable step (confirm)');
      await view().getByLabel('Password').fill(PASSWORD);
      // Six digits with the password there submit by themselves.
      await view().getByLabel('Code from your app').fill(totp(secret));
      await view().getByRole('heading', { name: 'Save your backup codes', level: 2 }).waitFor();
      await axe(t, page, 'account, backup codes shown');
    } finally {
      await context.close();
    }
  });
});
