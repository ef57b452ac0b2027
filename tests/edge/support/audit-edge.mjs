// Test support for the security log and the operator API on real workerd, before they are
// wired into the User object: tests/edge/support/audit.capnp (operator routes, OperatorGuard,
// AuditUser holding the real log), a fresh state folder, keys with a macKey and an operator
// token; and the SQLite helpers of the tamper test (Debian's sqlite3 CLI, workerd stopped).
//
// When #10 and #13 are wired into edge/, point `AuditEdge` at edge/config.capnp (the Edge
// class of edge.mjs) and `uniqueKey` at "totp-wasm-users"; the SQLite helpers stay as they are.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Not imported from edge.mjs, which loads the built package: these tests need only workerd.
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** A username unique to this process. */
export function uniqueName(prefix = 'user') {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

const WORKERD = join(ROOT, 'node_modules', '.bin', 'workerd');
const CONFIG = join(ROOT, 'tests', 'edge', 'support', 'audit.capnp');
/** The AuditUser namespace's folder under the state folder (audit.capnp). */
export const USERS_UNIQUE_KEY = 'audit-users';

/** Keys in the TOTP_WASM_KEYS format with a macKey and one operator token per id. */
export function auditKeys(operatorIds = ['ann']) {
  const tokens = Object.fromEntries(operatorIds.map((id) => [id, randomBytes(32).toString('base64url')]));
  const keys = {
    encryptionKeys: { k1: randomBytes(32).toString('hex') },
    currentEncryptionKey: 'k1',
    recoveryKey: randomBytes(32).toString('hex'),
    macKey: randomBytes(32).toString('hex'),
    operatorTokens: Object.fromEntries(
      Object.entries(tokens).map(([id, t]) => [id, createHash('sha256').update(t).digest('hex')]),
    ),
  };
  return { keys, tokens };
}

export class AuditEdge {
  constructor({ keys, env = {} }) {
    assert.ok(existsSync(WORKERD), `${WORKERD} missing: run cargo xtask build`);
    this.keys = keys;
    this.env = env;
    this.stateDir = mkdtempSync(join(tmpdir(), 'totp-wasm-audit-'));
    this.log = '';
    this.proc = null;
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    this.port = await freePort();
    const env = { ...process.env, TOTP_WASM_KEYS: JSON.stringify(this.keys), ...this.env };
    const proc = spawn(
      WORKERD,
      ['serve', CONFIG, '--socket-addr', `http=127.0.0.1:${this.port}`, '--directory-path', `state=${this.stateDir}`],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc = proc;
    proc.stdout.on('data', (d) => (this.log += d));
    proc.stderr.on('data', (d) => (this.log += d));
    for (let i = 0; i < 150; i++) {
      if (proc.exitCode !== null) break;
      try {
        const res = await fetch(`${this.base}/ready`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 404) return this;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`workerd (audit.capnp) did not answer on ${this.base} (exit ${proc.exitCode}):\n${this.log}`);
  }

  async kill() {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  /** Kill, then start again on the same state folder (new port). */
  async restart() {
    await this.kill();
    return this.start();
  }

  async stop() {
    await this.kill();
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  async post(path, body) {
    const res = await fetch(this.base + path, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return res.json();
  }

  /** An operator API request; `token` null sends no Authorization. */
  async operator(method, path, { token = null, body, headers = {} } = {}) {
    const h = { ...headers };
    if (token !== null) h.Authorization = `Bearer ${token}`;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const res = await fetch(this.base + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    return { status: res.status, body: json, text, headers: res.headers };
  }
}

export async function startAudit(options) {
  return new AuditEdge(options).start();
}

// ---- the SQLite side: a Durable Object's file, with workerd stopped ---------------------------

/** The sqlite3 CLI, or null (cargo xtask installs Debian's sqlite3 with the other tools). */
export function sqlite3Path() {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'sqlite3'))) return join(dir, 'sqlite3');
  }
  return null;
}

/**
 * The SQLite file of one object: `<state>/<uniqueKey>/<object id hex>.sqlite` (workerd's
 * localDisk layout; the id is `ctx.id.toString()`).
 */
export function objectFile(stateDir, uniqueKey, id) {
  assert.match(id, /^[0-9a-f]{64}$/);
  const dir = join(stateDir, uniqueKey);
  const name = `${id}.sqlite`;
  assert.ok(readdirSync(dir).includes(name), `${name} not in ${dir}: ${readdirSync(dir).join(', ')}`);
  return join(dir, name);
}

function sqlite(file, sql) {
  return execFileSync(sqlite3Path(), [file, sql], { encoding: 'utf8' }).trim();
}

/** The stored value of a storage key, as hex (workerd keeps the KV API in table _cf_KV). */
export function readValueHex(file, key) {
  assert.match(key, /^[A-Za-z0-9:_-]+$/);
  const out = sqlite(file, `SELECT hex(value) FROM _cf_KV WHERE key = '${key}'`);
  assert.ok(out !== '', `no key ${key} in ${file}`);
  return out;
}

export function storedKeys(file, prefix = '') {
  assert.match(prefix, /^[A-Za-z0-9:_-]*$/);
  const out = sqlite(file, `SELECT key FROM _cf_KV WHERE key LIKE '${prefix}%' ORDER BY key`);
  return out === '' ? [] : out.split('\n');
}

/**
 * Replaces ASCII text inside a stored value by other ASCII text of the same length (values
 * are V8-serialised; same-length one-byte strings keep the encoding valid). Exactly one
 * occurrence must exist.
 */
export function replaceInValue(file, key, from, to) {
  assert.equal(from.length, to.length, 'same length only');
  const hexOf = (s) => Buffer.from(s, 'latin1').toString('hex').toUpperCase();
  const value = readValueHex(file, key);
  const parts = value.split(hexOf(from));
  assert.equal(parts.length, 2, `"${from}" occurs ${parts.length - 1} times in ${key}`);
  assert.equal(parts[0].length % 2, 0, 'match on a byte boundary');
  sqlite(file, `UPDATE _cf_KV SET value = X'${parts.join(hexOf(to))}' WHERE key = '${key}'`);
  assert.equal(readValueHex(file, key), parts.join(hexOf(to)));
}

export function deleteKey(file, key) {
  assert.match(key, /^[A-Za-z0-9:_-]+$/);
  sqlite(file, `DELETE FROM _cf_KV WHERE key = '${key}'`);
}
