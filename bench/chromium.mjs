// The same cases in headless Chromium (playwright-core, /usr/bin/chromium): a page on a
// loopback server imports totp-wasm's browser loader and the peers' browser builds through an
// import map, runs bench/cases.mjs and hands back its rows. node-qrcode ships no browser build
// in its npm package, so Chromium's QR row compares with `qr` only.
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, relative } from 'node:path';
import { launchChromium } from '../tests/e2e/support/workerd.mjs';
import { formatNs } from './cases.mjs';

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };

/** `{ rows, version }`; rows are empty (with a logged reason) when Chromium cannot run. */
export async function inChromium(root, minMs, log) {
  const launched = await launchChromium();
  if (launched.missing) {
    log(`  skipped: ${launched.missing}`);
    return { rows: [], version: null };
  }
  const server = createServer((req, res) => {
    const path = `${root}${decodeURIComponent(new URL(req.url, 'http://x').pathname).slice(1)}`;
    if (req.url === '/bench.html') return send(res, 'text/html', page(root, minMs));
    if (!path.startsWith(root) || path.includes('..') || !existsSync(path)) return send(res, 'text/plain', 'not found', 404);
    send(res, TYPES[extname(path)] ?? 'application/octet-stream', readFileSync(path));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { browser } = launched;
  try {
    const pageObj = await browser.newPage();
    pageObj.on('pageerror', (e) => log(`  page error: ${e.message}`));
    await pageObj.goto(`http://127.0.0.1:${server.address().port}/bench.html`);
    const rows = await pageObj.waitForFunction(() => window.__rows || window.__error, null, { timeout: 600_000 }).then((h) => h.jsonValue());
    if (typeof rows === 'string') throw new Error(`in Chromium: ${rows}`);
    for (const r of rows) log(`  ${r.name.padEnd(62)} ${formatNs(r.ns).padStart(10)}  ×${r.vsFirst.toFixed(2)}`);
    return { rows, version: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}

function send(res, type, body, status = 200) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** The page: an import map from bare specifiers to files under the repository root. */
function page(root, minMs) {
  const require = createRequire(`${root}bench/`);
  const url = (file) => `/${relative(root, file)}`;
  const pkg = JSON.parse(readFileSync(`${root}pkg/package.json`, 'utf8'));
  const imports = {
    'totp-wasm': `/pkg/${pkg.exports['.'].browser.replace(/^\.\//, '')}`,
    otpauth: url(require.resolve('otpauth/dist/otpauth.esm.js')),
    qr: url(require.resolve('qr')),
  };
  // @oslojs/otp and the @oslojs packages it imports: ESM files, mapped by their exports.
  for (const spec of ['@oslojs/otp', '@oslojs/binary', '@oslojs/encoding', '@oslojs/crypto/hmac', '@oslojs/crypto/sha1', '@oslojs/crypto/subtle']) {
    imports[spec] = url(require.resolve(spec));
  }
  return `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>bench</title>
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module">
import * as wasm from 'totp-wasm';
import * as otpauthBrowser from 'otpauth';
import * as oslo from '@oslojs/otp';
import qr from 'qr';
import { run } from '/bench/cases.mjs';
try { window.__rows = run({ wasm, otpauthBrowser, oslo, qr }, ${minMs}); } catch (e) { window.__error = String(e?.stack ?? e); }
</script>`;
}
