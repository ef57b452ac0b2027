// The JSON API under /api/: the route table, the request rules (same origin and JSON for
// state-changing requests, bounded bodies, exact shapes) and the translation between HTTP and
// the User Durable Object's methods. Each user's requests go to the object named by the
// normalised username (idFromName); session cookies, login tickets, device cookies and update
// tokens carry base64url(username) and a MAC (credentials.js), so the worker finds the object
// without any index and refuses forgeries before any object is reached. Requests that name a
// user by a typed username (sign-up, login, the removal code) ask that user's Directory shard
// first (directory.js): an unknown name reaches no user object and gets the same answer, after
// the same PBKDF2, as a wrong password. Attempts without a device cookie are also limited per
// client address where the deployment has a trusted one (address-limit.js).
//
// Logged: one line per request, `METHOD /route/pattern STATUS` - never a path, query, header
// or body (they carry usernames, codes, tokens).

import {
  ApiError,
  apiErrorFrom,
  checkSameOrigin,
  discardBody,
  errorResponse,
  getCookie,
  isStateChanging,
  json,
  readJsonBody,
  setCookie,
} from './http.js';
import { ServerKeys, passwordAttempt } from './crypto.js';
import { checkCredential, issueCredential } from './credentials.js';
import { directoryOf } from './directory.js';
import { wrongPassword } from './password-check.js';
import { LIMITS, clientAddress, lifetimes, now } from './settings.js';
import {
  boundedCode,
  invalid,
  normaliseName,
  normaliseOtp,
  normaliseUsername,
  pathId,
  shape,
} from './validate.js';
import { normalisePassword } from './passwords.js';

const SESSION_COOKIE = 'session';
const DEVICE_COOKIE = 'device';

/**
 * The routes: [method, pattern, handler, options]. `:id` is a path parameter. `bearer` routes
 * are authenticated by an Authorization header (update clients), not by a cookie, so the
 * same-origin and JSON rules do not apply to them.
 */
const ROUTES = [
  ['POST', '/api/signup', signup],
  ['POST', '/api/login', login],
  ['POST', '/api/login/verify', loginVerify],
  ['POST', '/api/login/resync', loginResync],
  ['POST', '/api/logout', logout],
  ['GET', '/api/profile', profile],
  ['GET', '/api/security-log', securityLog],
  ['POST', '/api/session/step-up', stepUp],
  ['GET', '/api/sessions', listSessions],
  ['POST', '/api/sessions/revoke-others', revokeOtherSessions],
  ['DELETE', '/api/sessions/:id', deleteSession],
  ['POST', '/api/password', changePassword],
  ['DELETE', '/api/account', deleteAccount],
  ['POST', '/api/2fa/enroll', enrollStart],
  ['POST', '/api/2fa/enroll/confirm', enrollConfirm],
  ['PATCH', '/api/2fa/authenticators/:id', renameAuthenticator],
  ['DELETE', '/api/2fa/authenticators/:id', removeAuthenticator],
  ['POST', '/api/2fa/authenticators/:id/resync', resyncAuthenticator],
  ['POST', '/api/2fa/recovery-codes', regenerateRecoveryCodes],
  ['POST', '/api/2fa/disable', disableTwoFactor],
  ['POST', '/api/2fa/remove', removeWithRemovalCode],
  ['GET', '/api/tokens', listTokens],
  ['POST', '/api/tokens', createToken],
  ['DELETE', '/api/tokens/:id', deleteToken],
  ['GET', '/api/update', update, { bearer: true }],
  ['POST', '/api/update', update, { bearer: true }],
].map(([method, pattern, handler, options = {}]) => ({
  method,
  pattern,
  parts: pattern.split('/').slice(2),
  handler,
  ...options,
}));

/**
 * Answers a request under /api/.
 * @param {Request} request
 * @param {object} env
 * @param {string[]} segments decoded path segments after "api"
 */
