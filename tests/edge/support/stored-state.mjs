// Writing a user's `tfa` record straight into its Durable Object's SQLite file (workerd
// stopped), as an earlier release would have left it: the 2FA state string of that release and
// its authenticators' secrets encrypted with the server keys exactly as edge/crypto.js does.
// Values in workerd's _cf_KV table are V8-serialised, which node:v8 writes too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { deserialize, serialize } from 'node:v8';
import { ServerKeys } from '../../../edge/crypto.js';
import { objectFile, readValueHex, sqlite3Path } from './audit-edge.mjs';

export { objectFile, readValueHex, sqlite3Path };

/** The stored value of `key`, deserialised. */
export function readValue(file, key) {
  return deserialize(Buffer.from(readValueHex(file, key), 'hex'));
}

/**
 * Replaces the `tfa` record: `state` as given, `secrets` (factor id -> base32 secret) encrypted
 * for `username` under the current key of `keys` (the TOTP_WASM_KEYS object).
 */
export async function writeValue(file, key, keys, username, state, secrets) {
  assert.equal(key, 'tfa');
  const server = ServerKeys.from({ TOTP_WASM_KEYS: JSON.stringify(keys) });
  const boxes = {};
  for (const [id, secret] of Object.entries(secrets)) boxes[id] = await server.encrypt(secret, username);
  const before = readValue(file, key);
  assert.equal(typeof before.state, 'string', 'a tfa record holds the state as a string');
  const value = serialize({ state, secrets: boxes, pending: null }).toString('hex').toUpperCase();
  execFileSync(sqlite3Path(), [file, `UPDATE _cf_KV SET value = X'${value}' WHERE key = 'tfa'`]);
  assert.equal(readValue(file, key).state, state);
}
