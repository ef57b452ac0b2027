// Sessions, login tickets and device records of a User object, and the revocation rules.
//
//   session:<sha256>   { id, created, expires, method, lastSeen, stepUpAt, device }
//   ticket:<sha256>    { created, expires, attemptsLeft, device }
//   device:<id>        { created, lastUsed, pwFailures, pwLockedUntil }
//
// `id` is the public name of a session (listing, "sign out"); the stored key is the SHA-256 of
// the cookie's random part. `stepUpAt` is when the session last proved its strongest factor:
// a code (or recovery code) while 2FA is on, the password while it is off. `device` names the
// browser's device record, so signing a session out everywhere else keeps this browser's.

import { ApiError } from './http.js';
import { b64url, randomBytes, sha256Hex } from './crypto.js';

/** storage.delete takes at most 128 keys at once. */
const DELETE_BATCH = 128;

export function sessionKey(secret) {
  return sha256Hex(secret).then((h) => `session:${h}`);
}

export function newId() {
  return b64url(randomBytes(9));
}

export function newSession(t, life, method, device) {
  return { id: newId(), created: t, expires: t + life.session, method, lastSeen: t, stepUpAt: t, device };
}

export function newDevice(t) {
  return { created: t, lastUsed: t, pwFailures: 0, pwLockedUntil: 0 };
}

/** The live session record, or UNAUTHENTICATED (an expired one is deleted). */
export async function checkSession(storage, record, key, t) {
  if (!record) throw new ApiError('UNAUTHENTICATED', 'Sign in first (no session, or it was signed out).');
  if (record.expires <= t) {
    await storage.delete(key);
    throw new ApiError('UNAUTHENTICATED', 'Your session has expired: sign in again.');
  }
  return record;
}

/** Whether the session may make a sensitive change now (see stepUpAt above). */
export function steppedUp(record, t, life) {
  return typeof record.stepUpAt === 'number' && t - record.stepUpAt < life.stepUp;
}

export function stepUpRequired() {
  return new ApiError('STEP_UP_REQUIRED', 'Confirm it is you: enter your password and a code again.');
}

/** Deletes keys in batches. */
export async function deleteKeys(storage, keys) {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) await storage.delete(keys.slice(i, i + DELETE_BATCH));
}

/** Stores a new record under `prefix`, deleting expired ones and the oldest past `limit`. */
export async function pruneAndPut(storage, prefix, limit, t, name, value, writes = {}) {
  const all = await storage.list({ prefix });
  const expiry = (v) => v.expires ?? Infinity;
  const live = [...all].filter(([, v]) => expiry(v) > t).sort((a, b) => a[1].created - b[1].created);
  const drop = [...all].filter(([, v]) => expiry(v) <= t).map(([k]) => k);
  while (live.length >= limit) drop.push(live.shift()[0]);
  await deleteKeys(storage, drop);
  await storage.put({ ...writes, [`${prefix}${name}`]: value });
}

/**
 * The revocation rule: every session but `keepSession` (a storage key, or null for none), every
 * login ticket, every device record but `keepDevice`, and with `tokens` every update token.
 */
export async function revokeOthers(storage, { keepSession = null, keepDevice = null, tokens = false }) {
  const prefixes = ['session:', 'ticket:', 'device:', ...(tokens ? ['token:'] : [])];
  const keep = new Set([keepSession, keepDevice && `device:${keepDevice}`]);
  const drop = [];
  for (const prefix of prefixes) {
    for (const k of (await storage.list({ prefix })).keys()) if (!keep.has(k)) drop.push(k);
  }
  await deleteKeys(storage, drop);
  // The counts, for the security log's 'sessions-revoked' / 'tokens-revoked'.
  return { sessions: drop.filter((k) => k.startsWith('session:')).length, tokens: drop.filter((k) => k.startsWith('token:')).length };
}

/** The sessions for GET /api/sessions, the caller's marked and first. */
export async function listSessions(storage, currentKey, t) {
  const all = await storage.list({ prefix: 'session:' });
  return [...all]
    .filter(([, v]) => v.expires > t)
    .map(([k, v]) => ({
      id: v.id,
      created: v.created,
      method: v.method,
      lastSeen: v.lastSeen ?? v.created,
      expiresAt: v.expires,
      current: k === currentKey,
    }))
    // This one first, then the newest.
    .sort((a, b) => Number(b.current) - Number(a.current) || b.created - a.created || a.id.localeCompare(b.id));
}

/** The storage key of the session with public id `id`, or null. */
export async function sessionById(storage, id) {
  for (const [k, v] of await storage.list({ prefix: 'session:' })) if (v.id === id) return [k, v];
  return null;
}