export async function handleApi(request, env, segments) {
  const method = request.method;
  let route = null;
  let params = null;
  const allowed = [];
  for (const r of ROUTES) {
    const p = match(r.parts, segments);
    if (!p) continue;
    allowed.push(r.method);
    if (r.method === method) {
      route = r;
      params = p;
    }
  }
  let response;
  try {
    if (!route && allowed.length === 0) throw new ApiError('NOT_FOUND', 'No such API endpoint.');
    if (!route) {
      const allow = [...new Set(allowed)].join(', ');
      response = errorResponse(new ApiError('METHOD_NOT_ALLOWED', `Use ${allow}.`), { Allow: allow });
    } else {
      ServerKeys.from(env); // SERVER_MISCONFIGURED before anything else
      let body = {};
      if (route.bearer) await discardBody(request);
      else if (isStateChanging(method)) {
        checkSameOrigin(request);
        body = await readJsonBody(request);
      }
      response = await route.handler({ request, env, params, body });
    }
  } catch (e) {
    response = errorResponse(e instanceof ApiError ? e : new ApiError('INTERNAL', 'Internal error.'));
  }
  console.log(`${method} ${route ? route.pattern : '/api/*'} ${response.status}`);
  return response;
}

function match(parts, segments) {
  if (parts.length !== segments.length) return null;
  const params = {};
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].startsWith(':')) params[parts[i].slice(1)] = segments[i];
    else if (parts[i] !== segments[i]) return null;
  }
  return params;
}

// ---- plumbing ---------------------------------------------------------------------------------

/** The user's Durable Object. */
function userObject(env, username) {
  return env.USERS.get(env.USERS.idFromName(username));
}

/** Calls a method of a user's object; its { ok: false, error } becomes a thrown ApiError. */
async function call(env, username, method, args) {
  const r = await userObject(env, username)[method]({ username, ...args });
  if (!r.ok) throw apiErrorFrom(r.error);
  return r.value;
}

function unauthenticated() {
  return new ApiError('UNAUTHENTICATED', 'Sign in first.');
}

/** The session of the request's cookie (MAC checked here), or UNAUTHENTICATED. */
async function sessionOf(request, env) {
  const c = await checkCredential(ServerKeys.from(env), 'session', getCookie(request, SESSION_COOKIE));
  if (!c) throw unauthenticated();
  return { username: c.username, session: c.rest[0], device: await deviceOf(request, env, c.username) };
}

/** The device id of the request's device cookie if it is genuine and names `username`. */
async function deviceOf(request, env, username) {
  const c = await checkCredential(ServerKeys.from(env), 'device', getCookie(request, DEVICE_COOKIE));
  return c && c.username === username ? c.rest[0] : null;
}

function isHttps(request) {
  return new URL(request.url).protocol === 'https:';
}

/**
 * The JSON answer of a user object's value: `_device` (a fresh or renewed device record)
 * becomes the device cookie; `cookies` come first (the session cookie of a sign-in, or its
 * deletion).
 */
async function respond(request, env, username, status, value, cookies = []) {
  const { _device, ...body } = value;
  const res = json(status, body);
  for (const c of cookies) res.headers.append('Set-Cookie', c);
  if (_device) {
    const device = await issueCredential(ServerKeys.from(env), 'device', username, [_device]);
    res.headers.append('Set-Cookie', setCookie(DEVICE_COOKIE, device, lifetimes(env).device, isHttps(request)));
  }
  return res;
}

function clearCookie(request, name) {
  return setCookie(name, '', 0, isHttps(request));
}

/** The answer that signs a person in: the session and device cookies and what they record. */
async function signedIn(request, env, username, r, status = 200) {
  const value = await issueCredential(ServerKeys.from(env), 'session', username, [r.session]);
  const maxAge = Math.max(0, r.expiresAt - now());
  const body = { status: 'signed_in', username, authenticatedWith: r.method, expiresAt: r.expiresAt };
  if (r.recoveryCodesRemaining !== undefined) body.recoveryCodesRemaining = r.recoveryCodesRemaining;
  if (r.notice) body.notice = r.notice; // a support reset, or its hold cancelled (user.js)
  const cookie = setCookie(SESSION_COOKIE, value, maxAge, isHttps(request));
  return respond(request, env, username, status, { ...body, _device: r._device }, [cookie]);
}

