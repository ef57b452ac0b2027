// The User Durable Object: one per username (idFromName of the normalised name). It holds the
// account, the 2FA state of the package, the encrypted TOTP secrets, sessions, login tickets,
// device records and update tokens, and decides every request of that user. This file is the
// RPC shell and the flows; sessions.js, tokens.js and password-check.js hold the records.
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
// Revocation (sessions.js, revokeOthers). Any change to the second factor and any password
// change ends every other session, every login ticket and every other browser's device record;
// a password change, turning 2FA off or removing it also revokes the update tokens. The
// browser that made the change gets a fresh device record (`_device` in the answer).
//
// Storage keys:
//   account            { username, created, password: { iterations, salt, hash }, pwFailures, pwLockedUntil }
//   tfa                { state, secrets: { [factorId]: box }, pending: { box, expires, type } | null }
//                      (type 'totp' | 'hotp'; a pending setup stored before HOTP has none: TOTP)
//                      box = { kid, iv, ct }: AES-GCM under server key `kid`
//   session:…, ticket:…, device:…   sessions.js
//   token:<id>                      tokens.js
//   log:…                           security-log.js (the security log, appended in the commits)
//   reset-plan         { due, operator, reason }: a support reset on hold (alarm() carries it out)
//   notice             { kind, at, reason? }: told with the next sign-in (a support reset, a cancelled hold)

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
  resync,
  startEnrollment,
  useRecoveryCode,
  useRemovalCode,
  verifyCode,
} from 'totp-wasm/verifier';
import { ServerKeys, b64url, hashPassword, newBearer, randomBytes, sha256Hex } from './crypto.js';
import { ApiError } from './http.js';
import { judgePassword, liveDevice, passwordAttempt, wrongPassword } from './password-check.js';
import {
  checkSession,
  deleteKeys,
  listSessions,
  newDevice,
  newId,
  newSession,
  pruneAndPut,
  revokeOthers,
  sessionById,
  sessionKey,
  stepUpRequired,
  steppedUp,
} from './sessions.js';
import { addToken, deleteToken, listTokens, useToken } from './tokens.js';
import { LIMITS, issuer, lifetimes, now } from './settings.js';
import { appendEvent, exportLog } from './security-log.js';

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
  loginOneForm(a) { return this.#run('loginOneForm', () => this.#loginOneForm(a)); }
  loginVerify(a) { return this.#run('loginVerify', () => this.#loginVerify(a)); }
  loginResync(a) { return this.#run('loginResync', () => this.#loginResync(a)); }
  logout(a) { return this.#run('logout', () => this.#logout(a)); }
  profile(a) { return this.#run('profile', () => this.#profile(a)); }
  stepUp(a) { return this.#run('stepUp', () => this.#stepUp(a)); }
  listSessions(a) { return this.#run('listSessions', () => this.#listSessions(a)); }
  deleteSession(a) { return this.#run('deleteSession', () => this.#deleteSession(a)); }
  revokeOtherSessions(a) { return this.#run('revokeOtherSessions', () => this.#revokeOtherSessions(a)); }
  changePassword(a) { return this.#run('changePassword', () => this.#changePassword(a)); }
  deleteAccount(a) { return this.#run('deleteAccount', () => this.#deleteAccount(a)); }
  enrollStart(a) { return this.#run('enrollStart', () => this.#enrollStart(a)); }
  enrollConfirm(a) { return this.#run('enrollConfirm', () => this.#enrollConfirm(a)); }
  renameAuthenticator(a) { return this.#run('renameAuthenticator', () => this.#renameAuthenticator(a)); }
  removeAuthenticator(a) { return this.#run('removeAuthenticator', () => this.#removeAuthenticator(a)); }
  resyncAuthenticator(a) { return this.#run('resyncAuthenticator', () => this.#resyncAuthenticator(a)); }
  regenerateRecoveryCodes(a) { return this.#run('regenerateRecoveryCodes', () => this.#regenerate(a)); }
  disableTwoFactor(a) { return this.#run('disableTwoFactor', () => this.#disable(a)); }
  removeWithRemovalCode(a) { return this.#run('removeWithRemovalCode', () => this.#removeWithCode(a)); }
  createToken(a) { return this.#run('createToken', () => this.#createToken(a)); }
  listTokens(a) { return this.#run('listTokens', () => this.#listTokens(a)); }
  deleteToken(a) { return this.#run('deleteToken', () => this.#deleteToken(a)); }
  update(a) { return this.#run('update', () => useToken(this.storage, a.username, a.id, a.secret, now())); }
  securityLog(a) { return this.#run('securityLog', () => this.#securityLog(a)); }
  operatorStatus(a) { return this.#run('operatorStatus', () => this.#operatorStatus(a)); }
  operatorReset(a) { return this.#run('operatorReset', () => this.#operatorReset(a)); }
  operatorUnlock(a) { return this.#run('operatorUnlock', () => this.#operatorUnlock(a)); }
  operatorSecurityLog(a) { return this.#run('operatorSecurityLog', () => this.#operatorSecurityLog(a)); }

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

  // ---- accounts and sign-in ---------------------------------------------------------------

  async #signup({ username, password }) {
    const t = now();
    const record = await hashPassword(password);
    const bearer = await newBearer();
    // commit
    if (await this.storage.get('account')) {
      throw new ApiError('USERNAME_TAKEN', 'That username is taken: choose another one.');
    }
    const device = newId();
    const s = newSession(t, this.life, 'password', device);
    await this.storage.put({
      account: { username, created: t, password: record, pwFailures: 0, pwLockedUntil: 0 },
      tfa: { state: newState(), secrets: {}, pending: null },
      [`session:${bearer.hash}`]: s,
      [`device:${device}`]: newDevice(t),
    });
    return { session: bearer.secret, expiresAt: s.expires, method: 'password', _device: device };
  }

  async #login({ username, password, device }) {
    const t = now();
    const deviceKey = device ? `device:${device}` : null;
    const attempt = await passwordAttempt(this.storage, password, t, deviceKey);
    const bearer = await newBearer();
    // commit
    const got = await this.storage.get(['account', 'tfa', ...(deviceKey ? [deviceKey] : [])]);
    const account = accountOf(got, username, 'WRONG_PASSWORD');
    const known = liveDevice(got, deviceKey);
    await this.#judge(username, account, known, attempt, t);
    if (describeState(got.get('tfa').state).enabled) {
      const expires = t + this.life.ticket;
      const ticket = { created: t, expires, attemptsLeft: LIMITS.ticketAttempts, device: known ? device : null };
      await pruneAndPut(this.storage, 'ticket:', LIMITS.tickets, t, bearer.hash, ticket);
      return { ticket: bearer.secret, expiresAt: expires, attempts: LIMITS.ticketAttempts };
    }
    await this.#log(username, 'sign-in', { method: 'password' }, t);
    return this.#withNotice(await this.#openSession(t, bearer, 'password', known ? device : null));
  }

  /**
   * POST /api/login with a `code` or `recoveryCode` (the one-form login): the password is
   * judged first, so a wrong password never reaches the code counter; with 2FA off the code is
   * ignored; with 2FA on it is checked and counted exactly like one at /api/login/verify.
   */
  async #loginOneForm({ username, password, device, code, recoveryCode }) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    const deviceKey = device ? `device:${device}` : null;
    const attempt = await passwordAttempt(this.storage, password, t, deviceKey);
    const bearer = await newBearer();
    for (let i = 0; i < COMMIT_TRIES; i++) {
      const seen = await this.storage.get('tfa');
      const plain = code !== undefined && seen ? await this.#decryptSecrets(seen, username, keys) : null;
      // commit
      const got = await this.storage.get(['account', 'tfa', ...(deviceKey ? [deviceKey] : [])]);
      const account = accountOf(got, username, 'WRONG_PASSWORD');
      const known = liveDevice(got, deviceKey);
      await this.#judge(username, account, known, attempt, t);
      const tfa = got.get('tfa');
      if (!describeState(tfa.state).enabled) {
        await this.#log(username, 'sign-in', { method: 'password' }, t);
        return this.#withNotice(await this.#openSession(t, bearer, 'password', known ? device : null));
      }
      if (code !== undefined && (!plain || !sameSecrets(seen, tfa))) continue;
      const { r, writes } = this.#secondFactor(tfa, plain, code, recoveryCode, keys, t);
      const method = code !== undefined ? 'otp' : 'recovery';
      await this.storage.put(writes);
      if (r.outcome !== 'accepted') {
        if (r.outcome !== 'typo') await this.#codeFailed(username, tfa, r, method, t);
        throw codeError(r);
      }
      const out = await this.#openSession(t, bearer, method, known ? device : null);
      if (method === 'recovery') out.recoveryCodesRemaining = r.remaining;
      await this.#accepted(username, method, r, t);
      await this.#cancelReset(username, t);
      return this.#withNotice(out);
    }
    throw conflict();
  }

  /**
   * Stores a new session (and the browser's device record: renewed if it is known, new if
   * not), with `writes` in the same put. The answer of every sign-in.
   */
  async #openSession(t, bearer, method, device, writes = {}) {
    const old = device ? await this.storage.get(`device:${device}`) : undefined;
    const id = old ? device : newId();
    const record = old ? { ...old, lastUsed: t } : newDevice(t);
    const s = newSession(t, this.life, method, id);
    await pruneAndPut(this.storage, 'device:', LIMITS.devices, t, id, record, writes);
    await pruneAndPut(this.storage, 'session:', LIMITS.sessions, t, bearer.hash, s);
    return { session: bearer.secret, expiresAt: s.expires, method, _device: id };
  }

  async #loginVerify({ username, ticket, code, recoveryCode }) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    const ticketKey = `ticket:${await sha256Hex(ticket)}`;
    const bearer = await newBearer();
    for (let i = 0; i < COMMIT_TRIES; i++) {
      const seen = await this.storage.get('tfa');
      const plain = code !== undefined && seen ? await this.#decryptSecrets(seen, username, keys) : null;
      // commit
      const got = await this.storage.get(['account', 'tfa', ticketKey]);
      const tfa = got.get('tfa');
      const tk = got.get(ticketKey);
      if (!got.get('account') || !tk || tk.expires <= t || tk.attemptsLeft <= 0) {
        if (tk) await this.storage.delete(ticketKey);
        throw ticketExpired();
      }
      if (!describeState(tfa.state).enabled) {
        await this.storage.delete(ticketKey);
        throw new ApiError('TICKET_EXPIRED', 'Two-factor authentication was turned off meanwhile: sign in again.');
      }
      // An authenticator changed between the decryption and this read: decrypt again.
      if (code !== undefined && (!plain || !sameSecrets(seen, tfa))) continue;
      const { r, writes } = this.#secondFactor(tfa, plain, code, recoveryCode, keys, t);
      if (r.outcome === 'accepted') {
        const method = code !== undefined ? 'otp' : 'recovery';
        await this.storage.delete(ticketKey);
        const out = await this.#openSession(t, bearer, method, tk.device, writes);
        if (method === 'recovery') out.recoveryCodesRemaining = r.remaining;
        await this.#accepted(username, method, r, t);
        await this.#cancelReset(username, t);
        return this.#withNotice(out);
      }
      if (r.outcome === 'typo') {
        await this.storage.put(writes);
        throw codeError(r);
      }
      const left = tk.attemptsLeft - 1;
      if (left > 0) writes[ticketKey] = { ...tk, attemptsLeft: left };
      else await this.storage.delete(ticketKey);
      await this.storage.put(writes);
      await this.#codeFailed(username, tfa, r, code !== undefined ? 'otp' : 'recovery', t);
      throw codeError(r, { ticketAttemptsLeft: left });
    }
    throw conflict();
  }

  /** The synchronous check of a code or recovery code, and the tfa write it implies. */
  #secondFactor(tfa, plain, code, recoveryCode, keys, t) {
    const r =
      code !== undefined
        ? verifyCode(tfa.state, plain.secrets, code, { time: t })
        : useRecoveryCode(tfa.state, keys.recoveryKey, recoveryCode, { time: t });
    const next = { ...tfa, state: r.state };
    if (plain?.rotated) next.secrets = plain.rotated;
    return { r, writes: { tfa: next } };
  }

  /**
   * POST /api/login/resync: a clock that jumped (or an HOTP counter run ahead), repaired at
   * sign-in by two consecutive codes, with the ticket of the password step; signs in on
   * success. A failure counts one failure in the state and uses one ticket attempt, exactly
   * like a wrong code at /api/login/verify.
   */
  async #loginResync({ username, ticket, codes }) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    const ticketKey = `ticket:${await sha256Hex(ticket)}`;
    const bearer = await newBearer();
    for (let i = 0; i < COMMIT_TRIES; i++) {
      const seen = await this.storage.get('tfa');
      const plain = seen ? await this.#decryptSecrets(seen, username, keys) : null;
      // commit
      const got = await this.storage.get(['account', 'tfa', ticketKey]);
      const tfa = got.get('tfa');
      const tk = got.get(ticketKey);
      if (!got.get('account') || !tk || tk.expires <= t || tk.attemptsLeft <= 0) {
        if (tk) await this.storage.delete(ticketKey);
        throw ticketExpired();
      }
      if (!describeState(tfa.state).enabled) {
        await this.storage.delete(ticketKey);
        throw new ApiError('TICKET_EXPIRED', 'Two-factor authentication was turned off meanwhile: sign in again.');
      }
      if (!plain || !sameSecrets(seen, tfa)) continue;
      const r = resync(tfa.state, plain.secrets, codes, { time: t });
      const writes = { tfa: plain.rotated ? { ...tfa, state: r.state, secrets: plain.rotated } : { ...tfa, state: r.state } };
      if (r.outcome === 'accepted') {
        await this.storage.delete(ticketKey);
        const out = await this.#openSession(t, bearer, 'otp', tk.device, writes);
        await this.#accepted(username, 'otp', r, t);
        await this.#cancelReset(username, t);
        return this.#withNotice(out);
      }
      const left = tk.attemptsLeft - 1;
      if (left > 0) writes[ticketKey] = { ...tk, attemptsLeft: left };
      else await this.storage.delete(ticketKey);
      await this.storage.put(writes);
      await this.#codeFailed(username, tfa, r, 'otp', t);
      throw codeError(r, { ticketAttemptsLeft: left });
    }
    throw conflict();
  }

  async #logout({ session }) {
    const key = await sessionKey(session);
    await this.storage.delete(key);
    return {};
  }

  async #profile(a) {
    const t = now();
    const { account, tfa, record: s } = await this.#open(a, t);
    const info = describeState(tfa.state);
    const pending = tfa.pending;
    return {
      username: account.username,
      created: account.created,
      twoFactor: {
        enabled: info.enabled,
        authenticators: info.factors.map(publicFactor),
        recoveryCodesRemaining: info.recoveryRemaining,
        removalCode: info.hasRemovalCode,
        lockedUntil: info.lockedUntil && info.lockedUntil > t ? info.lockedUntil : null,
        enrollmentPending: Boolean(pending && pending.expires > t),
      },
      session: {
        authenticatedWith: s.method,
        created: s.created,
        expiresAt: s.expires,
        stepUpUntil: steppedUp(s, t, this.life) ? s.stepUpAt + this.life.stepUp : null,
      },
    };
  }

  // ---- the opening of every session method --------------------------------------------------

  /**
   * The start of every method that needs a session: the WebCrypto work first (session hash,
   * PBKDF2 when a password is given), then the commit read and its checks - the account, the
   * live session (its lastSeen kept within a minute), the password (on this browser's count),
   * and with `stepUp` a recent second factor (while 2FA is on; the password while it is off;
   * see `needed` below).
   * The caller decides and writes with nothing but storage awaited after this read.
   */
  async #open({ username, session, password, device, stepUp = false }, t) {
    const key = await sessionKey(session);
    const deviceKey = device ? `device:${device}` : null;
    const attempt = password !== undefined ? await passwordAttempt(this.storage, password, t, deviceKey) : null;
    // commit
    const got = await this.storage.get(['account', 'tfa', key, ...(deviceKey ? [deviceKey] : [])]);
    const account = accountOf(got, username, 'UNAUTHENTICATED');
    const record = await checkSession(this.storage, got.get(key), key, t);
    const tfa = got.get('tfa');
    if (attempt !== null) {
      const known = liveDevice(got, deviceKey);
      await this.#judge(username, account, known, attempt, t);
    }
    const enabled = describeState(tfa.state).enabled;
    // While 2FA is on only a recent second factor will do; while it is off, the password sent
    // with this request, or a recent one ('if-enabled': nothing while it is off).
    const needed = stepUp === true ? enabled || attempt === null : stepUp === 'if-enabled' && enabled;
    if (needed && !steppedUp(record, t, this.life)) throw stepUpRequired();
    if (t - (record.lastSeen ?? 0) >= 60) await this.storage.put(key, { ...record, lastSeen: t });
    return { account, tfa, key, record, enabled };
  }

  /**
   * After a change to the second factor or the password: the revocation rule, and a fresh
   * device record for this browser (its old one goes with the others).
   */
  async #revoke(opened, t, { tokens = false, writes = {} } = {}) {
    opened.revoked = await revokeOthers(this.storage, { keepSession: opened.key, tokens });
    const device = newId();
    await this.storage.put({
      ...writes,
      [`device:${device}`]: newDevice(t),
      [opened.key]: { ...opened.record, device, lastSeen: t },
    });
    return device;
  }

  // ---- step-up, sessions, password, account ----------------------------------------------

  /**
   * POST /api/session/step-up: the password and, while 2FA is on, a code or a recovery code of
   * an existing authenticator; the session may then make sensitive changes for LIFETIMES.stepUp.
   */
  async #stepUp(a) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    for (let i = 0; i < COMMIT_TRIES; i++) {
      const seen = await this.storage.get('tfa');
      const plain = a.code !== undefined && seen ? await this.#decryptSecrets(seen, a.username, keys) : null;
      const opened = await this.#open(a, t);
      const { tfa, key, record, enabled } = opened;
      if (!enabled) {
        if (a.code !== undefined || a.recoveryCode !== undefined) throw twoFactorOff();
        await this.storage.put(key, { ...record, stepUpAt: t, lastSeen: t });
        return { stepUpUntil: t + this.life.stepUp };
      }
      if (a.code === undefined && a.recoveryCode === undefined) {
        throw new ApiError('INVALID_ARGUMENT', 'Two-factor authentication is on: send a "code" or a "recoveryCode" too.');
      }
      if (a.code !== undefined && !sameSecrets(seen, tfa)) continue;
      const { r, writes } = this.#secondFactor(tfa, plain, a.code, a.recoveryCode, keys, t);
      if (r.outcome === 'accepted') {
        await this.storage.put({ ...writes, [key]: { ...record, stepUpAt: t, lastSeen: t } });
        const out = { stepUpUntil: t + this.life.stepUp };
        if (a.recoveryCode !== undefined) out.recoveryCodesRemaining = r.remaining;
        if (a.recoveryCode !== undefined) await this.#log(a.username, 'recovery-code-used', { remaining: r.remaining }, t);
        return out;
      }
      await this.storage.put(writes);
      if (r.outcome !== 'typo') await this.#codeFailed(a.username, tfa, r, a.code !== undefined ? 'otp' : 'recovery', t);
      throw codeError(r);
    }
    throw conflict();
  }

  async #listSessions(a) {
    const t = now();
    const { key } = await this.#open(a, t);
    return { sessions: await listSessions(this.storage, key, t) };
  }

  /** Signs one session out (its browser's device record goes with it, unless it is this one). */
  async #deleteSession(a) {
    const t = now();
    const { record } = await this.#open(a, t);
    const found = await sessionById(this.storage, a.id);
    if (!found) throw new ApiError('NOT_FOUND', 'No session has that id.');
    const drop = [found[0]];
    if (found[1].device && found[1].device !== record.device) drop.push(`device:${found[1].device}`);
    await deleteKeys(this.storage, drop);
    await this.#logRevoked(a.username, { sessions: 1, tokens: 0 }, 'user', t);
    return { current: found[1].id === record.id };
  }

  async #revokeOtherSessions(a) {
    const t = now();
    const { key, record } = await this.#open(a, t);
    const counts = await revokeOthers(this.storage, { keepSession: key, keepDevice: record.device });
    await this.#logRevoked(a.username, counts, 'sign-out-everywhere', t);
    return {};
  }

  /** POST /api/password: the current password (under step-up) and the new one. */
  async #changePassword(a) {
    const t = now();
    const record = await hashPassword(a.newPassword);
    const opened = await this.#open({ ...a, stepUp: true }, t);
    const account = await this.storage.get('account');
    const writes = { account: { ...account, password: record, pwFailures: 0, pwLockedUntil: 0 } };
    const device = await this.#revoke(opened, t, { tokens: true, writes });
    await this.#log(a.username, 'password-changed', {}, t);
    await this.#logRevoked(a.username, opened.revoked, 'password-changed', t);
    return { status: 'changed', _device: device };
  }

  /** DELETE /api/account: every record of the user goes (the worker then frees the name). */
  async #deleteAccount(a) {
    const t = now();
    await this.#open({ ...a, stepUp: true }, t);
    await this.storage.deleteAll();
    return { status: 'deleted' };
  }

  // ---- enrollment and authenticators ------------------------------------------------------

  async #enrollStart(a) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    const type = a.type === 'hotp' ? 'hotp' : 'totp';
    const e = startEnrollment({ issuer: issuer(this.env), account: a.username, type });
    const box = await keys.encrypt(e.secret, a.username);
    const { tfa } = await this.#open({ ...a, stepUp: 'if-enabled' }, t);
    if (describeState(tfa.state).factors.length >= LIMITS.authenticators) {
      throw new ApiError('LIMIT_REACHED', `At most ${LIMITS.authenticators} authenticators: remove one first.`);
    }
    const expires = t + this.life.enrollment;
    await this.storage.put('tfa', { ...tfa, pending: { box, expires, type } });
    return { uri: e.uri, account: e.account, issuer: e.issuer, key: e.key, type: e.type, expiresAt: expires };
  }

  async #enrollConfirm(a) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    const seen = await this.storage.get('tfa');
    const secret = seen?.pending ? await keys.decrypt(seen.pending.box, a.username) : null;
    const opened = await this.#open({ ...a, stepUp: true }, t);
    const { tfa } = opened;
    const pending = tfa.pending;
    if (!pending || pending.expires <= t) {
      if (pending) await this.storage.put('tfa', { ...tfa, pending: null });
      throw new ApiError('ENROLLMENT_EXPIRED', 'No setup is waiting (it expires after 5 minutes): start again.');
    }
    if (!secret || pending.box.iv !== seen.pending.box.iv) {
      throw new ApiError('ENROLLMENT_EXPIRED', 'A newer setup replaced this one: scan the new QR code.');
    }
    const before = describeState(tfa.state);
    const r = confirmEnrollment(tfa.state, { secret, code: a.code, label: a.name, time: t, type: pending.type ?? 'totp' });
    if (r.outcome !== 'accepted') {
      await this.storage.put('tfa', { ...tfa, state: r.state });
      throw new ApiError('INVALID_CODE', 'That code is not right: check the authenticator shows this account and try the current code.');
    }
    let state = r.state;
    const out = {};
    if (!before.enabled) {
      const g = generateRecoveryCodes(state, keys.recoveryKey, { removalCode: a.removalCode === true });
      state = g.state;
      out.recoveryCodes = g.codes;
      if (g.removalCode) out.removalCode = g.removalCode;
      // Tokens are meant to work without 2FA, so they stay: the page offers to revoke them.
      out.existingTokens = await listTokens(this.storage, t);
    }
    const tfaNext = { state, secrets: { ...tfa.secrets, [r.factorId]: pending.box }, pending: null };
    // This session just proved the password and the new authenticator.
    opened.record = { ...opened.record, stepUpAt: t };
    const device = await this.#revoke(opened, t, { writes: { tfa: tfaNext } });
    const f = describeState(state).factors.find((x) => x.id === r.factorId);
    await this.#log(a.username, before.enabled ? 'authenticator-added' : '2fa-enabled', { authenticator: f.id, name: f.label }, t);
    await this.#logRevoked(a.username, opened.revoked, 'second-factor-changed', t);
    return { authenticator: publicFactor(f), ...out, _device: device };
  }

  async #renameAuthenticator(a) {
    const t = now();
    const { tfa } = await this.#open(a, t);
    const old = findFactor(tfa.state, a.id);
    const state = renameFactor(tfa.state, a.id, a.name);
    await this.storage.put('tfa', { ...tfa, state });
    await this.#log(a.username, 'authenticator-renamed', { authenticator: a.id, from: old.label, to: a.name }, t);
    return { authenticator: publicFactor(findFactor(state, a.id)) };
  }

  async #removeAuthenticator(a) {
    const t = now();
    const opened = await this.#open({ ...a, stepUp: true }, t);
    const { tfa } = opened;
    const gone = findFactor(tfa.state, a.id);
    const state = removeFactor(tfa.state, a.id);
    const secrets = { ...tfa.secrets };
    delete secrets[a.id];
    const enabled = describeState(state).enabled;
    const device = await this.#revoke(opened, t, { tokens: !enabled, writes: { tfa: { ...tfa, state, secrets } } });
    await this.#log(a.username, 'authenticator-removed', { authenticator: gone.id, name: gone.label }, t);
    if (!enabled) await this.#log(a.username, '2fa-disabled', { via: 'last-authenticator' }, t);
    await this.#logRevoked(a.username, opened.revoked, enabled ? 'second-factor-changed' : '2fa-off', t);
    return { twoFactorEnabled: enabled, _device: device };
  }

  /**
   * POST /api/2fa/authenticators/:id/resync (under step-up): two consecutive codes of that
   * authenticator repair its learned clock offset (or HOTP counter). A failure counts one.
   */
  async #resyncAuthenticator(a) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    for (let i = 0; i < COMMIT_TRIES; i++) {
      const seen = await this.storage.get('tfa');
      const plain = seen ? await this.#decryptSecrets(seen, a.username, keys) : null;
      const { tfa } = await this.#open({ ...a, stepUp: true }, t);
      findFactor(tfa.state, a.id);
      if (!plain || !sameSecrets(seen, tfa)) continue;
      const r = resync(tfa.state, plain.secrets, a.codes, { time: t, factorId: a.id });
      await this.storage.put('tfa', plain.rotated ? { ...tfa, state: r.state, secrets: plain.rotated } : { ...tfa, state: r.state });
      if (r.outcome !== 'accepted') throw codeError(r);
      return { authenticator: publicFactor(findFactor(r.state, a.id)) };
    }
    throw conflict();
  }

  async #regenerate(a) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    const opened = await this.#open({ ...a, stepUp: true }, t);
    const { tfa } = opened;
    if (!opened.enabled) throw twoFactorOff();
    const g = generateRecoveryCodes(tfa.state, keys.recoveryKey, { removalCode: a.removalCode === true });
    const device = await this.#revoke(opened, t, { writes: { tfa: { ...tfa, state: g.state } } });
    await this.#log(a.username, 'recovery-codes-regenerated', { removal: Boolean(g.removalCode) }, t);
    await this.#logRevoked(a.username, opened.revoked, 'second-factor-changed', t);
    const out = g.removalCode ? { recoveryCodes: g.codes, removalCode: g.removalCode } : { recoveryCodes: g.codes };
    return { ...out, _device: device };
  }

  async #disable(a) {
    const t = now();
    const opened = await this.#open({ ...a, stepUp: true }, t);
    const tfa = { state: disableTwoFactor(opened.tfa.state), secrets: {}, pending: null };
    const device = await this.#revoke(opened, t, { tokens: true, writes: { tfa } });
    await this.#log(a.username, '2fa-disabled', { via: 'user' }, t);
    await this.#logRevoked(a.username, opened.revoked, '2fa-off', t);
    return { twoFactorEnabled: false, _device: device };
  }

  /** The IONOS case: username + password + the 16-digit removal code, no session. */
  async #removeWithCode({ username, password, removalCode, device }) {
    const t = now();
    const keys = ServerKeys.from(this.env);
    const deviceKey = device ? `device:${device}` : null;
    const attempt = await passwordAttempt(this.storage, password, t, deviceKey);
    // commit
    const got = await this.storage.get(['account', 'tfa', ...(deviceKey ? [deviceKey] : [])]);
    const account = accountOf(got, username, 'WRONG_PASSWORD');
    const known = liveDevice(got, deviceKey);
    await this.#judge(username, account, known, attempt, t);
    const tfa = got.get('tfa');
    if (!describeState(tfa.state).enabled) throw twoFactorOff();
    const r = useRemovalCode(tfa.state, keys.recoveryKey, removalCode, { time: t });
    if (r.outcome === 'accepted') {
      const counts = await revokeOthers(this.storage, { tokens: true });
      await this.storage.put('tfa', { state: r.state, secrets: {}, pending: null });
      await this.#log(username, 'removal-code-used', {}, t);
      await this.#log(username, '2fa-disabled', { via: 'removal-code' }, t);
      await this.#logRevoked(username, counts, '2fa-off', t);
      return { twoFactorEnabled: false };
    }
    await this.storage.put('tfa', { ...tfa, state: r.state });
    if (r.outcome !== 'typo') await this.#codeFailed(username, tfa, r, 'removal', t);
    throw codeError(r);
  }

  // ---- update-client tokens ---------------------------------------------------------------

  async #createToken(a) {
    const t = now();
    const bearer = await newBearer();
    const id = b64url(randomBytes(9));
    await this.#open({ ...a, stepUp: true }, t);
    const expires = t + a.expiresInDays * this.life.tokenDay;
    await addToken(this.storage, t, { id, name: a.name, hash: bearer.hash, expires });
    await this.#log(a.username, 'token-created', { tokenId: id, name: a.name, expires }, t);
    return { id, name: a.name, secret: bearer.secret, created: t, expiresAt: expires };
  }

  async #listTokens(a) {
    const t = now();
    await this.#open(a, t);
    return { tokens: await listTokens(this.storage, t) };
  }

  async #deleteToken(a) {
    const t = now();
    await this.#open(a, t);
    const token = await this.storage.get(`token:${a.id}`);
    await deleteToken(this.storage, a.id);
    await this.#log(a.username, 'token-revoked', { tokenId: a.id, name: token.name }, t);
    return {};
  }

  // ---- helpers ----------------------------------------------------------------------------

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

  // ---- the security log and support (#13; edge/security-log.js, edge/operator.js) ---------

  /**
   * Appends an event to the user's security log. Called inside the commits, after the
   * decision: appendEvent awaits storage only, so the event is written with the change.
   */
  #log(username, type, detail, t) {
    return appendEvent(this.storage, { key: ServerKeys.from(this.env).macRaw, subject: username }, type, detail, t);
  }

  /** 'sessions-revoked' / 'tokens-revoked' for the counts of a revocation, when not zero. */
  async #logRevoked(username, counts, cause, t) {
    if (counts?.sessions > 0) await this.#log(username, 'sessions-revoked', { count: counts.sessions, cause }, t);
    if (counts?.tokens > 0) await this.#log(username, 'tokens-revoked', { count: counts.tokens, cause }, t);
  }

  /** judgePassword, with a 'lockout' event when this attempt started a lock. */
  async #judge(username, account, known, attempt, t) {
    try {
      await judgePassword(this.storage, account, known, attempt, t);
    } catch (e) {
      const before = (known ? known.record : account).pwLockedUntil ?? 0;
      const after = (await this.storage.get(known ? known.key : 'account'))?.pwLockedUntil ?? 0;
      if (before <= t && after > t) await this.#log(username, 'lockout', { what: 'password', until: after }, t);
      throw e;
    }
  }

  /** The events of an accepted second factor at sign-in. */
  async #accepted(username, method, r, t) {
    await this.#log(username, 'sign-in', { method }, t);
    if (method === 'recovery') await this.#log(username, 'recovery-code-used', { remaining: r.remaining }, t);
  }

  /** The events of a refused code: the failure (unless refused unchecked by a lock) and a new lock. */
  async #codeFailed(username, tfa, r, method, t) {
    const before = describeState(tfa.state).lockedUntil ?? 0;
    const after = describeState(r.state).lockedUntil ?? 0;
    if (before <= t) await this.#log(username, 'second-factor-failed', { method }, t);
    if (before <= t && after > t && method !== 'removal') {
      await this.#log(username, 'lockout', { what: method, until: Math.ceil(after) }, t);
    }
  }

  /** The notice waiting for the next sign-in (taken: it is told once), added to its answer. */
  async #withNotice(out) {
    const notice = await this.storage.get('notice');
    if (notice) {
      await this.storage.delete('notice');
      out.notice = notice;
    }
    return out;
  }

  /** A sign-in with a second factor during a support reset's hold: the reset is called off. */
  async #cancelReset(username, t) {
    if (!(await this.storage.get('reset-plan'))) return;
    await this.storage.delete('reset-plan');
    await this.storage.put('notice', { kind: 'operator-reset-cancelled', at: t });
    await this.#log(username, 'operator-reset-cancelled', { by: 'sign-in' }, t);
    await this.storage.deleteAlarm();
  }

  /** GET /api/security-log: the export (edge/security-log.js), chain and MAC. */
  async #securityLog(a) {
    await this.#open(a, now());
    return exportLog(this.storage, a.username);
  }

  /**
   * The account for an operator request, or NOT_FOUND. The worker asks the directory first
   * (edge/operator.js), so an unknown name never reaches, and never creates, this object.
   */
  async #operatorAccount(username) {
    const got = await this.storage.get(['account', 'tfa', 'reset-plan']);
    const account = got.get('account');
    if (!account || account.username !== username) throw new ApiError('NOT_FOUND', 'No account has that username.');
    return { account, tfa: got.get('tfa'), plan: got.get('reset-plan') ?? null };
  }

  /** GET /api/operator/users/:user: the 2FA status and locks, never a secret. */
  async #operatorStatus({ username, operator, reason }) {
    const t = now();
    const { account, tfa, plan } = await this.#operatorAccount(username);
    const info = describeState(tfa.state);
    const devices = [...(await this.storage.list({ prefix: 'device:' })).values()];
    await this.#log(username, 'operator-lookup', reason === undefined ? { operator } : { operator, reason }, t);
    return {
      username,
      created: account.created,
      twoFactor: {
        enabled: info.enabled,
        authenticators: info.factors.map(publicFactor),
        recoveryCodesRemaining: info.recoveryRemaining,
        removalCode: info.hasRemovalCode,
      },
      locks: {
        password: (account.pwLockedUntil ?? 0) > t ? account.pwLockedUntil : null,
        browsers: devices.filter((d) => (d.pwLockedUntil ?? 0) > t).length,
        code: info.lockedUntil && info.lockedUntil > t ? info.lockedUntil : null,
      },
      resetScheduled: plan ? { due: plan.due, operator: plan.operator } : null,
    };
  }

  /** POST …/reset-2fa: now (delaySeconds 0), or held until an alarm carries it out. */
  async #operatorReset({ username, operator, reason, delaySeconds }) {
    const t = now();
    await this.#operatorAccount(username);
    if (delaySeconds > 0) {
      const due = t + delaySeconds;
      await this.storage.put('reset-plan', { due, operator, reason });
      await this.#log(username, 'operator-reset-scheduled', { operator, reason, due }, t);
      await this.storage.setAlarm(due * 1000);
      return { status: 'scheduled', due };
    }
    return this.#supportReset(username, operator, reason, t);
  }

  /** The reset itself: 2FA off, every session, ticket, device record and update token gone. */
  async #supportReset(username, operator, reason, t) {
    const tfa = await this.storage.get('tfa');
    const wasOn = describeState(tfa.state).enabled;
    const counts = await revokeOthers(this.storage, { tokens: true });
    const next = wasOn ? { state: disableTwoFactor(tfa.state), secrets: {}, pending: null } : { ...tfa, pending: null };
    await this.storage.put({ tfa: next, notice: { kind: 'operator-reset', at: t, reason } });
    await this.storage.delete('reset-plan');
    await this.#log(username, 'operator-reset', { operator, reason }, t);
    if (wasOn) await this.#log(username, '2fa-disabled', { via: 'support' }, t);
    await this.#logRevoked(username, counts, 'support', t);
    return { status: 'reset', twoFactorWasEnabled: wasOn, sessionsRevoked: counts.sessions, tokensRevoked: counts.tokens };
  }

  /** The alarm of a held reset: carried out unless a sign-in cancelled it (no plan left). */
  async alarm() {
    const t = now();
    const got = await this.storage.get(['account', 'reset-plan']);
    const plan = got.get('reset-plan');
    const account = got.get('account');
    if (!plan || !account) return;
    if (plan.due > t) {
      await this.storage.setAlarm(plan.due * 1000);
      return;
    }
    await this.#supportReset(account.username, plan.operator, plan.reason, t);
  }

  /** POST …/unlock: the password locks (the account's and every browser's) cleared. */
  async #operatorUnlock({ username, operator, reason }) {
    const t = now();
    const { account } = await this.#operatorAccount(username);
    const writes = { account: { ...account, pwFailures: 0, pwLockedUntil: 0 } };
    for (const [k, d] of await this.storage.list({ prefix: 'device:' })) {
      if ((d.pwFailures ?? 0) !== 0 || (d.pwLockedUntil ?? 0) !== 0) writes[k] = { ...d, pwFailures: 0, pwLockedUntil: 0 };
    }
    await this.storage.put(writes);
    await this.#log(username, 'operator-unlock', { operator, reason }, t);
    return { status: 'unlocked', browsers: Object.keys(writes).length - 1 };
  }

  /** GET …/security-log: the export, the read itself logged first. */
  async #operatorSecurityLog({ username, operator, reason }) {
    const t = now();
    await this.#operatorAccount(username);
    await this.#log(username, 'operator-log-read', reason === undefined ? { operator } : { operator, reason }, t);
    return exportLog(this.storage, username);
  }
}

