// The User Durable Object: one per username (idFromName of the normalised name). It holds the
// account, the 2FA state of the package, the encrypted TOTP secrets, sessions, login tickets and
// update tokens, and decides every request of that user.
//
// Atomicity. A Durable Object's input gate delivers no other event while the object awaits
// storage, but it does while it awaits anything else - WebCrypto included. So every method has
// two phases:
//   1. prepare: everything that awaits WebCrypto (PBKDF2 of the password, AES-GCM decryption of
//      the secrets, hashing bearer values, encrypting a new secret). Reads made here are only
//      hints; another request of the same user may run meanwhile.
//   2. commit: read what the decision needs, decide (synchronous wasm: verifyCode,
//      useRecoveryCode, ...), write. Only storage is awaited between the read and the write, so
//      no other request of this user can interleave: a code is accepted once, a recovery code is
//      used once, a lock is never bypassed. Where the decision uses data decrypted in phase 1,
//      the commit checks that the ciphertexts it read are still the ones that were decrypted and
//      starts over otherwise.
// Writes are not awaited separately: the output gate holds the response until they are on disk,
// so an answer the client sees is never lost by a crash.
//
// Storage keys:
//   account            { username, created, password: { iterations, salt, hash }, pwFailures, pwLockedUntil }
//   tfa                { state, secrets: { [factorId]: box }, pending: { box, expires } | null }
//                      box = { kid, iv, ct }: AES-GCM under server key `kid`
//   session:<sha256>   { created, expires, method: 'password' | 'otp' | 'recovery' }
//   ticket:<sha256>    { created, expires, attemptsLeft }
//   token:<id>         { name, hash: sha256, created, expires, lastUsed }

import { DurableObject } from 'cloudflare:workers';
import {
  OtpError,
  confirmEnrollment,
  describeState,
  disableTwoFactor,
  generateRecoveryCodes,
  newState,
  removeFactor,
  renameFactor,
  startEnrollment,
  useRecoveryCode,
  useRemovalCode,
  verifyCode,
} from 'totp-wasm/verifier';
import {
  ServerKeys,
  b64url,
  constantTimeEqual,
  hashPassword,
  newBearer,
  passwordAttempt,
  randomBytes,
  sha256Hex,
  textToB64url,
} from './crypto.js';
import { ApiError } from './http.js';
import { LIMITS, PASSWORD_THROTTLE, issuer, lifetimes, now } from './settings.js';

/** How many times a commit starts over when the secrets changed during its prepare phase. */
const COMMIT_TRIES = 3;

