// Test support for the edge service: a real workerd on a free loopback port (edge/config.capnp,
// fresh state folder, keys generated here), an HTTP client with a cookie jar, and "people"
// with an authenticator app (codes computed with the package, as a phone would).
//
// Every secret a test sends or receives (passwords, codes, tickets, cookies, tokens, TOTP keys,
// recovery and removal codes, server keys) is recorded on the server object, so that a test can
// check that none of them appears in workerd's stdout/stderr.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseUri, totp } from 'totp-wasm';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const WORKERD = join(ROOT, 'node_modules', '.bin', 'workerd');
export const PERIOD = 30;

// Two targets, one suite: by default workerd serves edge/config.capnp (the demo's modules);
// with TOTP_WASM_EDGE_BUNDLE=DIR (`cargo xtask test edge-wrangler`) it serves the bundle that
// `wrangler deploy --dry-run --outdir DIR` made from edge/wrangler.toml: the bundle's own
// modules (package `exports` resolved by wrangler's bundler), with config.capnp's bindings.
const BUNDLE = process.env.TOTP_WASM_EDGE_BUNDLE ? resolve(process.env.TOTP_WASM_EDGE_BUNDLE) : null;
export const TARGET = BUNDLE ? 'wrangler' : 'workerd';

/** Module kinds of the files wrangler writes, by extension (null: not a module). */
const BUNDLE_KINDS = { '.js': 'esModule', '.mjs': 'esModule', '.wasm': 'wasm', '.txt': 'text', '.html': 'text', '.bin': 'data', '.map': null, '.md': null, '.capnp': null };

/**
 * A workerd config for the wrangler bundle in BUNDLE: config.capnp with its module list
 * replaced by the bundle's files (worker.js, wrangler's entry, first), written into the bundle
 * folder (embed paths are relative to the config). Each test process writes the same text and
 * renames it into place, so parallel test files do not race.
 */