/**
 * The per-address limit of `kind` (attempts without a device cookie, sign-ups): off unless the
 * deployment has a trusted client address. LOCKED names no account, so it says nothing about
 * which exist.
 */
async function limitAddress(request, env, kind) {
  const address = clientAddress(request, env);
  if (address === null) return;
  const limit = kind === 'signup' ? LIMITS.addressSignups : LIMITS.addressAttempts;
  const stub = env.ADDRESS_LIMITS.get(env.ADDRESS_LIMITS.idFromName(`addr:${address}`));
  const r = await stub.hit(kind, limit, LIMITS.addressWindow, now());
  if (!r.ok) {
    throw new ApiError('LOCKED', 'Too many attempts from this network: try again later.', { retryAt: r.retryAt, lock: 'address' });
  }
}

/**
 * The start of every request that names a user by a typed username and checks a password:
 * the address limit (unless the browser has a genuine device cookie of that user), then the directory. An
 * unknown name runs the same PBKDF2 as a known one and gets the same WRONG_PASSWORD, and no
 * user object is reached.
 */
async function knownUser(request, env, username, password) {
  const device = await deviceOf(request, env, username);
  // Only a device cookie of *this* user exempts: an attacker's own cookie must not let them
  // spray other accounts past the address limit.
  if (device === null) await limitAddress(request, env, 'attempt');
  if (!(await (await directoryOf(env, username)).exists(username))) {
    await passwordAttempt(password, undefined);
    throw wrongPassword();
  }
  return device;
}

// ---- handlers ---------------------------------------------------------------------------------

/** POST /api/signup { username, password } -> 201, signed in */
async function signup({ request, env, body }) {
  shape(body, { username: 'string', password: 'string' });
  const username = normaliseUsername(body.username);
  const password = normalisePassword(body.password, { isNew: true });
  await limitAddress(request, env, 'signup');
  await (await directoryOf(env, username)).add(username, now());
  const r = await call(env, username, 'signup', { password });
  return signedIn(request, env, username, r, 201);
}

/**
 * POST /api/login { username, password, code?, recoveryCode? } -> signed in, or a ticket for
 * the second factor. With a code (the one-form login): ignored while 2FA is off; checked, after
 * the password, and counted like one at /api/login/verify while it is on.
 */
async function login({ request, env, body }) {
  shape(body, { username: 'string', password: 'string', code: 'string?', recoveryCode: 'string?' });
  const username = normaliseUsername(body.username);
  const password = normalisePassword(body.password);
  const second = secondFactorArgs(body, false);
  const device = await knownUser(request, env, username, password);
  const oneForm = second.code !== undefined || second.recoveryCode !== undefined;
  const r = await call(env, username, oneForm ? 'loginOneForm' : 'login', { password, device, ...second });
  if (r.ticket) {
    return json(200, {
      status: 'two_factor_required',
      ticket: await issueCredential(ServerKeys.from(env), 'ticket', username, [r.ticket]),
      expiresAt: r.expiresAt,
      attempts: r.attempts,
      methods: ['otp', 'recovery'],
    });
  }
  return signedIn(request, env, username, r);
}

/** Refuses both, or (when `required`) neither, of `code` and `recoveryCode`. */
function oneSecondFactor(body, required = true) {
  const none = body.code === undefined && body.recoveryCode === undefined;
  if ((body.code !== undefined && body.recoveryCode !== undefined) || (required && none)) {
    throw invalid(null, 'Send exactly one of "code" (from the authenticator app) and "recoveryCode" (a backup code).');
  }
}

/** `code` or `recoveryCode`, normalised (login and step-up). */
function secondFactorArgs(body, required = true) {
  oneSecondFactor(body, required);
  if (body.code !== undefined) return { code: normaliseOtp(body.code) };
  if (body.recoveryCode !== undefined) return { recoveryCode: boundedCode(body.recoveryCode, 'recoveryCode') };
  return {};
}

