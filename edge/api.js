// The JSON API under /api/: the route table, the request rules (same origin and JSON for
// state-changing requests, bounded bodies, exact shapes) and the translation between HTTP and
// the User Durable Object's methods. Each user's requests go to the object named by the
// normalised username (idFromName); session cookies, login tickets and update tokens carry
// base64url(username) before their random part, so the worker finds the object without any
// index, and the object stores only the SHA-256 of the random part.
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
import { ServerKeys, b64urlToText, textToB64url } from './crypto.js';
import { LIMITS } from './settings.js';
import {
  boundedCode,
  invalid,
  normaliseName,
  normaliseOtp,
  normalisePassword,
  normaliseUsername,
  pathId,
  shape,
} from './validate.js';

const SESSION_COOKIE = 'session';

/**
 * The routes: [method, pattern, handler, options]. `:id` is a path parameter. `bearer` routes
 * are authenticated by an Authorization header (update clients), not by a cookie, so the
 * same-origin and JSON rules do not apply to them.
 */
const ROUTES = [
  ['POST', '/api/signup', signup],
  ['POST', '/api/login', login],
  ['POST', '/api/login/verify', loginVerify],
  ['POST', '/api/logout', logout],
  ['GET', '/api/profile', profile],
  ['POST', '/api/2fa/enroll', enrollStart],
  ['POST', '/api/2fa/enroll/confirm', enrollConfirm],
  ['PATCH', '/api/2fa/authenticators/:id', renameAuthenticator],
  ['DELETE', '/api/2fa/authenticators/:id', removeAuthenticator],
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

/** `<base64url(username)>.<rest>`, the shape of cookies, tickets and tokens. */
function splitCredential(value, parts) {
  if (typeof value !== 'string' || value.length > 600) return null;
  const pieces = value.split('.');
  if (pieces.length !== parts || pieces.slice(1).some((p) => !/^[A-Za-z0-9_-]{8,64}$/.test(p))) return null;
  const username = b64urlToText(pieces[0]);
  if (username === null) return null;
  try {
    // Only canonical names: anything else was not issued by this service.
    if (normaliseUsername(username) !== username) return null;
  } catch {
    return null;
  }
  return { username, rest: pieces.slice(1) };
}

/** The session of the request's cookie, or UNAUTHENTICATED. */
function sessionOf(request) {
  const c = splitCredential(getCookie(request, SESSION_COOKIE), 2);
  if (!c) throw new ApiError('UNAUTHENTICATED', 'Sign in first.');
  return { username: c.username, session: c.rest[0] };
}

function isHttps(request) {
  return new URL(request.url).protocol === 'https:';
}

/** The answer that signs a person in: the session cookie and what it records. */
function signedIn(request, username, r, status = 200) {
  const value = `${textToB64url(username)}.${r.session}`;
  const maxAge = Math.max(0, r.expiresAt - Math.floor(Date.now() / 1000));
  const body = { status: 'signed_in', username, authenticatedWith: r.method, expiresAt: r.expiresAt };
  if (r.recoveryCodesRemaining !== undefined) body.recoveryCodesRemaining = r.recoveryCodesRemaining;
  return json(status, body, { 'Set-Cookie': setCookie(SESSION_COOKIE, value, maxAge, isHttps(request)) });
}

// ---- handlers ---------------------------------------------------------------------------------

/** POST /api/signup { username, password } -> 201, signed in */
async function signup({ request, env, body }) {
  shape(body, { username: 'string', password: 'string' });
  const username = normaliseUsername(body.username);
  const password = normalisePassword(body.password, { isNew: true });
  const r = await call(env, username, 'signup', { password });
  return signedIn(request, username, r, 201);
}

/** POST /api/login { username, password } -> signed in, or a ticket for the second factor */
async function login({ request, env, body }) {
  shape(body, { username: 'string', password: 'string' });
  const username = normaliseUsername(body.username);
  const password = normalisePassword(body.password);
  const r = await call(env, username, 'login', { password });
  if (r.ticket) {
    return json(200, {
      status: 'two_factor_required',
      ticket: `${textToB64url(username)}.${r.ticket}`,
      expiresAt: r.expiresAt,
      attempts: r.attempts,
      methods: ['otp', 'recovery'],
    });
  }
  return signedIn(request, username, r);
}

/** POST /api/login/verify { ticket, code } or { ticket, recoveryCode } -> signed in */
async function loginVerify({ request, env, body }) {
  shape(body, { ticket: 'string', code: 'string?', recoveryCode: 'string?' });
  if ((body.code === undefined) === (body.recoveryCode === undefined)) {
    throw invalid(null, 'Send exactly one of "code" (from the authenticator app) and "recoveryCode" (a backup code).');
  }
  const t = splitCredential(body.ticket, 2);
  if (!t) throw new ApiError('TICKET_EXPIRED', 'This sign-in has expired: enter your password again.');
  const args = { ticket: t.rest[0] };
  if (body.code !== undefined) args.code = normaliseOtp(body.code);
  else args.recoveryCode = boundedCode(body.recoveryCode, 'recoveryCode');
  const r = await call(env, t.username, 'loginVerify', args);
  return signedIn(request, t.username, r);
}

/** POST /api/logout {} -> the session is deleted and the cookie cleared (also when absent) */
async function logout({ request, env, body }) {
  shape(body, {});
  let s = null;
  try {
    s = sessionOf(request);
  } catch {
    // already signed out
  }
  if (s) await call(env, s.username, 'logout', { session: s.session });
  return json(200, { status: 'signed_out' }, { 'Set-Cookie': setCookie(SESSION_COOKIE, '', 0, isHttps(request)) });
}

/** GET /api/profile -> account, 2FA on/off, authenticators, recovery codes left, session */
async function profile({ request, env }) {
  const s = sessionOf(request);
  return json(200, await call(env, s.username, 'profile', { session: s.session }));
}

/** POST /api/2fa/enroll {} -> otpauth URI and manual-entry fields; expires in 5 minutes */
async function enrollStart({ request, env, body }) {
  shape(body, {});
  const s = sessionOf(request);
  return json(200, await call(env, s.username, 'enrollStart', { session: s.session }));
}

/**
 * POST /api/2fa/enroll/confirm { code, password, name?, removalCode? } -> the authenticator;
 * with the first one, the ten recovery codes (and the removal code if asked), shown once.
 */
async function enrollConfirm({ request, env, body }) {
  shape(body, { code: 'string', password: 'string', name: 'string?', removalCode: 'boolean?' });
  const s = sessionOf(request);
  const r = await call(env, s.username, 'enrollConfirm', {
    session: s.session,
    code: normaliseOtp(body.code),
    password: normalisePassword(body.password),
    name: body.name === undefined ? 'Authenticator' : normaliseName(body.name),
    removalCode: body.removalCode === true,
  });
  return json(200, r);
}

function authenticatorId(params) {
  const id = pathId(params.id);
  if (id === null) throw new ApiError('NOT_FOUND', 'No authenticator has that id.');
  return id;
}

/** PATCH /api/2fa/authenticators/:id { name } -> renamed */
async function renameAuthenticator({ request, env, params, body }) {
  shape(body, { name: 'string' });
  const s = sessionOf(request);
  const id = authenticatorId(params);
  const name = normaliseName(body.name);
  return json(200, await call(env, s.username, 'renameAuthenticator', { session: s.session, id, name }));
}

/** DELETE /api/2fa/authenticators/:id { password } -> removed; the last one turns 2FA off */
async function removeAuthenticator({ request, env, params, body }) {
  shape(body, { password: 'string' });
  const s = sessionOf(request);
  const id = authenticatorId(params);
  const password = normalisePassword(body.password);
  return json(200, await call(env, s.username, 'removeAuthenticator', { session: s.session, id, password }));
}

/** POST /api/2fa/recovery-codes { password, removalCode? } -> a new set; the old one is dead */
async function regenerateRecoveryCodes({ request, env, body }) {
  shape(body, { password: 'string', removalCode: 'boolean?' });
  const s = sessionOf(request);
  const password = normalisePassword(body.password);
  return json(
    200,
    await call(env, s.username, 'regenerateRecoveryCodes', {
      session: s.session,
      password,
      removalCode: body.removalCode === true,
    }),
  );
}

/** POST /api/2fa/disable { password } -> 2FA off; a later enrollment gets a new secret */
async function disableTwoFactor({ request, env, body }) {
  shape(body, { password: 'string' });
  const s = sessionOf(request);
  const password = normalisePassword(body.password);
  return json(200, await call(env, s.username, 'disableTwoFactor', { session: s.session, password }));
}

/** POST /api/2fa/remove { username, password, removalCode } -> 2FA off, without a session */
async function removeWithRemovalCode({ env, body }) {
  shape(body, { username: 'string', password: 'string', removalCode: 'string' });
  const username = normaliseUsername(body.username);
  const password = normalisePassword(body.password);
  const removalCode = boundedCode(body.removalCode, 'removalCode');
  return json(200, await call(env, username, 'removeWithRemovalCode', { password, removalCode }));
}

/** GET /api/tokens -> the update tokens (never their values) */
async function listTokens({ request, env }) {
  const s = sessionOf(request);
  return json(200, await call(env, s.username, 'listTokens', { session: s.session }));
}

/** POST /api/tokens { name, expiresInDays } -> 201 with the token, shown once */
async function createToken({ request, env, body }) {
  shape(body, { name: 'string', expiresInDays: 'integer' });
  const s = sessionOf(request);
  const name = normaliseName(body.name);
  if (body.expiresInDays < 1 || body.expiresInDays > LIMITS.tokenDays) {
    throw invalid('expiresInDays', `"expiresInDays" must be 1 to ${LIMITS.tokenDays}.`);
  }
  const r = await call(env, s.username, 'createToken', { session: s.session, name, expiresInDays: body.expiresInDays });
  return json(201, r);
}

/** DELETE /api/tokens/:id -> deleted */
async function deleteToken({ request, env, params, body }) {
  shape(body, {});
  const s = sessionOf(request);
  if (!/^[A-Za-z0-9_-]{12}$/.test(params.id)) throw new ApiError('NOT_FOUND', 'No update token has that id.');
  await call(env, s.username, 'deleteToken', { session: s.session, id: params.id });
  return json(200, { status: 'deleted' });
}

/**
 * GET or POST /api/update with `Authorization: Bearer <token>`: what a dynamic-DNS update
 * client calls. The token alone authenticates it, whether 2FA is on or not.
 */
async function update({ request, env }) {
  const header = request.headers.get('Authorization') ?? '';
  const m = /^Bearer ([^\s]+)$/i.exec(header.trim());
  const c = m && splitCredential(m[1], 3);
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
