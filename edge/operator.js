// The operator (support) API: what a support person may do to an account after checking who
// its owner is, outside any user session.
//
//   GET  /api/operator/users/:user                 2FA status (never a secret)    [?reason=…]
//   POST /api/operator/users/:user/reset-2fa       { reason, delaySeconds? }
//   POST /api/operator/users/:user/unlock          { reason }
//   GET  /api/operator/users/:user/security-log    the user's log export           [?reason=…]
//
// `:user` is base64url(username) (no padding), because usernames may hold `/`, `\` or a
// leading `.`, which a path segment cannot carry. Authentication is `Authorization: Bearer
// <token>` only, checked against `operatorTokens: { "<id>": "<sha256 hex of the token>" }` in
// TOTP_WASM_KEYS (the server never holds a raw token), every entry compared in constant time.
// A request with any Cookie is refused (a browser carrying a user's session is never an
// operator tool), so is a missing or wrong credential. It is a bearer API: no same-origin rule
// (a browser cannot send the Authorization header cross-site without a CORS preflight, and
// CORS stays off: no Access-Control-* header is ever sent, OPTIONS is 405). Logged as
// `METHOD /route STATUS` only: the path holds the username, the body the reason.
//
// Throttle: every request passes the OperatorGuard (edge/operator-guard.js) once: missing and
// wrong credentials are counted per client address, 5 free, then 60 s doubling to 1 h;
// during a lock even a right token is refused unchecked (429), so guessing gains nothing. The
// counters live in OPERATOR_GUARD_SHARDS fixed Durable Objects (address hashed to a shard, one
// record per address inside): a stranger cannot create objects without bound (16 files at
// most), one shard is not a global bottleneck, and per-address records mean one noisy address
// does not lock support out elsewhere. Without a trusted client address (plain workerd) every
// request counts as the one address "unknown".
//
// Reset hold: `delaySeconds` schedules the reset instead of doing it; the minimum comes from
// the OPERATOR_MIN_RESET_DELAY binding (seconds; unset: DEFAULT_MIN_RESET_DELAY, 24 h; the
// demo sets 0) and an operator cannot ask for less (400), so a rogue operator cannot skip it.
//
// Wiring: worker.js sends /api/operator/… here (before handleApi) with a directory lookup,
// and exports OperatorGuard; config.capnp binds OPERATOR_GUARD and takes
// OPERATOR_MIN_RESET_DELAY from the environment (`cargo xtask demo` sets 0; wrangler.toml
// 86400). The User object (user.js) has the four RPC methods, `{ username, operator, reason? }`
// in, `{ ok, value | error }` out:
//   operatorStatus      -> the 2FA status and locks, appends 'operator-lookup'
//   operatorReset       -> { delaySeconds }: 0 -> 2FA off, every session, ticket, device
//                          record and update token revoked, 'operator-reset', '2fa-disabled'
//                          { via: 'support' }, 'sessions-revoked'/'tokens-revoked' { cause:
//                          'support' } and the notice for the next sign-in; > 0 -> the plan
//                          stored, setAlarm(due), 'operator-reset-scheduled'; a sign-in with a
//                          second factor before `due` deletes the plan, appends
//                          'operator-reset-cancelled' and tells that sign-in; alarm() carries it out
//   operatorUnlock      -> clears the password locks (account and browsers), 'operator-unlock'
//                          (code locks live in the package's state, which has no unlock yet)
//   operatorSecurityLog -> appends 'operator-log-read', then exportLog
// An unknown username answers NOT_FOUND without creating the object's storage.

import { b64urlToText } from './crypto.js';
import { ApiError, apiErrorFrom, errorResponse, json, readJsonBody } from './http.js';
import { isPlainText } from './security-log.js';
import { hex, sha256 } from './sha256.js';
import { normaliseUsername, shape } from './validate.js';

/** Wrong or missing credentials per client address: 5 free, then 60 s doubling to 1 h. */
export const OPERATOR_THROTTLE = Object.freeze({ freeFailures: 5, baseLockout: 60, maxLockout: 3600 });
export const OPERATOR_GUARD_SHARDS = 16;
/** The minimum reset hold when OPERATOR_MIN_RESET_DELAY is unset. */
export const DEFAULT_MIN_RESET_DELAY = 24 * 3600;
/** The longest hold an operator may ask for. */
export const MAX_RESET_DELAY = 30 * 24 * 3600;
export const REASON_MAX = 500;

const ROUTES = [
  ['GET', '/api/operator/users/:user', 'operatorStatus'],
  ['POST', '/api/operator/users/:user/reset-2fa', 'operatorReset'],
  ['POST', '/api/operator/users/:user/unlock', 'operatorUnlock'],
  ['GET', '/api/operator/users/:user/security-log', 'operatorSecurityLog'],
].map(([method, pattern, rpc]) => ({ method, pattern, rpc, parts: pattern.split('/').slice(2) }));