/** POST /api/login/verify { ticket, code } or { ticket, recoveryCode } -> signed in */
async function loginVerify({ request, env, body }) {
  shape(body, { ticket: 'string', code: 'string?', recoveryCode: 'string?' });
  oneSecondFactor(body);
  const t = await checkCredential(ServerKeys.from(env), 'ticket', body.ticket);
  if (!t) throw new ApiError('TICKET_EXPIRED', 'This sign-in has expired: enter your password again.');
  const args = secondFactorArgs(body);
  const r = await call(env, t.username, 'loginVerify', { ticket: t.rest[0], ...args });
  return signedIn(request, env, t.username, r);
}

/** `codes`: two codes shown one after the other by the same authenticator, first then second. */
function twoCodes(codes) {
  if (!Array.isArray(codes) || codes.length !== 2 || codes.some((c) => typeof c !== 'string')) {
    throw invalid('codes', '"codes" must be two codes, [first, second], shown one after the other by your authenticator.');
  }
  return [normaliseOtp(codes[0], 'codes'), normaliseOtp(codes[1], 'codes')];
}

/**
 * POST /api/login/resync { ticket, codes: [first, second] } -> signed in. For a phone whose
 * clock is off (or an HOTP counter run ahead): a failure counts like a wrong code.
 */
async function loginResync({ request, env, body }) {
  shape(body, { ticket: 'string', codes: 'object' });
  const codes = twoCodes(body.codes);
  const t = await checkCredential(ServerKeys.from(env), 'ticket', body.ticket);
  if (!t) throw new ApiError('TICKET_EXPIRED', 'This sign-in has expired: enter your password again.');
  const r = await call(env, t.username, 'loginResync', { ticket: t.rest[0], codes });
  return signedIn(request, env, t.username, r);
}

/** POST /api/logout {} -> the session is deleted and the cookie cleared (also when absent) */
async function logout({ request, env, body }) {
  shape(body, {});
  const c = await checkCredential(ServerKeys.from(env), 'session', getCookie(request, SESSION_COOKIE));
  if (c) await call(env, c.username, 'logout', { session: c.rest[0] });
  return json(200, { status: 'signed_out' }, { 'Set-Cookie': setCookie(SESSION_COOKIE, '', 0, isHttps(request)) });
}

/** GET /api/profile -> account, 2FA on/off, authenticators, recovery codes left, session */
async function profile({ request, env }) {
  const s = await sessionOf(request, env);
  return json(200, await call(env, s.username, 'profile', s));
}

/** GET /api/security-log -> the user's security log (edge/security-log.js: events, chain, MAC) */
async function securityLog({ request, env }) {
  const s = await sessionOf(request, env);
  return json(200, await call(env, s.username, 'securityLog', s));
}

/**
 * POST /api/session/step-up { password, code } or { password, recoveryCode } (2FA on), or
 * { password } (2FA off) -> { stepUpUntil }: sensitive changes are allowed until then.
 */
async function stepUp({ request, env, body }) {
  shape(body, { password: 'string', code: 'string?', recoveryCode: 'string?' });
  const s = await sessionOf(request, env);
  const args = { ...s, password: normalisePassword(body.password), ...secondFactorArgs(body, false) };
  return json(200, await call(env, s.username, 'stepUp', args));
}

/** GET /api/sessions -> { sessions: [{ id, created, method, lastSeen, expiresAt, current }] } */
async function listSessions({ request, env }) {
  const s = await sessionOf(request, env);
  return json(200, await call(env, s.username, 'listSessions', s));
}

/** DELETE /api/sessions/:id -> that session signed out (this one too: the cookie is cleared) */
async function deleteSession({ request, env, params, body }) {
  shape(body, {});
  const s = await sessionOf(request, env);
  if (!/^[A-Za-z0-9_-]{12}$/.test(params.id)) throw new ApiError('NOT_FOUND', 'No session has that id.');
  const r = await call(env, s.username, 'deleteSession', { ...s, id: params.id });
  return respond(request, env, s.username, 200, { status: 'signed_out' }, r.current ? [clearCookie(request, SESSION_COOKIE)] : []);
}

