// End-to-end: the demo as a person gets it. A real workerd serves www/ and pkg/ through the
// edge worker (edge/config.capnp); headless Chromium (playwright-core) loads the page.
// Screenshots land in target/screenshots/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseUri, remainingSeconds, totp } from 'totp-wasm';
import { SHOTS, launchChromium, openPage, raw, sleep, startWorkerd } from './support/workerd.mjs';

const ZBARIMG = '/usr/bin/zbarimg';

let server;
let port;
let base;

before(async () => {
  server = await startWorkerd();
  ({ port, base } = server);
});

after(() => {
  server?.stop();
});

describe('the edge worker over HTTP', () => {
  test('Content-Type of the page, the app, the loader and the wasm', async () => {
    const expected = {
      '/': /^text\/html; charset=utf-8$/,
      '/index.html': /^text\/html; charset=utf-8$/,
      '/app.js': /^text\/javascript(;|$)/,
      '/style.css': /^text\/css(;|$)/,
      '/favicon.svg': /^image\/svg\+xml(;|$)/,
      '/pkg/page/browser.js': /^text\/javascript(;|$)/,
      '/pkg/otp/browser.js': /^text\/javascript(;|$)/,
      '/pkg/otp-error.js': /^text\/javascript(;|$)/,
      '/pkg/page/totp_wasm_bg.wasm': /^application\/wasm$/,
      '/pkg/package.json': /^application\/json(;|$)/,
    };
    for (const [path, type] of Object.entries(expected)) {
      const res = await raw(port, 'GET', path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers['content-type'] ?? '', type, path);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
    }
    const wasm = await raw(port, 'GET', '/pkg/page/totp_wasm_bg.wasm');
    assert.deepEqual([...wasm.body.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], 'a wasm module');
  });

  test('security headers: CSP with wasm-unsafe-eval, no framing, no referrer, HTML not stored', async () => {
    const res = await raw(port, 'GET', '/');
    const csp = res.headers['content-security-policy'] ?? '';
    assert.match(csp, /script-src [^;]*'self'/);
    assert.match(csp, /script-src [^;]*'wasm-unsafe-eval'/);
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /default-src 'none'/);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['cache-control'], 'no-store');
    // The one inline script, the import map, is allowed by its hash only.
    assert.match(csp, /'sha256-[A-Za-z0-9+/]+=*'/);
    const js = await raw(port, 'GET', '/app.js');
    assert.match(js.headers['content-security-policy'] ?? '', /frame-ancestors 'none'/);
  });

  test('HEAD answers headers only', async () => {
    for (const path of ['/', '/pkg/page/totp_wasm_bg.wasm']) {
      const head = await raw(port, 'HEAD', path);
      const get = await raw(port, 'GET', path);
      assert.equal(head.status, 200, path);
      assert.equal(head.body.length, 0, path);
      assert.equal(head.headers['content-type'], get.headers['content-type'], path);
      assert.equal(head.headers['content-length'], String(get.body.length), path);
    }
  });

  test('404 for unknown paths, directories and traversal attempts', async () => {
    for (const path of [
      '/nope',
      '/nope.html',
      '/pkg/',
      '/pkg/page/',
      '/pkg/full',
      '/pkg/nope.js',
      '/pkg/../Cargo.toml',
      '/pkg/%2e%2e/Cargo.toml',
      '/pkg/%2E%2E/Cargo.toml',
      '/pkg/.%2e/Cargo.toml',
      '/pkg/page/..%2f..%2fCargo.toml',
      '/pkg/%2e%2e%2fCargo.toml',
      '/pkg/..%5cCargo.toml',
      '/%2e%2e/Cargo.toml',
      '/../Cargo.toml',
      '/www/../../etc/passwd',
      '/pkg/%252e%252e/Cargo.toml',
      '/.git/config',
      '/pkg/page/%00.js',
      '/api/anything',
    ]) {
      const res = await raw(port, 'GET', path);
      assert.equal(res.status, 404, `${path} -> ${res.status}`);
      assert.doesNotMatch(res.body.toString(), /\[package\]|root:|"type":"(file|directory)"/, path);
    }
  });

  test('405 for methods other than GET and HEAD', async () => {
    for (const [method, path] of [['POST', '/'], ['PUT', '/index.html'], ['DELETE', '/app.js'], ['PATCH', '/pkg/page/browser.js']]) {
      const res = await raw(port, method, path);
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.match(res.headers.allow ?? '', /GET/);
    }
  });
});