export class User extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.storage = ctx.storage;
    this.life = lifetimes(env);
  }

  // ---- RPC methods (called by api.js through the namespace stub) -------------------------
  // Each returns { ok: true, value } or { ok: false, error: { code, message, ..., status } }.

  signup(a) { return this.#run('signup', () => this.#signup(a)); }
  login(a) { return this.#run('login', () => this.#login(a)); }
  loginVerify(a) { return this.#run('loginVerify', () => this.#loginVerify(a)); }
  logout(a) { return this.#run('logout', () => this.#logout(a)); }
  profile(a) { return this.#run('profile', () => this.#profile(a)); }
  enrollStart(a) { return this.#run('enrollStart', () => this.#enrollStart(a)); }
  enrollConfirm(a) { return this.#run('enrollConfirm', () => this.#enrollConfirm(a)); }
  renameAuthenticator(a) { return this.#run('renameAuthenticator', () => this.#renameAuthenticator(a)); }
  removeAuthenticator(a) { return this.#run('removeAuthenticator', () => this.#removeAuthenticator(a)); }
  regenerateRecoveryCodes(a) { return this.#run('regenerateRecoveryCodes', () => this.#regenerate(a)); }
  disableTwoFactor(a) { return this.#run('disableTwoFactor', () => this.#disable(a)); }
  removeWithRemovalCode(a) { return this.#run('removeWithRemovalCode', () => this.#removeWithCode(a)); }
  createToken(a) { return this.#run('createToken', () => this.#createToken(a)); }
  listTokens(a) { return this.#run('listTokens', () => this.#listTokens(a)); }
  deleteToken(a) { return this.#run('deleteToken', () => this.#deleteToken(a)); }
  update(a) { return this.#run('update', () => this.#update(a)); }

  async #run(name, fn) {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      if (e instanceof ApiError) return { ok: false, error: e.toJSON() };
      if (e instanceof OtpError && e.code === 'INVALID_STATE') {
        const err = new ApiError('INVALID_STATE', 'The stored 2FA state of this account is damaged; it was not reset.');
        return { ok: false, error: err.toJSON() };
      }
      // Name and code only: a message could quote input.
      console.error(`User.${name}: unexpected ${e?.name ?? typeof e}${e?.code ? ` ${e.code}` : ''}`);
      return { ok: false, error: new ApiError('INTERNAL', 'Internal error.').toJSON() };
    }
  }

  // ---- accounts and sessions --------------------------------------------------------------

  async #signup({ username, password }) {
    const t = now();
    const record = await hashPassword(password);
    const session = await newBearer();
    // commit
    if (await this.storage.get('account')) {
      throw new ApiError('USERNAME_TAKEN', 'That username is taken: choose another one.');
    }
    const expires = t + this.life.session;
    await this.storage.put({
      account: { username, created: t, password: record, pwFailures: 0, pwLockedUntil: 0 },
      tfa: { state: newState(), secrets: {}, pending: null },
      [`session:${session.hash}`]: { created: t, expires, method: 'password' },
    });
    return { session: session.secret, expiresAt: expires, method: 'password' };
  }

  async #login({ username, password }) {
    const t = now();
    const attempt = await this.#passwordAttempt(password, t);
    const bearer = await newBearer();
    // commit
    const got = await this.storage.get(['account', 'tfa']);
    const account = this.#checkAccount(got.get('account'), username);
    await this.#judgePassword(account, attempt, t);
    if (describeState(got.get('tfa').state).enabled) {
      const expires = t + this.life.ticket;
      await this.#pruneAndPut('ticket:', LIMITS.tickets, t, bearer.hash, {
        created: t,
        expires,
        attemptsLeft: LIMITS.ticketAttempts,
      });
      return { ticket: bearer.secret, expiresAt: expires, attempts: LIMITS.ticketAttempts };
    }
    const expires = t + this.life.session;
    await this.#pruneAndPut('session:', LIMITS.sessions, t, bearer.hash, { created: t, expires, method: 'password' });
    return { session: bearer.secret, expiresAt: expires, method: 'password' };
  }

  async #loginVerify({ username, ticket, code, recoveryCode }) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    const ticketKey = `ticket:${await sha256Hex(ticket)}`;
    const session = await newBearer();
    for (let i = 0; i < COMMIT_TRIES; i++) {
      const seen = await this.storage.get('tfa');
      const plain = code !== undefined && seen ? await this.#decryptSecrets(seen, username, keys) : null;
      // commit
      const got = await this.storage.get(['account', 'tfa', ticketKey]);
      const tfa = got.get('tfa');
      const tk = got.get(ticketKey);
      if (!got.get('account') || !tk || tk.expires <= t || tk.attemptsLeft <= 0) {
        if (tk) await this.storage.delete(ticketKey);
        throw new ApiError('TICKET_EXPIRED', 'This sign-in has expired: enter your password again.');
      }
      if (!describeState(tfa.state).enabled) {
        await this.storage.delete(ticketKey);
        throw new ApiError('TICKET_EXPIRED', 'Two-factor authentication was turned off meanwhile: sign in again.');
      }
      // An authenticator changed between the decryption and this read: decrypt again.
      if (code !== undefined && (!plain || !sameSecrets(seen, tfa))) continue;
      const r =
        code !== undefined
          ? verifyCode(tfa.state, plain.secrets, code, { time: t })
          : useRecoveryCode(tfa.state, keys.recoveryKey, recoveryCode, { time: t });
      const next = { ...tfa, state: r.state };
      if (plain?.rotated) next.secrets = plain.rotated;
      const writes = { tfa: next };
      if (r.outcome === 'accepted') {
        const method = code !== undefined ? 'otp' : 'recovery';
        const expires = t + this.life.session;
        await this.storage.delete(ticketKey);
        await this.#pruneAndPut('session:', LIMITS.sessions, t, session.hash, { created: t, expires, method }, writes);
        const out = { session: session.secret, expiresAt: expires, method };
        if (method === 'recovery') out.recoveryCodesRemaining = r.remaining;
        return out;
      }
      if (r.outcome === 'typo') {
        await this.storage.put(writes);
        throw codeError(r);
      }
      const left = tk.attemptsLeft - 1;
      if (left > 0) writes[ticketKey] = { ...tk, attemptsLeft: left };
      else await this.storage.delete(ticketKey);
      await this.storage.put(writes);
      throw codeError(r, { ticketAttemptsLeft: left });
    }
    throw conflict();
  }

  async #logout({ session }) {
    const key = `session:${await sha256Hex(session)}`;
    await this.storage.delete(key);
    return {};
  }

  async #profile({ username, session }) {
    const t = now();
    const key = await this.#sessionKey(session);
    const got = await this.storage.get(['account', 'tfa', key]);
    const account = this.#checkAccount(got.get('account'), username, 'UNAUTHENTICATED');
    const s = await this.#checkSession(got.get(key), key, t);
    const info = describeState(got.get('tfa').state);
    const pending = got.get('tfa').pending;
    return {
      username: account.username,
      created: account.created,
      twoFactor: {
        enabled: info.enabled,
        authenticators: info.factors.map((f) => ({ id: f.id, name: f.label, added: f.created })),
        recoveryCodesRemaining: info.recoveryRemaining,
        removalCode: info.hasRemovalCode,
        lockedUntil: info.lockedUntil && info.lockedUntil > t ? info.lockedUntil : null,
        enrollmentPending: Boolean(pending && pending.expires > t),
      },
      session: { authenticatedWith: s.method, created: s.created, expiresAt: s.expires },
    };
  }

  // ---- enrollment and authenticators ------------------------------------------------------

  async #enrollStart({ username, session }) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    const key = await this.#sessionKey(session);
    const e = startEnrollment({ issuer: issuer(this.env), account: username });
    const box = await keys.encrypt(e.secret, username);
    // commit
    const got = await this.storage.get(['account', 'tfa', key]);
    this.#checkAccount(got.get('account'), username, 'UNAUTHENTICATED');
    await this.#checkSession(got.get(key), key, t);
    const tfa = got.get('tfa');
    if (describeState(tfa.state).factors.length >= LIMITS.authenticators) {
      throw new ApiError('LIMIT_REACHED', `At most ${LIMITS.authenticators} authenticators: remove one first.`);
    }
    const expires = t + this.life.enrollment;
    await this.storage.put('tfa', { ...tfa, pending: { box, expires } });
    return { uri: e.uri, account: e.account, issuer: e.issuer, key: e.key, type: e.type, expiresAt: expires };
  }

  async #enrollConfirm({ username, session, code, password, name, removalCode }) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    const key = await this.#sessionKey(session);
    const attempt = await this.#passwordAttempt(password, t);
    const seen = await this.storage.get('tfa');
    const secret = seen?.pending ? await keys.decrypt(seen.pending.box, username) : null;
    // commit
    const got = await this.storage.get(['account', 'tfa', key]);
    const account = this.#checkAccount(got.get('account'), username, 'UNAUTHENTICATED');
    await this.#checkSession(got.get(key), key, t);
    await this.#judgePassword(account, attempt, t);
    const tfa = got.get('tfa');
    const pending = tfa.pending;
    if (!pending || pending.expires <= t) {
      if (pending) await this.storage.put('tfa', { ...tfa, pending: null });
      throw new ApiError('ENROLLMENT_EXPIRED', 'No setup is waiting (it expires after 5 minutes): start again.');
    }
    if (!secret || pending.box.iv !== seen.pending.box.iv) {
      throw new ApiError('ENROLLMENT_EXPIRED', 'A newer setup replaced this one: scan the new QR code.');
    }
    const before = describeState(tfa.state);
    const r = confirmEnrollment(tfa.state, { secret, code, label: name, time: t });
    if (r.outcome !== 'accepted') {
      await this.storage.put('tfa', { ...tfa, state: r.state });
      throw new ApiError('INVALID_CODE', 'That code is not right: check the authenticator shows this account and try the current code.');
    }
    let state = r.state;
    const out = {};
    if (!before.enabled) {
      const g = generateRecoveryCodes(state, keys.recoveryKey, { removalCode: removalCode === true });
      state = g.state;
      out.recoveryCodes = g.codes;
      if (g.removalCode) out.removalCode = g.removalCode;
    }
    await this.storage.put('tfa', {
      state,
      secrets: { ...tfa.secrets, [r.factorId]: pending.box },
      pending: null,
    });
    const f = describeState(state).factors.find((x) => x.id === r.factorId);
    return { authenticator: { id: f.id, name: f.label, added: f.created }, ...out };
  }

  async #renameAuthenticator({ username, session, id, name }) {
    const t = now();
    const key = await this.#sessionKey(session);
    // commit
    const got = await this.storage.get(['account', 'tfa', key]);
    this.#checkAccount(got.get('account'), username, 'UNAUTHENTICATED');
    await this.#checkSession(got.get(key), key, t);
    const tfa = got.get('tfa');
    findFactor(tfa.state, id);
    const state = renameFactor(tfa.state, id, name);
    await this.storage.put('tfa', { ...tfa, state });
    return { authenticator: publicFactor(findFactor(state, id)) };
  }

  async #removeAuthenticator({ username, session, id, password }) {
    const t = now();
    const { tfa } = await this.#sessionAndPassword({ username, session, password }, t);
    findFactor(tfa.state, id);
    const state = removeFactor(tfa.state, id);
    const secrets = { ...tfa.secrets };
    delete secrets[id];
    await this.storage.put('tfa', { ...tfa, state, secrets });
    return { twoFactorEnabled: describeState(state).enabled };
  }

  async #regenerate({ username, session, password, removalCode }) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    const { tfa } = await this.#sessionAndPassword({ username, session, password }, t);
    if (!describeState(tfa.state).enabled) throw twoFactorOff();
    const g = generateRecoveryCodes(tfa.state, keys.recoveryKey, { removalCode: removalCode === true });
    await this.storage.put('tfa', { ...tfa, state: g.state });
    return g.removalCode ? { recoveryCodes: g.codes, removalCode: g.removalCode } : { recoveryCodes: g.codes };
  }

  async #disable({ username, session, password }) {
    const t = now();
    const { tfa } = await this.#sessionAndPassword({ username, session, password }, t);
    await this.storage.put('tfa', { state: disableTwoFactor(tfa.state), secrets: {}, pending: null });
    return { twoFactorEnabled: false };
  }

  /**
   * The start of every action that needs the session and the password: the WebCrypto work
   * first (session hash, PBKDF2), then the commit read and its checks. The caller decides and
   * writes with nothing but storage awaited after this read.
   */
  async #sessionAndPassword({ username, session, password }, t) {
    const key = await this.#sessionKey(session);
    const attempt = await this.#passwordAttempt(password, t);
    // commit
    const got = await this.storage.get(['account', 'tfa', key]);
    const account = this.#checkAccount(got.get('account'), username, 'UNAUTHENTICATED');
    await this.#checkSession(got.get(key), key, t);
    await this.#judgePassword(account, attempt, t);
    return { account, tfa: got.get('tfa') };
  }

  /** The IONOS case: username + password + the 16-digit removal code, no session. */
  async #removeWithCode({ username, password, removalCode }) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    const attempt = await this.#passwordAttempt(password, t);
    // commit
    const got = await this.storage.get(['account', 'tfa']);
    const account = this.#checkAccount(got.get('account'), username);
    await this.#judgePassword(account, attempt, t);
    const tfa = got.get('tfa');
    if (!describeState(tfa.state).enabled) throw twoFactorOff();
    const r = useRemovalCode(tfa.state, keys.recoveryKey, removalCode, { time: t });
    if (r.outcome === 'accepted') {
      await this.storage.put('tfa', { state: r.state, secrets: {}, pending: null });
      return { twoFactorEnabled: false };
    }
    await this.storage.put('tfa', { ...tfa, state: r.state });
    throw codeError(r);
  }

  // ---- update-client tokens ---------------------------------------------------------------

  async #createToken({ username, session, name, expiresInDays }) {
    const t = now();
    const key = await this.#sessionKey(session);
    const bearer = await newBearer();
    const id = b64url(randomBytes(9));
    // commit
    const got = await this.storage.get(['account', key]);
    this.#checkAccount(got.get('account'), username, 'UNAUTHENTICATED');
    await this.#checkSession(got.get(key), key, t);
    const tokens = await this.storage.list({ prefix: 'token:' });
    const expired = [...tokens].filter(([, v]) => v.expires <= t).map(([k]) => k);
    if (expired.length) await this.storage.delete(expired);
    if (tokens.size - expired.length >= LIMITS.tokens) {
      throw new ApiError('LIMIT_REACHED', `At most ${LIMITS.tokens} update tokens: delete one first.`);
    }
    const expires = t + expiresInDays * this.life.tokenDay;
    await this.storage.put(`token:${id}`, { name, hash: bearer.hash, created: t, expires, lastUsed: null });
    return { id, name, token: `${textToB64url(username)}.${id}.${bearer.secret}`, created: t, expiresAt: expires };
  }

  async #listTokens({ username, session }) {
    const t = now();
    const key = await this.#sessionKey(session);
    const got = await this.storage.get(['account', key]);
    this.#checkAccount(got.get('account'), username, 'UNAUTHENTICATED');
    await this.#checkSession(got.get(key), key, t);
    const tokens = await this.storage.list({ prefix: 'token:' });
    return {
      tokens: [...tokens]
        .map(([k, v]) => ({
          id: k.slice('token:'.length),
          name: v.name,
          created: v.created,
          expiresAt: v.expires,
          expired: v.expires <= t,
          lastUsed: v.lastUsed,
        }))
        .sort((a, b) => a.created - b.created || a.id.localeCompare(b.id)),
    };
  }

  async #deleteToken({ username, session, id }) {
    const t = now();
    const key = await this.#sessionKey(session);
    const got = await this.storage.get(['account', key, `token:${id}`]);
    this.#checkAccount(got.get('account'), username, 'UNAUTHENTICATED');
    await this.#checkSession(got.get(key), key, t);
    if (!got.get(`token:${id}`)) throw new ApiError('NOT_FOUND', 'No update token has that id.');
    await this.storage.delete(`token:${id}`);
    return {};
  }

  /** The update-client endpoint: authenticated by the token alone, 2FA or not. */
  async #update({ username, id, secret }) {
    const t = now();
    const hash = await sha256Hex(secret);
    // commit
    const got = await this.storage.get(['account', `token:${id}`]);
    const tok = got.get(`token:${id}`);
    if (!got.get('account') || got.get('account').username !== username || !tok || !constantTimeEqual(tok.hash, hash) || tok.expires <= t) {
      throw new ApiError('UNAUTHENTICATED', 'The update token is not valid (wrong, deleted or expired).');
    }
    await this.storage.put(`token:${id}`, { ...tok, lastUsed: t });
    return { username, token: { id, name: tok.name }, at: t };
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** The account, or WRONG_PASSWORD (unknown user; same answer as a wrong password). */
  #checkAccount(account, username, missing = 'WRONG_PASSWORD') {
    if (!account || account.username !== username) {
      throw missing === 'WRONG_PASSWORD'
        ? new ApiError('WRONG_PASSWORD', 'Wrong username or password.')
        : new ApiError('UNAUTHENTICATED', 'Sign in first.');
    }
    return account;
  }

  /** Prepare phase of a password check: PBKDF2 under the stored salt (a dummy one if none). */
  async #passwordAttempt(password, t) {
    const account = await this.storage.get('account');
    if (account && account.pwLockedUntil > t) throw passwordLocked(account.pwLockedUntil);
    return passwordAttempt(password, account?.password);
  }

  /**
   * Commit phase of a password check, on the account just read: LOCKED while locked (unchecked,
   * not counted), WRONG_PASSWORD with the failure counted (and a lock past the free ones), or
   * the count reset. Writes before it throws.
   */
  async #judgePassword(account, attempt, t) {
    if (account.pwLockedUntil > t) throw passwordLocked(account.pwLockedUntil);
    if (constantTimeEqual(attempt, account.password.hash)) {
      if (account.pwFailures !== 0 || account.pwLockedUntil !== 0) {
        await this.storage.put('account', { ...account, pwFailures: 0, pwLockedUntil: 0 });
      }
      return;
    }
    const failures = account.pwFailures + 1;
    const { freeFailures, baseLockout, maxLockout } = PASSWORD_THROTTLE;
    const over = failures - freeFailures;
    const lockedUntil = over > 0 ? t + Math.min(maxLockout, baseLockout * 2 ** Math.min(over - 1, 20)) : 0;
    await this.storage.put('account', { ...account, pwFailures: failures, pwLockedUntil: lockedUntil });
    const details = lockedUntil ? { retryAt: lockedUntil } : { attemptsLeft: -over };
    throw new ApiError('WRONG_PASSWORD', 'Wrong username or password.', details);
  }

  #sessionKey(session) {
    return sha256Hex(session).then((h) => `session:${h}`);
  }

  /** The live session record, or UNAUTHENTICATED (an expired one is deleted). */
  async #checkSession(record, key, t) {
    if (!record) throw new ApiError('UNAUTHENTICATED', 'Sign in first (no session, or it was signed out).');
    if (record.expires <= t) {
      await this.storage.delete(key);
      throw new ApiError('UNAUTHENTICATED', 'Your session has expired: sign in again.');
    }
    return record;
  }

  /** Stores a new session or ticket, deleting expired ones and the oldest past `limit`. */
  async #pruneAndPut(prefix, limit, t, hash, value, writes = {}) {
    const all = await this.storage.list({ prefix });
    const live = [...all].filter(([, v]) => v.expires > t).sort((a, b) => a[1].created - b[1].created);
    const drop = [...all].filter(([, v]) => v.expires <= t).map(([k]) => k);
    while (live.length >= limit) drop.push(live.shift()[0]);
    if (drop.length) await this.storage.delete(drop);
    await this.storage.put({ ...writes, [`${prefix}${hash}`]: value });
  }

  /**
   * Prepare phase of a code check: every authenticator's secret, decrypted. Secrets stored
   * under an older key come back re-encrypted under the current one in `rotated` (written with
   * the commit, if the secrets did not change meanwhile).
   */
  async #decryptSecrets(tfa, username, keys) {
    const secrets = {};
    let rotated = null;
    for (const [id, box] of Object.entries(tfa.secrets)) {
      secrets[id] = await keys.decrypt(box, username);
      if (box.kid !== keys.current) {
        rotated ??= { ...tfa.secrets };
        rotated[id] = await keys.encrypt(secrets[id], username);
      }
    }
    return { secrets, rotated };
  }
}