/** POST /api/sessions/revoke-others {} -> every other session (and browser) signed out */
async function revokeOtherSessions({ request, env, body }) {
  shape(body, {});
  const s = await sessionOf(request, env);
  await call(env, s.username, 'revokeOtherSessions', s);
  return json(200, { status: 'signed_out_elsewhere' });
}

/** POST /api/password { password, newPassword } (under step-up) -> changed; others signed out */
async function changePassword({ request, env, body }) {
  shape(body, { password: 'string', newPassword: 'string' });
  const s = await sessionOf(request, env);
  const password = normalisePassword(body.password);
  const newPassword = normalisePassword(body.newPassword, { isNew: true, field: 'newPassword' });
  const r = await call(env, s.username, 'changePassword', { ...s, password, newPassword });
  return respond(request, env, s.username, 200, r);
}

/** DELETE /api/account { password } (under step-up) -> every record of the user is gone */
async function deleteAccount({ request, env, body }) {
  shape(body, { password: 'string' });
  const s = await sessionOf(request, env);
  const r = await call(env, s.username, 'deleteAccount', { ...s, password: normalisePassword(body.password) });
  await (await directoryOf(env, s.username)).release(s.username);
  return respond(request, env, s.username, 200, r, [clearCookie(request, SESSION_COOKIE), clearCookie(request, DEVICE_COOKIE)]);
}

/**
 * POST /api/2fa/enroll { type? } -> otpauth URI and manual-entry fields; expires in 5 minutes.
 * `type`: "totp" (time based, the default) or "hotp" (counter based).
 */
async function enrollStart({ request, env, body }) {
  shape(body, { type: 'string?' });
  if (body.type !== undefined && body.type !== 'totp' && body.type !== 'hotp') {
    throw invalid('type', '"type" must be "totp" or "hotp".');
  }
  const s = await sessionOf(request, env);
  return json(200, await call(env, s.username, 'enrollStart', { ...s, type: body.type ?? 'totp' }));
}

/**
 * POST /api/2fa/enroll/confirm { code, password, name?, removalCode? } -> the authenticator;
 * with the first one, the ten recovery codes (and the removal code if asked), shown once, and
 * the update tokens that already exist (they keep working; the page offers to revoke them).
 */
async function enrollConfirm({ request, env, body }) {
  shape(body, { code: 'string', password: 'string', name: 'string?', removalCode: 'boolean?' });
  const s = await sessionOf(request, env);
  const r = await call(env, s.username, 'enrollConfirm', {
    ...s,
    code: normaliseOtp(body.code),
    password: normalisePassword(body.password),
    name: body.name === undefined ? 'Authenticator' : normaliseName(body.name),
    removalCode: body.removalCode === true,
  });
  return respond(request, env, s.username, 200, r);
}

function authenticatorId(params) {
  const id = pathId(params.id);
  if (id === null) throw new ApiError('NOT_FOUND', 'No authenticator has that id.');
  return id;
}

/** PATCH /api/2fa/authenticators/:id { name } -> renamed */
async function renameAuthenticator({ request, env, params, body }) {
  shape(body, { name: 'string' });
  const s = await sessionOf(request, env);
  const id = authenticatorId(params);
  const name = normaliseName(body.name);
  return json(200, await call(env, s.username, 'renameAuthenticator', { ...s, id, name }));
}

/** DELETE /api/2fa/authenticators/:id { password } -> removed; the last one turns 2FA off */
async function removeAuthenticator({ request, env, params, body }) {
  shape(body, { password: 'string' });
  const s = await sessionOf(request, env);
  const id = authenticatorId(params);
  const password = normalisePassword(body.password);
  return respond(request, env, s.username, 200, await call(env, s.username, 'removeAuthenticator', { ...s, id, password }));
}

/** POST /api/2fa/authenticators/:id/resync { codes: [first, second] } (under step-up) -> repaired */
async function resyncAuthenticator({ request, env, params, body }) {
  shape(body, { codes: 'object' });
  const s = await sessionOf(request, env);
  const id = authenticatorId(params);
  const codes = twoCodes(body.codes);
  return json(200, await call(env, s.username, 'resyncAuthenticator', { ...s, id, codes }));
}

