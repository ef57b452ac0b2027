// Test support for the security log and the operator API on real workerd: the real edge
// (edge/config.capnp through support/edge.mjs) with keys that carry operator tokens, a fresh
// state folder, real users made through the API (sign-up, then a password sign-in), their
// security log read with their session; and the SQLite helpers of the tamper test (Debian's
// sqlite3 CLI, workerd stopped).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Edge, ROOT, newKeys, uniqueName } from './edge.mjs';

export { ROOT, uniqueName };

/** The User namespace's folder under the state folder (edge/config.capnp). */
export const USERS_UNIQUE_KEY = 'totp-wasm-users';

/** Keys in the TOTP_WASM_KEYS format with a macKey and one operator token per id. */
export function auditKeys(operatorIds = ['ann']) {
  const tokens = Object.fromEntries(operatorIds.map((id) => [id, randomBytes(32).toString('base64url')]));
  const keys = {
    ...newKeys(),
    operatorTokens: Object.fromEntries(
      Object.entries(tokens).map(([id, t]) => [id, createHash('sha256').update(t).digest('hex')]),
    ),
  };
  return { keys, tokens };
}

export class AuditEdge extends Edge {
  constructor({ keys, env = {} }) {
    super({ keys, env });
    /** username -> the Client of its password sign-in */
    this.users = new Map();
  }

  async start() {
    await super.start();
    return this;
  }

  /** Kill, then start again on the same state folder (new port). */
  async restart() {
    await super.restart();
    return this;
  }

  /** A real account: sign-up, then a password sign-in (the log's first event, 'sign-in'). */
  async seedUser(username, password = `pw-${randomBytes(9).toString('base64url')}`) {
    const client = this.client();
    const up = await client.post('/api/signup', { username, password });
    assert.equal(up.status, 201, up.text);
    const res = await client.post('/api/login', { username, password });
    assert.equal(res.status, 200, res.text);
    this.users.set(username, client);
    return client;
  }

  /** The user's security log as GET /api/security-log gives it to them (no event appended). */
  async exportLog(username) {
    const res = await this.users.get(username).get('/api/security-log');
    assert.equal(res.status, 200, res.text);
    return res.body;
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
 * The SQLite file of a user's object: the one under `<state>/<uniqueKey>/` whose `account`
 * record holds the username (workerd's localDisk layout: `<object id hex>.sqlite`).
 */
export function objectFile(stateDir, uniqueKey, username) {
  const dir = join(stateDir, uniqueKey);
  const needle = Buffer.from(username, 'latin1').toString('hex').toUpperCase();
  const found = readdirSync(dir)
    .filter((n) => /^[0-9a-f]{64}\.sqlite$/.test(n))
    .filter((n) => sqlite(join(dir, n), "SELECT hex(value) FROM _cf_KV WHERE key = 'account'").includes(needle));
  assert.equal(found.length, 1, `${username}: ${found.length} files in ${dir}`);
  return join(dir, found[0]);
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