describe('the page in headless Chromium', () => {
  let browser;
  let chromiumMissing = null;

  before(async () => {
    const launched = await launchChromium();
    browser = launched.browser;
    chromiumMissing = launched.missing ?? null;
  });

  after(async () => {
    await browser?.close();
  });

  /** Opens the page in a fresh context and records console errors, CSP violations, requests. */
  async function open(viewport = { width: 1280, height: 800 }) {
    const { context, page, problems, requests, response } = await openPage(browser, `${base}/`, { viewport });
    assert.equal(response?.status(), 200);
    await page.waitForSelector('#qr svg', { timeout: 15_000 });
    await page.waitForFunction(() => /^\d{3} \d{3}$/.test(document.getElementById('code')?.textContent ?? ''), null, { timeout: 15_000 });
    return { context, page, problems, requests };
  }

  async function text(page, selector) {
    return ((await page.textContent(selector)) ?? '').trim();
  }

  test('loads without console errors or CSP violations, and loads nothing from elsewhere', async (t) => {
    if (chromiumMissing) return t.skip(chromiumMissing);
    const { context, page, problems, requests } = await open();
    try {
      await sleep(1200); // let a tick or two of the countdown run
      const violations = await page.evaluate(() => window.__cspViolations);
      assert.deepEqual(violations, [], 'no CSP violations');
      assert.deepEqual(problems, [], 'no console errors or warnings');
      const foreign = requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith('data:'));
      assert.deepEqual(foreign, [], 'no request leaves the origin');
      assert.ok(requests.includes(`${base}/pkg/page/totp_wasm_bg.wasm`), 'the wasm comes from /pkg/');
      assert.equal(await page.title(), 'totp-wasm — two-factor authentication demo');
    } finally {
      await context.close();
    }
  });

  test('QR code, key and account match the otpauth URI; the live code matches totp()', async (t) => {
    if (chromiumMissing) return t.skip(chromiumMissing);
    const { context, page } = await open();
    try {
      const svg = await page.innerHTML('#qr');
      assert.match(svg, /^<svg[\s\S]*<path[\s\S]*<\/svg>$/);
      const uri = await text(page, '#uri');
      const parsed = parseUri(uri);
      assert.equal(parsed.type, 'totp');
      assert.equal(parsed.issuer, 'totp-wasm demo');
      assert.equal(parsed.account, 'alice@example.com');
      const key = await text(page, '#key');
      assert.match(key, /^([A-Z2-7]{4} )*[A-Z2-7]{1,4}$/, `key in groups of four: ${key}`);
      assert.equal(key.replace(/ /g, ''), parsed.secret, 'the key shown is the secret in the URI');
      assert.equal(parsed.secret.length, 32, '20 random bytes');
      assert.equal(await text(page, '#account-name'), 'alice@example.com');
      assert.match(await text(page, '.manual'), /Time based/);

      // The live code, allowing for a period boundary between the two readings.
      const t0 = Date.now() / 1000;
      const shown = await text(page, '#code');
      const seconds = Number(await text(page, '#seconds'));
      const t1 = Date.now() / 1000;
      assert.match(shown, /^\d{3} \d{3}$/);
      const candidates = [totp(parsed.secret, { time: t0 }), totp(parsed.secret, { time: t1 }), totp(parsed.secret, { time: t0 - 1.5 })];
      assert.ok(candidates.includes(shown.replace(' ', '')), `shown ${shown}, expected one of ${candidates}`);
      assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 30, `countdown ${seconds}`);
      // Every value the countdown can have shown between a tick up to 2 s ago and now.
      const around = [];
      for (let t = t0 - 2; t <= t1; t += 0.25) around.push(remainingSeconds({ time: t }));
      assert.ok(around.includes(seconds), `countdown ${seconds}, expected one of ${around}`);
    } finally {
      await context.close();
    }
  });

  test('the check box accepts the live code and rejects a wrong one', async (t) => {
    if (chromiumMissing) return t.skip(chromiumMissing);
    const { context, page } = await open();
    try {
      const secret = parseUri(await text(page, '#uri')).secret;
      // Not too close to a period boundary, so the code stays current while it is typed.
      for (let i = 0; i < 10 && remainingSeconds() < 4; i++) await sleep(1000);
      const live = totp(secret);
      await page.fill('#check-code', `${live.slice(0, 3)} ${live.slice(3)}`);
      await page.click('#check-form button[type="submit"]');
      await page.waitForFunction(() => document.getElementById('check-result')?.textContent !== '');
      assert.match(await text(page, '#check-result'), /^Valid/);
      assert.equal(await page.getAttribute('#check-result', 'data-offset'), '0');
      assert.match((await page.getAttribute('#check-result', 'class')) ?? '', /\bgood\b/);

      // The previous step's code is accepted with its offset.
      const previous = totp(secret, { time: Date.now() / 1000 - 30 });
      await page.fill('#check-code', previous);
      await page.press('#check-code', 'Enter');
      await page.waitForFunction(() => document.getElementById('check-result')?.dataset.offset === '-1');
      assert.match(await text(page, '#check-result'), /previous/);

      // A code that matches no step of the window (nor the one after it).
      const now = Date.now() / 1000;
      const near = new Set([-60, -30, 0, 30, 60].map((d) => totp(secret, { time: now + d })));
      let wrong = Number(live);
      do wrong = (wrong + 1) % 1_000_000;
      while (near.has(String(wrong).padStart(6, '0')));
      await page.fill('#check-code', String(wrong).padStart(6, '0'));
      await page.click('#check-form button[type="submit"]');
      await page.waitForFunction(() => /^Not valid/.test(document.getElementById('check-result')?.textContent ?? ''));
      assert.match((await page.getAttribute('#check-result', 'class')) ?? '', /\bbad\b/);

      // Letters are just "not valid", not an error.
      await page.fill('#check-code', 'abcdef');
      await page.click('#check-form button[type="submit"]');
      await page.waitForFunction(() => /^Not valid/.test(document.getElementById('check-result')?.textContent ?? ''));
    } finally {
      await context.close();
    }
  });

  test('editing issuer and account redraws the QR code; New secret replaces everything', async (t) => {
    if (chromiumMissing) return t.skip(chromiumMissing);
    const { context, page, problems } = await open();
    try {
      const before = await text(page, '#uri');
      const qrBefore = await page.innerHTML('#qr');
      await page.fill('#account', 'bob@example.org');
      await page.fill('#issuer', 'Example & Co');
      const uri = await text(page, '#uri');
      const p = parseUri(uri);
      assert.equal(p.account, 'bob@example.org');
      assert.equal(p.issuer, 'Example & Co');
      assert.equal(p.secret, parseUri(before).secret, 'same secret');
      assert.notEqual(await page.innerHTML('#qr'), qrBefore, 'QR redrawn');
      assert.equal(await text(page, '#account-name'), 'bob@example.org');

      // An empty account: no QR code, a message instead, no exception.
      await page.fill('#account', '');
      assert.equal(await page.isVisible('#qr-error'), true);
      assert.equal(await page.isVisible('#qr'), false);
      await page.fill('#account', 'carol');
      assert.equal(await page.isVisible('#qr svg'), true);
      // An issuer with a colon cannot be written in the label: the package's message is shown.
      await page.fill('#issuer', 'A:B');
      assert.equal(await page.isVisible('#qr-error'), true);
      assert.match(await text(page, '#qr-error'), /^The issuer/);
      await page.fill('#issuer', 'Example & Co');
      assert.equal(await page.isVisible('#qr svg'), true);

      const keyBefore = await text(page, '#key');
      await page.click('#new-secret');
      const keyAfter = await text(page, '#key');
      assert.notEqual(keyAfter, keyBefore);
      const p2 = parseUri(await text(page, '#uri'));
      assert.equal(keyAfter.replace(/ /g, ''), p2.secret);
      assert.equal(p2.account, 'carol');
      assert.equal(p2.issuer, 'Example & Co');
      const shown = (await text(page, '#code')).replace(' ', '');
      const now = Date.now() / 1000;
      assert.ok([totp(p2.secret, { time: now }), totp(p2.secret, { time: now - 1.5 })].includes(shown), 'code follows the new secret');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('the Copy button copies the key', async (t) => {
    if (chromiumMissing) return t.skip(chromiumMissing);
    const { context, page } = await open();
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
      await page.click('#copy');
      await page.waitForFunction(() => document.getElementById('copy-status')?.textContent !== '');
      const status = await text(page, '#copy-status');
      const secret = parseUri(await text(page, '#uri')).secret;
      if (status === 'Key copied.') {
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
      } else {
        // Without clipboard access the key is selected for Ctrl+C.
        assert.equal((await page.evaluate(() => String(window.getSelection()))).replace(/ /g, ''), secret);
      }
    } finally {
      await context.close();
    }
  });

  test('accessibility basics: labels, names, headings, keyboard focus', async (t) => {
    if (chromiumMissing) return t.skip(chromiumMissing);
    const { context, page } = await open();
    try {
      const report = await page.evaluate(() => {
        const issues = [];
        if (!document.documentElement.lang) issues.push('no lang');
        for (const el of document.querySelectorAll('input, select, textarea')) {
          if (!el.labels?.length && !el.getAttribute('aria-label')) issues.push(`unlabelled ${el.id}`);
        }
        for (const b of document.querySelectorAll('button')) {
          if (!(b.getAttribute('aria-label') || b.textContent.trim())) issues.push(`unnamed button ${b.id}`);
        }
        if (document.querySelectorAll('h1').length !== 1) issues.push('not exactly one h1');
        const qr = document.getElementById('qr');
        if (qr.getAttribute('role') !== 'img' || !qr.getAttribute('aria-label')) issues.push('QR has no accessible name');
        if (document.querySelector('[style]')) issues.push('inline style attribute');
        if (document.querySelector('script:not([src]):not([type="importmap"])')) issues.push('inline script');
        return issues;
      });
      assert.deepEqual(report, []);
      // Tab reaches the fields and the buttons in reading order.
      const order = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        order.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName));
      }
      for (const id of ['issuer', 'account', 'copy', 'new-secret', 'check-code']) {
        assert.ok(order.includes(id), `Tab reaches #${id}: ${order.join(', ')}`);
      }
      assert.ok(order.indexOf('issuer') < order.indexOf('account'));
      assert.ok(order.indexOf('new-secret') < order.indexOf('check-code'));
    } finally {
      await context.close();
    }
  });

  for (const [name, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]]) {
    test(`screenshot at ${name} width (${viewport.width}×${viewport.height}), and the QR code on screen scans`, async (t) => {
      if (chromiumMissing) return t.skip(chromiumMissing);
      const { context, page, problems } = await open(viewport);
      try {
        // Nothing overflows sideways.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
        await page.screenshot({ path: join(SHOTS, `demo-${name}.png`), fullPage: true });
        const qrPng = join(SHOTS, `demo-${name}-qr.png`);
        await page.locator('#qr').screenshot({ path: qrPng });
        assert.deepEqual(problems, []);
        if (!existsSync(ZBARIMG)) return t.skip(`${ZBARIMG} not installed (Debian package zbar-tools): QR not decoded`);
        const decoded = execFileSync(ZBARIMG, ['--raw', '-q', qrPng], { encoding: 'utf8', timeout: 20_000 }).trim();
        assert.equal(decoded, await text(page, '#uri'), 'the QR code on screen is the otpauth URI');
      } finally {
        await context.close();
      }
    });
  }
});