/** POST /api/2fa/recovery-codes { password, removalCode? } -> a new set; the old one is dead */
async function regenerateRecoveryCodes({ request, env, body }) {
  shape(body, { password: 'string', removalCode: 'boolean?' });
  const s = await sessionOf(request, env);
  const password = normalisePassword(body.password);
  const r = await call(env, s.username, 'regenerateRecoveryCodes', { ...s, password, removalCode: body.removalCode === true });
  return respond(request, env, s.username, 200, r);
}

/** POST /api/2fa/disable { password } -> 2FA off; a later enrollment gets a new secret */
async function disableTwoFactor({ request, env, body }) {
  shape(body, { password: 'string' });
  const s = await sessionOf(request, env);
  const password = normalisePassword(body.password);
  return respond(request, env, s.username, 200, await call(env, s.username, 'disableTwoFactor', { ...s, password }));
}

/** POST /api/2fa/remove { username, password, removalCode } -> 2FA off, without a session */
async function removeWithRemovalCode({ request, env, body }) {
  shape(body, { username: 'string', password: 'string', removalCode: 'string' });
  const username = normaliseUsername(body.username);
  const password = normalisePassword(body.password);
  const removalCode = boundedCode(body.removalCode, 'removalCode');
  const device = await knownUser(request, env, username, password);
  return json(200, await call(env, username, 'removeWithRemovalCode', { password, removalCode, device }));
}

/** GET /api/tokens -> the update tokens (never their values) */
async function listTokens({ request, env }) {
  const s = await sessionOf(request, env);
  return json(200, await call(env, s.username, 'listTokens', s));
}

/** POST /api/tokens { name, expiresInDays } (under step-up) -> 201 with the token, shown once */
async function createToken({ request, env, body }) {
  shape(body, { name: 'string', expiresInDays: 'integer' });
  const s = await sessionOf(request, env);
  const name = normaliseName(body.name);
  if (body.expiresInDays < 1 || body.expiresInDays > LIMITS.tokenDays) {
    throw invalid('expiresInDays', `"expiresInDays" must be 1 to ${LIMITS.tokenDays}.`);
  }
  const { secret, ...r } = await call(env, s.username, 'createToken', { ...s, name, expiresInDays: body.expiresInDays });
  const token = await issueCredential(ServerKeys.from(env), 'token', s.username, [r.id, secret]);
  return json(201, { id: r.id, name: r.name, token, created: r.created, expiresAt: r.expiresAt });
}

/** DELETE /api/tokens/:id -> deleted */
async function deleteToken({ request, env, params, body }) {
  shape(body, {});
  const s = await sessionOf(request, env);
  if (!/^[A-Za-z0-9_-]{12}$/.test(params.id)) throw new ApiError('NOT_FOUND', 'No update token has that id.');
  await call(env, s.username, 'deleteToken', { ...s, id: params.id });
  return json(200, { status: 'deleted' });
}

/**
 * GET or POST /api/update with `Authorization: Bearer <token>`: what a dynamic-DNS update
 * client calls. The token alone authenticates it, whether 2FA is on or not.
 */
async function update({ request, env }) {
  const header = request.headers.get('Authorization') ?? '';
  const m = /^Bearer ([^\s]+)$/i.exec(header.trim());
  const c = m && (await checkCredential(ServerKeys.from(env), 'token', m[1]));
  const www = { 'WWW-Authenticate': 'Bearer realm="update"' };
  if (!c || !/^[A-Za-z0-9_-]{12}$/.test(c.rest[0])) {
    return errorResponse(new ApiError('UNAUTHENTICATED', 'Send "Authorization: Bearer <update token>".'), www);
  }
  try {
    const r = await call(env, c.username, 'update', { id: c.rest[0], secret: c.rest[1] });
    return json(200, { status: 'updated', ...r });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') return errorResponse(e, www);
    throw e;
  }
}
