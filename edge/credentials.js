// The bearer credentials the service hands out, and their check in the worker.
//
//   session cookie   <b64url(username)>.<32 random bytes>.<mac>
//   login ticket     <b64url(username)>.<32 random bytes>.<mac>
//   device cookie    <b64url(username)>.<device id>.<mac>
//   update token     <b64url(username)>.<token id>.<32 random bytes>.<mac>
//
// The username routes the request to the user's object without any index; the MAC (crypto.js,
// under macKey, bound to the kind) lets the worker refuse a forged or altered credential before
// any Durable Object is reached, so forgeries cost no storage. The object still stores only the
// SHA-256 of the random part and decides whether the credential is live.

import { b64urlToText, constantTimeEqual, textToB64url } from './crypto.js';
import { normaliseUsername } from './validate.js';

/** How many dot-separated parts between the username and the MAC each kind has. */
const PARTS = Object.freeze({ session: 1, ticket: 1, device: 1, token: 2 });

/**
 * A credential of `kind` for `username` with the given middle parts, MAC appended.
 * @param {import('./crypto.js').ServerKeys} keys
 * @returns {Promise<string>}
 */
export async function issueCredential(keys, kind, username, parts) {
  const text = [textToB64url(username), ...parts].join('.');
  return `${text}.${await keys.mac(kind, text)}`;
}

/**
 * The username and middle parts of a credential of `kind`, or null when it is malformed, not
 * canonical or its MAC is wrong. Does no I/O besides the HMAC.
 * @returns {Promise<{ username: string, rest: string[] } | null>}
 */
export async function checkCredential(keys, kind, value) {
  if (typeof value !== 'string' || value.length > 700) return null;
  const pieces = value.split('.');
  if (pieces.length !== PARTS[kind] + 2) return null;
  if (pieces.slice(1).some((p) => !/^[A-Za-z0-9_-]{8,64}$/.test(p))) return null;
  const username = b64urlToText(pieces[0]);
  if (username === null) return null;
  try {
    // Only canonical names: anything else was not issued by this service.
    if (normaliseUsername(username) !== username || textToB64url(username) !== pieces[0]) return null;
  } catch {
    return null;
  }
  const mac = pieces.pop();
  if (!constantTimeEqual(mac, await keys.mac(kind, pieces.join('.')))) return null;
  return { username, rest: pieces.slice(1) };
}
