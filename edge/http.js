// HTTP plumbing of the JSON API: typed errors and their statuses, JSON responses, bounded
// request bodies, the same-origin and JSON content-type rules for state-changing requests, and
// cookies. Nothing here knows about accounts or codes.

import { securityHeaders } from './headers.js';

/** The largest request body the API reads (bytes). Bigger ones are refused unread: 413. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Every error code the API answers with, and its HTTP status. The codes are stable (clients
 * switch on them); messages are for people and may change. INVALID_ARGUMENT and INVALID_STATE
 * are the package's OtpError codes with the same meaning.
 */
export const ERROR_STATUS = Object.freeze({
  INVALID_ARGUMENT: 400,
  NOT_JSON: 400, // 415 when the Content-Type is wrong; 400 when the body is not JSON
  CODE_TYPO: 400,
  UNAUTHENTICATED: 401,
  WRONG_PASSWORD: 401,
  INVALID_CODE: 401,
  CODE_REPLAYED: 401,
  TICKET_EXPIRED: 401,
  CROSS_ORIGIN: 403,
  STEP_UP_REQUIRED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  USERNAME_TAKEN: 409,
  ENROLLMENT_EXPIRED: 409,
  TWO_FACTOR_OFF: 409,
  LIMIT_REACHED: 409,
  CONFLICT: 409,
  BODY_TOO_LARGE: 413,
  LOCKED: 429,
  INVALID_STATE: 500,
  SERVER_MISCONFIGURED: 500,
  INTERNAL: 500,
});

/**
 * An error the API reports as `{ "error": { "code", "message", ...details } }`. `details` are
 * extra fields a client can act on (retryAt, attemptsLeft, field), never secrets or input echoes.
 */
export class ApiError extends Error {
  /**
   * @param {keyof typeof ERROR_STATUS} code
   * @param {string} message
   * @param {Record<string, unknown>} [details]
   * @param {number} [status] overrides the code's usual status (NOT_JSON: 415)
   */
  constructor(code, message, details = {}, status = ERROR_STATUS[code] ?? 500) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
    this.status = status;
  }

  /** The plain object that crosses the Durable Object RPC boundary and becomes the body. */
  toJSON() {
    return { code: this.code, message: this.message, ...this.details, status: this.status };
  }
}

/** A plain `{ code, message, …, status }` (from a Durable Object) back into an ApiError. */
export function apiErrorFrom(plain) {
  const { code, message, status, ...details } = plain;
  return new ApiError(code, message, details, status);
}

/** A JSON response with the security headers and `Cache-Control: no-store`. */
export function json(status, body, extraHeaders = {}) {
  const headers = securityHeaders(
    new Headers({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      ...extraHeaders,
    }),
  );
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers });
}

/** The error response of an ApiError. */
export function errorResponse(err, extraHeaders = {}) {
  const { status, ...error } = err.toJSON();
  const headers = { ...extraHeaders };
  if (err.code === 'LOCKED' && typeof err.details.retryAt === 'number') {
    headers['Retry-After'] = String(Math.max(1, err.details.retryAt - Math.floor(Date.now() / 1000)));
  }
  return json(status, { error }, headers);
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Whether the method changes state (and so must be same-origin and, with a body, JSON). */
export function isStateChanging(method) {
  return STATE_CHANGING.has(method);
}

/**
 * Refuses cross-site requests. Browsers send `Origin` on every non-GET fetch and
 * `Sec-Fetch-Site` on every request; a request with neither comes from a non-browser client,
 * which cannot carry a victim's cookies. `Origin: null` (sandboxed frames, some redirects) is
 * refused.
 * @param {Request} request
 */
export function checkSameOrigin(request) {
  const site = request.headers.get('Sec-Fetch-Site');
  if (site !== null && site !== 'same-origin' && site !== 'none') {
    throw new ApiError('CROSS_ORIGIN', 'Cross-site requests are refused: call the API from its own origin.');
  }
  const origin = request.headers.get('Origin');
  if (origin !== null && origin !== new URL(request.url).origin) {
    throw new ApiError('CROSS_ORIGIN', 'Cross-origin requests are refused: call the API from its own origin.');
  }
}

/**
 * Reads a JSON object body: at most MAX_BODY_BYTES, `Content-Type: application/json` (an
 * optional `charset=utf-8`), valid UTF-8, an object at the top. An empty body is `{}`. A DELETE
 * without a body needs no Content-Type.
 * @param {Request} request
 * @returns {Promise<Record<string, unknown>>}
 */
export async function readJsonBody(request) {
  const length = request.headers.get('Content-Length');
  if (length !== null && !(Number(length) <= MAX_BODY_BYTES)) {
    await request.body?.cancel();
    throw tooLarge();
  }
  const bytes = await readBounded(request.body);
  if (request.method === 'DELETE' && bytes.byteLength === 0 && !request.headers.has('Content-Type')) {
    return {};
  }
  if (!isJsonType(request.headers.get('Content-Type'))) {
    throw new ApiError(
      'NOT_JSON',
      'Send a JSON object with "Content-Type: application/json".',
      {},
      415,
    );
  }
  if (bytes.byteLength === 0) return {};
  let value;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ApiError('NOT_JSON', 'The body is not valid JSON in UTF-8.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError('INVALID_ARGUMENT', 'The body must be a JSON object.');
  }
  return value;
}

/** Drains a request body (bounded), for endpoints that ignore it. */
export async function discardBody(request) {
  const length = request.headers.get('Content-Length');
  if (length !== null && !(Number(length) <= MAX_BODY_BYTES)) {
    await request.body?.cancel();
    throw tooLarge();
  }
  await readBounded(request.body);
}

function tooLarge() {
  return new ApiError('BODY_TOO_LARGE', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
}

function isJsonType(value) {
  if (value === null) return false;
  const [type, ...params] = value.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => p === '' || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

/** The body's bytes, refusing (and cancelling) a stream longer than MAX_BODY_BYTES. */
async function readBounded(stream) {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The value of one cookie, or null. */
export function getCookie(request, name) {
  const header = request.headers.get('Cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * A `Set-Cookie` value: HttpOnly, SameSite=Strict, scoped to /api, Secure over https.
 * @param {string} name
 * @param {string} value cookie-safe text (base64url and dots)
 * @param {number} maxAge seconds; 0 deletes the cookie
 * @param {boolean} secure
 */
export function setCookie(name, value, maxAge, secure) {
  const parts = [`${name}=${value}`, 'Path=/api', `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Strict'];
  if (maxAge > 0) parts.push(`Expires=${new Date(Date.now() + maxAge * 1000).toUTCString()}`);
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