/**
 * The route of a request under /api/: `{ route, user }` with `user` still encoded, or an
 * ApiError (NOT_FOUND, METHOD_NOT_ALLOWED with `allow`).
 * @param {string} method
 * @param {string[]} segments after "api": ['operator', 'users', '<b64url>', …]
 */
export function matchOperatorRoute(method, segments) {
  const allowed = [];
  for (const r of ROUTES) {
    if (r.parts.length !== segments.length) continue;
    if (!r.parts.every((p, i) => p.startsWith(':') || p === segments[i])) continue;
    if (r.method === method) return { route: r, user: segments[r.parts.indexOf(':user')] };
    allowed.push(r.method);
  }
  if (allowed.length === 0) return { error: new ApiError('NOT_FOUND', 'No such operator endpoint.') };
  const allow = [...new Set(allowed)].join(', ');
  return { error: new ApiError('METHOD_NOT_ALLOWED', `Use ${allow}.`), allow };
}

/** `:user` (base64url of the username, any case of it) as the canonical username. */
export function decodeUserParam(segment) {
  const text = typeof segment === 'string' ? b64urlToText(segment) : null;
  if (text === null) throw new ApiError('INVALID_ARGUMENT', ':user must be the base64url of a username.', { field: 'user' });
  return normaliseUsername(text, 'user');
}

/** The username as `:user` (what the operator tool sends). */
export function encodeUserParam(username) {
  const bytes = new TextEncoder().encode(username);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** An operator's reason: 1-500 characters of text on one line. */
export function checkReason(value, { optional = false } = {}) {
  if (value === undefined && optional) return undefined;
  if (!isPlainText(value, REASON_MAX)) {
    throw new ApiError('INVALID_ARGUMENT', `"reason" is required: 1 to ${REASON_MAX} characters on one line.`, { field: 'reason' });
  }
  return value;
}

/** The configured minimum reset hold (seconds), or SERVER_MISCONFIGURED when it is not one. */
export function minimumResetDelay(env) {
  const text = env.OPERATOR_MIN_RESET_DELAY;
  if (text === undefined || text === null || text === '') return DEFAULT_MIN_RESET_DELAY;
  const n = Number(text);
  if (!/^\d{1,8}$/.test(String(text)) || n > MAX_RESET_DELAY) {
    throw new ApiError('SERVER_MISCONFIGURED', 'OPERATOR_MIN_RESET_DELAY must be whole seconds up to 30 days.');
  }
  return n;
}

/** The hold of a reset: `delaySeconds` if given (never below the minimum), else the minimum. */
export function resetDelay(delaySeconds, minimum) {
  if (delaySeconds === undefined) return minimum;
  if (!Number.isSafeInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_RESET_DELAY) {
    throw new ApiError('INVALID_ARGUMENT', `"delaySeconds" must be 0 to ${MAX_RESET_DELAY}.`, { field: 'delaySeconds' });
  }
  if (delaySeconds < minimum) {
    throw new ApiError('INVALID_ARGUMENT', `This service holds every reset at least ${minimum} s.`, {
      field: 'delaySeconds',
      minimumDelaySeconds: minimum,
    });
  }
  return delaySeconds;
}

/**
 * The operator tokens of TOTP_WASM_KEYS as [id, sha256 hex] pairs; none when absent (the
 * operator API then refuses everyone). Malformed entries are a misconfiguration.
 */
export function operatorTokens(env) {
  let parsed;
  try {
    parsed = JSON.parse(env.TOTP_WASM_KEYS ?? 'null');
  } catch {
    throw new ApiError('SERVER_MISCONFIGURED', 'The server keys are invalid: TOTP_WASM_KEYS is not JSON.');
  }
  const tokens = parsed?.operatorTokens;
  if (tokens === undefined || tokens === null) return [];
  if (typeof tokens !== 'object' || Array.isArray(tokens)) {
    throw new ApiError('SERVER_MISCONFIGURED', 'The server keys are invalid: operatorTokens must be an object.');
  }
  return Object.entries(tokens).map(([id, hash]) => {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id) || typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) {
      throw new ApiError('SERVER_MISCONFIGURED', 'The server keys are invalid: operatorTokens maps 1-32 of [A-Za-z0-9_-] to 64 lowercase hex digits.');
    }
    return [id, hash];
  });
}

/**
 * The operator id whose token this Authorization header carries, or null. Every entry is
 * compared, in time that depends only on the number of entries.
 * @param {string | null} header
 * @param {[string, string][]} tokens
 */
export function operatorOf(header, tokens) {
  const m = /^Bearer ([A-Za-z0-9_-]{32,128})$/.exec((header ?? '').trim());
  if (!m) return null;
  const hash = hex(sha256(m[1]));
  let found = null;
  for (const [id, want] of tokens) {
    let diff = 0;
    for (let i = 0; i < 64; i++) diff |= hash.charCodeAt(i) ^ want.charCodeAt(i);
    if (diff === 0) found = id;
  }
  return found;
}

/**
 * One step of the throttle: the record after an attempt at `now` and whether it may go on.
 * During a lock nothing is checked or counted (`allowed: false`, `locked: true`).
 * @param {{ failures: number, lockedUntil: number } | undefined} record
 * @param {boolean} ok whether the credential was right
 */