/** The account of a commit read, or WRONG_PASSWORD / UNAUTHENTICATED when there is none. */
function accountOf(got, username, missing) {
  const account = got.get('account');
  if (!account || account.username !== username) {
    throw missing === 'WRONG_PASSWORD' ? wrongPassword() : new ApiError('UNAUTHENTICATED', 'Sign in first.');
  }
  return account;
}

function sameSecrets(a, b) {
  return JSON.stringify(a?.secrets) === JSON.stringify(b?.secrets);
}

function findFactor(state, id) {
  const f = describeState(state).factors.find((x) => x.id === id);
  if (!f) throw new ApiError('NOT_FOUND', 'No authenticator has that id.');
  return f;
}

function publicFactor(f) {
  return { id: f.id, name: f.label, added: f.created, type: f.type };
}

function twoFactorOff() {
  return new ApiError('TWO_FACTOR_OFF', 'Two-factor authentication is off for this account.');
}

function ticketExpired() {
  return new ApiError('TICKET_EXPIRED', 'This sign-in has expired: enter your password again.');
}

function conflict() {
  return new ApiError('CONFLICT', 'The account changed during the request: try again.');
}

/** The API error of a code check that was not accepted (verifyCode or useRecoveryCode). */
function codeError(r, extra = {}) {
  switch (r.outcome) {
    case 'replayed':
      return new ApiError('CODE_REPLAYED', 'That code was already used: wait for the next one.', extra);
    case 'locked':
      return new ApiError('LOCKED', 'Too many wrong codes: try again later.', { retryAt: r.retryAt, lock: 'code', ...extra });
    case 'typo':
      return new ApiError('CODE_TYPO', 'That backup code or removal code has a typo: check it against your copy (nothing was counted).', extra);
    default: {
      const details = { attemptsLeft: r.attemptsLeft ?? 0, ...extra };
      if (r.retryAt !== undefined) details.retryAt = r.retryAt;
      return new ApiError('INVALID_CODE', 'That code is not right.', details);
    }
  }
}
