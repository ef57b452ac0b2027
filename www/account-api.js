// The edge service's JSON API (edge/README.md), as the account page calls it: one function per
// route, JSON in and out, the session in its HttpOnly cookie (never visible here). Every
// refusal becomes an ApiError carrying the service's stable `code` and its details (`field`,
// `attemptsLeft`, `ticketAttemptsLeft`, `retryAt`); account-messages.js turns it into words.

/** A refusal of the service (or no answer at all: code NETWORK, status 0). */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the request did not complete
   * @param {{ code?: string, message?: string, field?: string, attemptsLeft?: number,
   *   ticketAttemptsLeft?: number, retryAt?: number, lock?: 'code' | 'password' }} error the
   *   body's `error` object
   */
  constructor(status, error = {}) {
    super(error.message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = error.code ?? (status === 0 ? 'NETWORK' : 'INTERNAL');
    this.field = error.field;
    this.attemptsLeft = error.attemptsLeft;
    this.ticketAttemptsLeft = error.ticketAttemptsLeft;
    this.retryAt = error.retryAt;
    /** For LOCKED: which lock applies, 'code', 'password' or 'address'. */
    this.lock = error.lock;
  }
}

/**
 * One request. State-changing requests send JSON (the service refuses anything else) from this
 * origin (the browser adds Origin and Sec-Fetch-Site, which the service checks).
 * @param {'GET' | 'POST' | 'PATCH' | 'DELETE'} method
 * @param {string} path
 * @param {object} [body]
 */
async function call(method, path, body) {
  /** @type {RequestInit} */
  const init = { method, credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { code: 'NETWORK', message: 'The service did not answer.' });
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    // not JSON (a proxy's error page): the status decides below
  }
  if (!response.ok) {
    const err = new ApiError(response.status, data?.error ?? {});
    // Sensitive changes may ask for a fresh second factor: account-stepup.js asks the person,
    // then the same request is sent once more.
    if (err.code === 'STEP_UP_REQUIRED' && stepUpHandler && (await stepUpHandler())) return call(method, path, body);
    throw err;
  }
  return data;
}

/** @type {(() => Promise<boolean>) | null} */
let stepUpHandler = null;

/** What answers STEP_UP_REQUIRED: resolves true once the session is stepped up, false if not. */
export function onStepUpRequired(handler) {
  stepUpHandler = handler;
}

const id = (value) => encodeURIComponent(String(value));

/** Each route of the API (edge/README.md, "The JSON API"). */
export const api = {
  signup: (username, password) => call('POST', '/api/signup', { username, password }),
  /** `{ status: 'signed_in' }` or `{ status: 'two_factor_required', ticket, expiresAt, attempts }` */
  login: (username, password, code) => call('POST', '/api/login', code === undefined ? { username, password } : { username, password, code }),
  /** `{ loginForm: 'one-form' | 'two-step' }`: served by the worker, not part of the API */
  siteConfig: () => call('GET', '/site-config.json'),
  securityLog: () => call('GET', '/api/security-log'),
  verifyCode: (ticket, code) => call('POST', '/api/login/verify', { ticket, code }),
  verifyBackupCode: (ticket, recoveryCode) => call('POST', '/api/login/verify', { ticket, recoveryCode }),
  /** A phone clock that is off (or a key fob pressed ahead): two consecutive codes sign in. */
  resyncLogin: (ticket, codes) => call('POST', '/api/login/resync', { ticket, codes }),
  logout: () => call('POST', '/api/logout', {}),
  profile: () => call('GET', '/api/profile'),
  /** @param {'totp' | 'hotp'} [type] */
  startEnrollment: (type = 'totp') => call('POST', '/api/2fa/enroll', type === 'hotp' ? { type } : {}),
  /** @param {{ code: string, password: string, name?: string, removalCode?: boolean }} body */
  confirmEnrollment: (body) => call('POST', '/api/2fa/enroll/confirm', body),
  renameAuthenticator: (authenticatorId, name) => call('PATCH', `/api/2fa/authenticators/${id(authenticatorId)}`, { name }),
  removeAuthenticator: (authenticatorId, password) =>
    call('DELETE', `/api/2fa/authenticators/${id(authenticatorId)}`, { password }),
  regenerateBackupCodes: (password, removalCode) =>
    call('POST', '/api/2fa/recovery-codes', removalCode ? { password, removalCode: true } : { password }),
  disable: (password) => call('POST', '/api/2fa/disable', { password }),
  /** The IONOS case: no session, the 16-digit removal code turns 2FA off. */
  removeWithRecoveryCode: (username, password, removalCode) =>
    call('POST', '/api/2fa/remove', { username, password, removalCode }),
  /** `{ password, code }`, `{ password, recoveryCode }`, or `{ password }` with 2FA off */
  stepUp: (body) => call('POST', '/api/session/step-up', body),
  listSessions: () => call('GET', '/api/sessions'),
  endSession: (sessionId) => call('DELETE', `/api/sessions/${id(sessionId)}`, {}),
  endOtherSessions: () => call('POST', '/api/sessions/revoke-others', {}),
  changePassword: (password, newPassword) => call('POST', '/api/password', { password, newPassword }),
  deleteAccount: (password) => call('DELETE', '/api/account', { password }),
  listTokens: () => call('GET', '/api/tokens'),
  createToken: (name, expiresInDays) => call('POST', '/api/tokens', { name, expiresInDays }),
  deleteToken: (tokenId) => call('DELETE', `/api/tokens/${id(tokenId)}`, {}),
};
