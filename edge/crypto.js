// Server-side cryptography with WebCrypto: the server keys from the TOTP_WASM_KEYS secret
// binding, AES-GCM for TOTP secrets at rest (with the key id stored next to the ciphertext, so
// keys can rotate), PBKDF2-SHA-256 for passwords, SHA-256 for bearer values (sessions, tickets,
// update tokens), random tokens and base64url.
//
// Every function that returns a promise is an await on something other than storage: inside a
// Durable Object it opens the input gate. user.js calls them before its read-verify-write
// sections, never inside one.

import { ApiError } from './http.js';

/** workerd and Cloudflare cap PBKDF2 at 100,000 iterations. */
export const PBKDF2_ITERATIONS = 100_000;

const encoder = new TextEncoder();

/**
 * The server keys, parsed from the JSON text of the TOTP_WASM_KEYS binding:
 *
 *   { "encryptionKeys": { "<id>": "<64 hex>", … }, "currentEncryptionKey": "<id>",
 *     "recoveryKey": "<64 hex>", "macKey": "<64 hex>" }
 *
 * New secrets are encrypted under `currentEncryptionKey`; older ids stay to decrypt what was
 * stored under them (and are re-encrypted under the current key at the next login).
 * `recoveryKey` is the package's serverKey for recovery-code hashes.
 */
export class ServerKeys {
  /** @type {Map<string, string>} text of the binding -> parsed keys */
  static #cache = new Map();

  /** The keys of an environment, or SERVER_MISCONFIGURED. */
  static from(env) {
    const text = env.TOTP_WASM_KEYS;
    if (typeof text !== 'string' || text === '') {
      throw new ApiError('SERVER_MISCONFIGURED', 'The server has no keys (TOTP_WASM_KEYS is not set).');
    }
    let keys = ServerKeys.#cache.get(text);
    if (!keys) {
      keys = new ServerKeys(text);
      ServerKeys.#cache.clear(); // one environment per isolate; rotation replaces it
      ServerKeys.#cache.set(text, keys);
    }
    return keys;
  }

  constructor(text) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw misconfigured('TOTP_WASM_KEYS is not JSON');
    }
    const { encryptionKeys, currentEncryptionKey, recoveryKey, macKey } = parsed ?? {};
    if (!encryptionKeys || typeof encryptionKeys !== 'object') throw misconfigured('encryptionKeys is missing');
    /** @type {Map<string, Uint8Array>} */
    this.raw = new Map();
    for (const [id, hex] of Object.entries(encryptionKeys)) {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw misconfigured('a key id is not 1-32 of [A-Za-z0-9_-]');
      this.raw.set(id, keyBytes(hex, `encryption key ${id}`));
    }
    if (!this.raw.has(currentEncryptionKey)) throw misconfigured('currentEncryptionKey names no key');
    this.current = currentEncryptionKey;
    this.recoveryKey = keyBytes(recoveryKey, 'recoveryKey');
    // Signs sessions, tickets, update tokens and device cookies (checked in the worker before
    // any Durable Object is reached). Keys written before it existed lack it: the demo adds it.
    this.macRaw = keyBytes(macKey, 'macKey');
    /** @type {Promise<CryptoKey> | null} */
    this.hmac = null;
    /** @type {Map<string, Promise<CryptoKey>>} */
    this.aes = new Map();
  }

  /**
   * The MAC of a credential: HMAC-SHA-256 under macKey of `kind` and the credential's text,
   * the first 16 bytes as base64url (22 characters). `kind` keeps a session from passing as
   * a ticket or a device cookie.
   * @returns {Promise<string>}
   */
  async mac(kind, text) {
    this.hmac ??= crypto.subtle.importKey('raw', this.macRaw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const sig = await crypto.subtle.sign('HMAC', await this.hmac, encoder.encode(`totp-wasm:${kind}:${text}`));
    return b64url(new Uint8Array(sig).slice(0, 16));
  }

  /** @returns {Promise<CryptoKey>} */
  aesKey(id) {
    let key = this.aes.get(id);
    if (!key) {
      const raw = this.raw.get(id);
      if (!raw) throw new ApiError('SERVER_MISCONFIGURED', 'A stored secret uses a key the server no longer has.');
      key = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
      this.aes.set(id, key);
    }
    return key;
  }

  /**
   * Encrypts a TOTP secret under the current key. The additional data binds the ciphertext to
   * its user, so a ciphertext copied into another account does not decrypt.
   * @returns {Promise<{ kid: string, iv: string, ct: string }>}
   */
  async encrypt(plaintext, username) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: aad(username) },
      await this.aesKey(this.current),
      encoder.encode(plaintext),
    );
    return { kid: this.current, iv: b64url(iv), ct: b64url(new Uint8Array(ct)) };
  }

  /** @returns {Promise<string>} */
  async decrypt(box, username) {
    const key = await this.aesKey(box.kid);
    let pt;
    try {
      pt = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromB64url(box.iv), additionalData: aad(username) },
        key,
        fromB64url(box.ct),
      );
    } catch {
      // The key under that id is not the one that encrypted it (or the record was altered).
      throw new ApiError('SERVER_MISCONFIGURED', 'A stored secret does not decrypt with the configured key of its id.');
    }
    return new TextDecoder().decode(pt);
  }
}

function aad(username) {
  return encoder.encode(`totp-wasm:secret:${username}`);
}

function misconfigured(why) {
  return new ApiError('SERVER_MISCONFIGURED', `The server keys are invalid: ${why}.`);
}

function keyBytes(hex, what) {
  if (typeof hex !== 'string' || !/^([0-9a-fA-F]{2}){32}$/.test(hex)) {
    throw misconfigured(`${what} must be 64 hex digits (32 bytes)`);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * PBKDF2-SHA-256 of a password.
 * @param {string} password normalised
 * @param {Uint8Array} salt
 * @returns {Promise<Uint8Array>} 32 bytes
 */
export async function pbkdf2(password, salt, iterations = PBKDF2_ITERATIONS) {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

/** A new password record: `{ iterations, salt, hash }` (base64url). */
export async function hashPassword(password) {
  const salt = randomBytes(16);
  const hash = await pbkdf2(password, salt);
  return { iterations: PBKDF2_ITERATIONS, salt: b64url(salt), hash: b64url(hash) };
}

/**
 * The hash of a password attempt under a stored record's parameters (or a dummy record for
 * unknown users, so that both take the same time).
 * @returns {Promise<string>} base64url
 */
export async function passwordAttempt(password, record) {
  const salt = record ? fromB64url(record.salt) : new Uint8Array(16);
  return b64url(await pbkdf2(password, salt, record?.iterations ?? PBKDF2_ITERATIONS));
}

/** SHA-256 as lowercase hex: how sessions, tickets and update tokens are stored. */
export async function sha256Hex(text) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A new bearer value (32 random bytes, base64url) with its stored hash. */
export async function newBearer() {
  const secret = b64url(randomBytes(32));
  return { secret, hash: await sha256Hex(secret) };
}

export function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function b64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function fromB64url(text) {
  const s = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** UTF-8 text as base64url (usernames in cookies and tokens). */
export function textToB64url(text) {
  return b64url(encoder.encode(text));
}

/** base64url back to UTF-8 text, or null when it is not valid base64url of valid UTF-8. */
export function b64urlToText(value) {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(value)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(fromB64url(value));
  } catch {
    return null;
  }
}