function bundleConfig() {
  const lines = [];
  for (const entry of readdirSync(BUNDLE, { withFileTypes: true })) {
    const ext = entry.name.slice(entry.name.lastIndexOf('.'));
    const kind = BUNDLE_KINDS[ext];
    if (kind === null) continue;
    if (!entry.isFile() || kind === undefined) throw new Error(`${BUNDLE}: no module kind for ${entry.name}`);
    const line = `    (name = ${JSON.stringify(entry.name)}, ${kind} = embed ${JSON.stringify(entry.name)}),`;
    if (entry.name === 'worker.js') lines.unshift(line);
    else lines.push(line);
  }
  assert.ok(lines[0]?.includes('"worker.js"'), `${BUNDLE}/worker.js missing: is it wrangler's --outdir?`);
  const base = readFileSync(join(ROOT, 'edge', 'config.capnp'), 'utf8');
  const modules = /\n  modules = \[\n[\s\S]*?\n  \],\n/;
  assert.match(base, modules, 'edge/config.capnp: the worker\'s `modules = [ … ],` list was not found');
  const text = base.replace(modules, () => `\n  modules = [\n${lines.join('\n')}\n  ],\n`);
  const file = join(BUNDLE, 'workerd.capnp');
  writeFileSync(`${file}.${process.pid}`, text);
  renameSync(`${file}.${process.pid}`, file);
  return file;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const nowSeconds = () => Math.floor(Date.now() / 1000);

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

/** Server keys in the TOTP_WASM_KEYS format, fresh random bytes. */
export function newKeys(ids = ['k1'], current = ids[ids.length - 1], recoveryKey = randomBytes(32).toString('hex')) {
  const encryptionKeys = Object.fromEntries(ids.map((id) => [id, randomBytes(32).toString('hex')]));
  return { encryptionKeys, currentEncryptionKey: current, recoveryKey, macKey: randomBytes(32).toString('hex') };
}

/**
 * One workerd running the edge worker.
 * @param {{ keys?: object|null, lifetimes?: object, stateDir?: string, addressHeader?: string }} options
 *   keys: null starts it without TOTP_WASM_KEYS; addressHeader: the header the per-address
 *   limit trusts (TOTP_WASM_TEST_ADDRESS_HEADER; unset, the limit is off as on local workerd)
 */
export async function startEdge(options = {}) {
  const edge = new Edge(options);
  await edge.start();
  return edge;
}

export class Edge {
  constructor({ keys = newKeys(), lifetimes = null, stateDir = null, addressHeader = null, env = {} } = {}) {
    /** more environment for workerd (e.g. OPERATOR_MIN_RESET_DELAY) */
    this.extraEnv = env;
    assert.ok(existsSync(WORKERD), `${WORKERD} missing: run cargo xtask build`);
    assert.ok(existsSync(join(ROOT, 'pkg', 'verifier', 'workerd.js')), 'pkg/ not built: run cargo xtask build');
    this.config = BUNDLE ? bundleConfig() : join(ROOT, 'edge', 'config.capnp');
    this.keys = keys;
    this.lifetimes = lifetimes;
    this.addressHeader = addressHeader;
    this.ownState = stateDir === null;
    this.stateDir = stateDir ?? mkdtempSync(join(tmpdir(), 'totp-wasm-edge-'));
    /** workerd's stdout + stderr, over every start */
    this.log = '';
    /** every secret value seen by a client */
    this.secrets = new Set();
    if (keys) this.recordKeys(keys);
    this.proc = null;
  }

  recordKeys(keys) {
    for (const v of Object.values(keys.encryptionKeys)) this.secrets.add(v);
    this.secrets.add(keys.recoveryKey);
    if (keys.macKey) this.secrets.add(keys.macKey);
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    this.port = await freePort();
    const env = { ...process.env };
    delete env.TOTP_WASM_KEYS;
    delete env.TOTP_WASM_TEST_LIFETIMES;
    delete env.TOTP_WASM_TEST_ADDRESS_HEADER;
    if (this.keys) env.TOTP_WASM_KEYS = JSON.stringify(this.keys);
    if (this.lifetimes) env.TOTP_WASM_TEST_LIFETIMES = JSON.stringify(this.lifetimes);
    if (this.addressHeader) env.TOTP_WASM_TEST_ADDRESS_HEADER = this.addressHeader;
    Object.assign(env, this.extraEnv);
    const proc = spawn(
      WORKERD,
      [
        'serve',
        this.config,
        '--socket-addr', `http=127.0.0.1:${this.port}`,
        '--directory-path', `www=${join(ROOT, 'www')}`,
        '--directory-path', `pkg=${join(ROOT, 'pkg')}`,
        '--directory-path', `state=${this.stateDir}`,
      ],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc = proc;
    proc.stdout.on('data', (d) => (this.log += d));
    proc.stderr.on('data', (d) => (this.log += d));
    // Bounded wait: at most 150 tries, 100 ms apart.
    for (let i = 0; i < 150; i++) {
      if (proc.exitCode !== null) break;
      try {
        const res = await fetch(`${this.base}/api/profile`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 401 || res.status === 500) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`workerd did not answer on ${this.base} (exit ${proc.exitCode}):\n${this.log}`);
  }

  /** SIGKILL (workerd may ignore a first SIGTERM; this is also the crash). */
  async kill() {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  /** Kill, then start again on the same state folder (new port), optionally with other keys. */
  async restart({ keys = this.keys, lifetimes = this.lifetimes } = {}) {
    await this.kill();
    this.keys = keys;
    this.lifetimes = lifetimes;
    if (keys) this.recordKeys(keys);
    await this.start();
  }

  async stop() {
    await this.kill();
    if (this.ownState) rmSync(this.stateDir, { recursive: true, force: true });
  }

  client(options) {
    return new Client(this, options);
  }

  /** The secrets recorded so far that occur in workerd's output (should be none). */
  leakedSecrets() {
    const variants = (s) => [s, s.replaceAll(' ', ''), s.replaceAll('-', ''), s.toUpperCase()];
    return [...this.secrets].filter((s) => s.length >= 6 && variants(s).some((v) => this.log.includes(v)));
  }
}

/** Response fields that carry secrets. */
const SECRET_FIELDS = new Set(['ticket', 'uri', 'key', 'token', 'removalCode', 'password', 'code', 'recoveryCode']);

/**
 * An HTTP client of the API with a cookie jar for the session and device cookies. By default it behaves
 * like the page: same-origin `Origin` and `Sec-Fetch-Site: same-origin` on state-changing
 * requests, JSON bodies.
 */
export class Client {
  constructor(edge, { origin = true } = {}) {
    this.edge = edge;
    this.origin = origin;
    /** the session cookie's value, or null */
    this.cookie = null;
    /** the device cookie's value, or null */
    this.device = null;
  }

  record(value) {
    if (typeof value === 'string' && value.length >= 6) this.edge.secrets.add(value);
  }

  recordBody(obj) {
    if (!obj || typeof obj !== 'object') return;
    for (const [k, v] of Object.entries(obj)) {
      if (SECRET_FIELDS.has(k)) this.record(v);
      if (k === 'uri' && typeof v === 'string') this.record(parseUri(v).secret);
      if (k === 'recoveryCodes' && Array.isArray(v)) v.forEach((c) => this.record(c));
      if (k === 'codes' && Array.isArray(v)) v.forEach((c) => this.record(c));
    }
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body] an object (sent as JSON), a string/Buffer (sent as is), or undefined
   * @param {{ headers?: Record<string,string>, cookie?: string|null, device?: string|null }} [options]
   */
  async request(method, path, body, { headers = {}, cookie, device } = {}) {
    const h = {};
    const changing = method !== 'GET' && method !== 'HEAD';
    if (changing && this.origin) {
      h.Origin = this.edge.base;
      h['Sec-Fetch-Site'] = 'same-origin';
    }
    let payload;
    if (body !== undefined && (typeof body === 'string' || body instanceof Uint8Array)) payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['Content-Type'] = 'application/json';
      this.recordBody(body);
    }
    const jar = cookie === undefined ? this.cookie : cookie;
    const dev = device === undefined ? this.device : device;
    const cookies = [jar && `session=${jar}`, dev && `device=${dev}`].filter(Boolean);
    if (cookies.length) h.Cookie = cookies.join('; ');
    Object.assign(h, headers);
    if (h.Authorization) this.record(h.Authorization.replace(/^Bearer /, ''));
    const res = await fetch(this.edge.base + path, {
      method,
      headers: h,
      body: payload,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    const setCookie = res.headers.getSetCookie();
    for (const c of setCookie) {
      const m = /^(session|device)=([^;]*)/.exec(c);
      if (m) {
        const value = m[2] === '' || /Max-Age=0/.test(c) ? null : m[2];
        if (m[1] === 'session') this.cookie = value;
        else this.device = value;
        this.record(m[2]);
      }
    }
    this.recordBody(json);
    return { status: res.status, body: json, text, headers: res.headers, setCookie };
  }

  get(path, options) { return this.request('GET', path, undefined, options); }
  post(path, body = {}, options) { return this.request('POST', path, body, options); }
  patch(path, body = {}, options) { return this.request('PATCH', path, body, options); }
  delete(path, body, options) { return this.request('DELETE', path, body, options); }
}

/** Asserts an error answer: status and stable code. Returns the error object. */
export function assertError(res, status, code) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${res.text}`);
  assert.equal(res.body?.error?.code, code, `expected ${code}, got ${res.text}`);
  assert.equal(typeof res.body.error.message, 'string');
  return res.body.error;
}

export function assertOk(res, status = 200) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status} ${res.text}`);
  return res.body;
}

let counter = 0;
/** A unique username for this process. */
export function uniqueName(prefix = 'user') {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${randomBytes(3).toString('hex')}`;
}

/**
 * Waits, if needed, so that the current time is not within 1.5 s of a step boundary: then a
 * code for step cur-1, cur or cur+1 is inside the server's ±1 window even if a request takes
 * a while to arrive.
 */
export async function awayFromBoundary() {
  const into = (Date.now() / 1000) % PERIOD;
  if (into > PERIOD - 1.5) await sleep((PERIOD - into) * 1000 + 150);
}

/**
 * A person with an account and an authenticator app. Codes are computed with the package for
 * a step after the last one the server accepted for that authenticator (replays are refused),
 * within the ±1 window; if all three are used it waits for the next step (bounded).
 */
export class Person {
  constructor(edge, { name = uniqueName(), password = `pw-${randomBytes(9).toString('base64url')}` } = {}) {
    this.edge = edge;
    this.name = name;
    this.password = password;
    this.client = edge.client();
    /** factorId -> { secret, lastStep } */
    this.factors = new Map();
    this.recoveryCodes = [];
    this.removalCode = null;
    edge.secrets.add(password);
  }

  signup() {
    return this.client.post('/api/signup', { username: this.name, password: this.password });
  }

  login(password = this.password) {
    return this.client.post('/api/login', { username: this.name, password });
  }

  /** A fresh code for an authenticator: { code, step }. Call accepted(id, step) after success. */
  async code(id = this.firstFactor()) {
    await awayFromBoundary();
    const f = this.factors.get(id);
    let cur = Math.floor(Date.now() / 1000 / PERIOD);
    let step = Math.max(f.lastStep + 1, cur - 1);
    for (let i = 0; i < 2 && step > cur + 1; i++) {
      await sleep(((cur + 1) * PERIOD - Date.now() / 1000) * 1000 + 150);
      cur = Math.floor(Date.now() / 1000 / PERIOD);
      step = Math.max(f.lastStep + 1, cur - 1);
    }
    const code = totp(f.secret, { time: step * PERIOD });
    this.edge.secrets.add(code);
    return { code, step };
  }

  accepted(id, step) {
    this.factors.get(id).lastStep = step;
  }

  firstFactor() {
    return this.factors.keys().next().value;
  }

  /** A code that is valid for none of the steps in the window of any authenticator. */
  wrongCode() {
    const t = nowSeconds();
    const valid = new Set();
    for (const { secret } of this.factors.values()) {
      for (const d of [-2, -1, 0, 1, 2]) valid.add(totp(secret, { time: t + d * PERIOD }));
    }
    for (let n = 0; ; n++) {
      const c = String((123456 + n * 7919) % 1_000_000).padStart(6, '0');
      if (!valid.has(c)) return c;
    }
  }

  /** Starts and confirms an authenticator; returns the confirm response body. */
  async enroll({ name = 'Phone', removalCode = false } = {}) {
    const start = assertOk(await this.client.post('/api/2fa/enroll', {}));
    const secret = parseUri(start.uri).secret;
    this.factors.set('pending', { secret, lastStep: -Infinity });
    const { code, step } = await this.code('pending');
    const body = { code, password: this.password, name };
    if (removalCode) body.removalCode = true;
    const res = await this.client.post('/api/2fa/enroll/confirm', body);
    const out = assertOk(res);
    this.factors.delete('pending');
    this.factors.set(out.authenticator.id, { secret, lastStep: step, enrolledStep: step });
    if (out.recoveryCodes) this.recoveryCodes = [...out.recoveryCodes];
    if (out.removalCode) this.removalCode = out.removalCode;
    return out;
  }

  /** Password step; returns the ticket (asserts 2FA is on). */
  async ticket() {
    const res = await this.login();
    const body = assertOk(res);
    assert.equal(body.status, 'two_factor_required', res.text);
    return body.ticket;
  }

  /** The whole login with a code: password, ticket, code. Returns the verify response. */
  async loginWithCode(id = this.firstFactor()) {
    const ticket = await this.ticket();
    const { code, step } = await this.code(id);
    const res = await this.client.post('/api/login/verify', { ticket, code });
    if (res.status === 200) this.accepted(id, step);
    return res;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Outcome counts of responses: { '200': n, '201': n, CODE_REPLAYED: n, … }. */
export function tally(responses) {
  const out = {};
  for (const r of responses) {
    const k = r.status === 200 || r.status === 201 ? String(r.status) : r.body?.error?.code ?? `HTTP ${r.status}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
