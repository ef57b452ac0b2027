// Shared by the end-to-end suites: a real workerd serving www/ and pkg/ through the edge worker
// (edge/config.capnp) on a free port of 127.0.0.1, raw HTTP requests, and headless Chromium.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const WORKERD = join(ROOT, 'node_modules', '.bin', 'workerd');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = join(ROOT, 'target', 'screenshots');
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * A raw HTTP request: node:http sends the path exactly as given (fetch() would normalise
 * "/pkg/../x" before sending it, hiding what the worker does with it).
 */
export function raw(port, method, path) {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, timeout: 5000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', fail);
    req.end();
  });
}

/** Server keys in the TOTP_WASM_KEYS format (edge/README.md), fresh random bytes. */
export function newKeys() {
  const hex = () => randomBytes(32).toString('hex');
  return { encryptionKeys: { k1: hex() }, currentEncryptionKey: 'k1', recoveryKey: hex(), macKey: hex() };
}

/**
 * Starts workerd with a fresh state folder and waits (at most 15 s) until `/` answers 200.
 * `stop()` kills it (SIGKILL: workerd may ignore a first SIGTERM) and removes the state; if
 * the process exits with a failure, the worker's output is kept in target/<logName>.
 * `keys` (TOTP_WASM_KEYS, for the JSON API) and `lifetimes` (TOTP_WASM_TEST_LIFETIMES, shorter
 * ticket and setup lifetimes) are passed only when given; neither is inherited. `www` serves
 * another copy of the pages (a test that upgrades the served files).
 * @param {{ logName?: string, keys?: object, lifetimes?: object, www?: string }} [options]
 * @returns {Promise<{ port: number, base: string, stop: () => void, log: () => string }>}
 */
export async function startWorkerd({ logName = 'e2e-workerd.log', keys, lifetimes, www = join(ROOT, 'www'), env: extra = {}, loginForm } = {}) {
  if (!existsSync(WORKERD)) throw new Error(`${WORKERD} missing: run npm install (cargo xtask does)`);
  if (!existsSync(join(ROOT, 'pkg', 'page', 'browser.js'))) throw new Error('pkg/ not built: run cargo xtask build');
  const stateDir = mkdtempSync(join(tmpdir(), 'totp-wasm-e2e-state-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  const env = { ...process.env };
  delete env.TOTP_WASM_KEYS;
  delete env.TOTP_WASM_TEST_LIFETIMES;
  if (keys) env.TOTP_WASM_KEYS = JSON.stringify(keys);
  if (lifetimes) env.TOTP_WASM_TEST_LIFETIMES = JSON.stringify(lifetimes);
  Object.assign(env, extra);
  delete env.TOTP_WASM_LOGIN_FORM;
  if (loginForm) env.TOTP_WASM_LOGIN_FORM = loginForm;
  const workerd = spawn(
    WORKERD,
    [
      'serve',
      join(ROOT, 'edge', 'config.capnp'),
      '--socket-addr', `http=127.0.0.1:${port}`,
      '--directory-path', `www=${www}`,
      '--directory-path', `pkg=${join(ROOT, 'pkg')}`,
      '--directory-path', `state=${stateDir}`,
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  workerd.stdout.on('data', (d) => (log += d));
  workerd.stderr.on('data', (d) => (log += d));
  const stop = () => {
    if (workerd.exitCode === null) workerd.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  };
  // Kept for debugging a failing run: the worker's own output.
  process.on('exit', (code) => {
    if (code !== 0 && log) {
      try {
        mkdirSync(join(ROOT, 'target'), { recursive: true });
        writeFileSync(join(ROOT, 'target', logName), log);
      } catch {
        // best effort
      }
    }
  });
  // Bounded wait: at most 150 tries, 100 ms apart.
  for (let i = 0; i < 150; i++) {
    if (workerd.exitCode !== null) break;
    try {
      const res = await raw(port, 'GET', '/');
      if (res.status === 200) return { port, base, stop, log: () => log };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  stop();
  throw new Error(`workerd did not answer on ${base} (exit ${workerd.exitCode}):\n${log}`);
}

/**
 * Headless Chromium through playwright-core, or a reason why it cannot run.
 * @param {string[]} extraArgs more Chromium flags
 */
export async function launchChromium(extraArgs = []) {
  if (!existsSync(CHROMIUM)) return { missing: `${CHROMIUM} not installed (Debian package chromium)` };
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 60_000 });
  mkdirSync(SHOTS, { recursive: true });
  return { browser };
}

/**
 * A new page in a fresh context that records console errors and warnings, page errors, failed
 * requests, every request URL, and CSP violations (in window.__cspViolations).
 */
export async function openPage(browser, url, { viewport = { width: 1280, height: 800 }, context: existing } = {}) {
  const context = existing ?? (await browser.newContext({ viewport }));
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => requests.push(r.url()));
  // Injected by the DevTools protocol, so the page's CSP does not apply to this listener.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const response = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  return { context, page, problems, requests, response };
}
