// Update-client tokens (the No-IP "DUC" case) of a User object:
//
//   token:<id>   { name, hash: sha256, created, expires, lastUsed }
//
// The value is shown once (credentials.js gives its shape); the object keeps the SHA-256 of its
// random part. Tokens work without a second factor, so they survive turning 2FA on; a password
// change, turning 2FA off or removing it revokes them (sessions.js, revokeOthers).

import { ApiError } from './http.js';
import { constantTimeEqual, sha256Hex } from './crypto.js';
import { LIMITS } from './settings.js';
import { deleteKeys } from './sessions.js';

/** Stores a new token (expired ones are dropped first), or LIMIT_REACHED. */
export async function addToken(storage, t, { id, name, hash, expires }) {
  const tokens = await storage.list({ prefix: 'token:' });
  const expired = [...tokens].filter(([, v]) => v.expires <= t).map(([k]) => k);
  await deleteKeys(storage, expired);
  if (tokens.size - expired.length >= LIMITS.tokens) {
    throw new ApiError('LIMIT_REACHED', `At most ${LIMITS.tokens} update tokens: delete one first.`);
  }
  await storage.put(`token:${id}`, { name, hash, created: t, expires, lastUsed: null });
}

/** The tokens as listed (never their values). */
export async function listTokens(storage, t) {
  const tokens = await storage.list({ prefix: 'token:' });
  return [...tokens]
    .map(([k, v]) => ({
      id: k.slice('token:'.length),
      name: v.name,
      created: v.created,
      expiresAt: v.expires,
      expired: v.expires <= t,
      lastUsed: v.lastUsed,
    }))
    .sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
}

export async function deleteToken(storage, id) {
  if (!(await storage.get(`token:${id}`))) throw new ApiError('NOT_FOUND', 'No update token has that id.');
  await storage.delete(`token:${id}`);
}

/** The update endpoint: the token alone authenticates, 2FA or not. */
export async function useToken(storage, username, id, secret, t) {
  const hash = await sha256Hex(secret);
  // commit
  const got = await storage.get(['account', `token:${id}`]);
  const tok = got.get(`token:${id}`);
  const account = got.get('account');
  if (!account || account.username !== username || !tok || !constantTimeEqual(tok.hash, hash) || tok.expires <= t) {
    throw new ApiError('UNAUTHENTICATED', 'The update token is not valid (wrong, deleted or expired).');
  }
  await storage.put(`token:${id}`, { ...tok, lastUsed: t });
  return { username, token: { id, name: tok.name }, at: t };
}