function sameSecrets(a, b) {
  return JSON.stringify(a.secrets) === JSON.stringify(b.secrets);
}

function findFactor(state, id) {
  const f = describeState(state).factors.find((x) => x.id === id);
  if (!f) throw new ApiError('NOT_FOUND', 'No authenticator has that id.');
  return f;
}

function publicFactor(f) {
  return { id: f.id, name: f.label, added: f.created };
}

function twoFactorOff() {
  return new ApiError('TWO_FACTOR_OFF', 'Two-factor authentication is off for this account.');
}

function conflict() {
  return new ApiError('CONFLICT', 'The account changed during the request: try again.');
}

function passwordLocked(retryAt) {
  return new ApiError('LOCKED', 'Too many wrong passwords: try again later.', { retryAt, lock: 'password' });
}

/** The API error of a code check that was not accepted (verifyCode or useRecoveryCode). */
function codeError(r, extra = {}) {
  switch (r.outcome) {
    case 'replayed':
      return new ApiError('CODE_REPLAYED', 'That code was already used: wait for the next one.', extra);
    case 'locked':
      return new ApiError('LOCKED', 'Too many wrong codes: try again later.', { retryAt: r.retryAt, lock: 'code', ...extra });
    case 'typo':
      return new ApiError('CODE_TYPO', 'That is not a valid code: check it for typos (nothing was counted).', extra);
    default: {
      const details = { attemptsLeft: r.attemptsLeft ?? 0, ...extra };
      if (r.retryAt !== undefined) details.retryAt = r.retryAt;
      return new ApiError('INVALID_CODE', 'That code is not right.', details);
    }
  }
}