export function throttleStep(record, now, ok, policy = OPERATOR_THROTTLE) {
  const r = record ?? { failures: 0, lockedUntil: 0 };
  if (r.lockedUntil > now) return { record: r, allowed: false, locked: true, retryAt: r.lockedUntil };
  if (ok) return { record: null, allowed: true, locked: false };
  const failures = r.failures + 1;
  const over = failures - policy.freeFailures;
  const lockedUntil = over > 0 ? now + Math.min(policy.maxLockout, policy.baseLockout * 2 ** Math.min(over - 1, 30)) : 0;
  return { record: { failures, lockedUntil, last: now }, allowed: false, locked: false };
}

/** The shard (0..OPERATOR_GUARD_SHARDS-1) of a client address: FNV-1a of its text. */
export function shardOf(address) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(address)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h % OPERATOR_GUARD_SHARDS;
}

/**
 * The client address, only from a source that can be trusted: CF-Connecting-IP behind
 * Cloudflare (TRUST_CF_CONNECTING_IP = "true"), or, in tests, the header that
 * TOTP_WASM_TEST_CLIENT_IP_HEADER names. Otherwise "unknown" (plain workerd: no such source).
 * (#10 brings the service's own rule; use it here once it lands.)
 */
export function operatorClientAddress(request, env) {
  const header = env.TRUST_CF_CONNECTING_IP === 'true' ? 'CF-Connecting-IP' : env.TOTP_WASM_TEST_CLIENT_IP_HEADER;
  const value = typeof header === 'string' && header !== '' ? request.headers.get(header) : null;
  return value && /^[0-9A-Fa-f:.]{2,45}$/.test(value) ? value : 'unknown';
}

/**
 * Answers a request under /api/operator/.
 * @param {Request} request
 * @param {{ USERS: DurableObjectNamespace, OPERATOR_GUARD: DurableObjectNamespace }} env
 * @param {string[]} segments decoded path segments after "api"
 * @param {{ exists: (username: string) => Promise<boolean> }} directory which names have an
 *   account (worker.js passes edge/directory.js; this module stays importable in Node tests)
 */
export async function handleOperator(request, env, segments, directory) {
  const found = matchOperatorRoute(request.method, segments);
  let response;
  try {
    if (found.error) throw found.error;
    const operator = await authenticate(request, env);
    response = await act(request, env, found, operator, directory);
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError('INTERNAL', 'Internal error.');
    response = errorResponse(err, found.allow ? { Allow: found.allow } : {});
  }
  console.log(`${request.method} ${found.route ? found.route.pattern : '/api/operator/*'} ${response.status}`);
  return response;
}

/** The operator id, or a refusal; one OperatorGuard call per request. */
async function authenticate(request, env) {
  if (request.headers.has('Cookie')) {
    throw new ApiError('UNAUTHENTICATED', 'The operator API takes an operator token, never a cookie: send no cookies.', {}, 403);
  }
  const tokens = operatorTokens(env);
  const operator = operatorOf(request.headers.get('Authorization'), tokens);
  const address = operatorClientAddress(request, env);
  const guard = env.OPERATOR_GUARD.get(env.OPERATOR_GUARD.idFromName(`shard-${shardOf(address)}`));
  const r = await guard.attempt({ address, ok: operator !== null });
  if (r.locked) throw new ApiError('LOCKED', 'Too many wrong operator credentials from here: try again later.', { retryAt: r.retryAt });
  if (!r.allowed) throw new ApiError('UNAUTHENTICATED', 'Send "Authorization: Bearer <operator token>".');
  return operator;
}

/** The request's action on the user's object. */
async function act(request, env, { route, user }, operator, directory) {
  const username = decodeUserParam(user);
  const args = { username, operator };
  if (request.method === 'POST') {
    const body = await readJsonBody(request);
    if (route.rpc === 'operatorReset') {
      shape(body, { reason: 'string', delaySeconds: 'integer?' });
      args.delaySeconds = resetDelay(body.delaySeconds, minimumResetDelay(env));
    } else {
      shape(body, { reason: 'string' });
    }
    args.reason = checkReason(body.reason);
  } else {
    const query = new URL(request.url).searchParams;
    const reason = query.get('reason') ?? undefined;
    if ([...query.keys()].some((k) => k !== 'reason')) {
      throw new ApiError('INVALID_ARGUMENT', 'The only query parameter is "reason".', { field: 'reason' });
    }
    const checked = checkReason(reason, { optional: true });
    if (checked !== undefined) args.reason = checked;
  }
  // An unknown name reaches no user object: workerd would create its storage (directory.js).
  if (!(await directory.exists(username))) throw new ApiError('NOT_FOUND', 'No account has that username.');
  const r = await env.USERS.get(env.USERS.idFromName(username))[route.rpc](args);
  if (!r.ok) throw apiErrorFrom(r.error);
  return json(r.value?.status === 'scheduled' ? 202 : 200, r.value);
}
