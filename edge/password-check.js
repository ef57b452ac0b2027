// The password check of the User object, in its two phases (see user.js, "Atomicity"), and the
// failure counts behind it. A known browser (a live device record named by its device cookie)
// has its own count and lock; every other attempt shares the account's. So a stranger who
// guesses from anywhere can lock only the shared count, never the owner's browsers, and a
// browser that guesses meets its own lock.
//
// The answers do not tell a stranger whether the account exists: while the shared count is
// locked, an attempt is refused unchecked with the same WRONG_PASSWORD an unknown username or a
// wrong password gets (no attemptsLeft, no retryAt). Only a device's own lock answers LOCKED:
// its holder signed in before and knows the account exists.

import { constantTimeEqual, passwordAttempt as pbkdf2Attempt } from './crypto.js';
import { ApiError } from './http.js';
import { PASSWORD_THROTTLE } from './settings.js';

/** The one answer for a wrong password, an unknown username and a locked shared count. */
export function wrongPassword() {
  return new ApiError('WRONG_PASSWORD', 'Wrong username or password.');
}

/** The lock of a known browser's own count. */
function deviceLocked(retryAt) {
  return new ApiError('LOCKED', 'Too many wrong passwords from this browser: try again later.', { retryAt, lock: 'password' });
}

/** The device record of a commit read, if the cookie's device is still live. */
export function liveDevice(got, deviceKey) {
  const record = deviceKey ? got.get(deviceKey) : undefined;
  return record ? { key: deviceKey, record } : null;
}

/** Where an attempt is counted: the device record if it is live, else the account. */
function counter(account, device) {
  return device ?? account;
}

/**
 * Prepare phase: PBKDF2 of the attempt under the stored salt. Refuses early (unchecked) when
 * the count it would be judged by is locked.
 * @param {DurableObjectStorage} storage
 * @param {string | null} deviceKey `device:<id>` of a cookie the worker verified, or null
 */
export async function passwordAttempt(storage, password, t, deviceKey) {
  const got = await storage.get(deviceKey ? ['account', deviceKey] : ['account']);
  const account = got.get('account');
  const device = deviceKey ? got.get(deviceKey) : undefined;
  if (account) refuseIfLocked(counter(account, device), device, t);
  return pbkdf2Attempt(password, account?.password);
}

function refuseIfLocked(c, device, t) {
  if ((c.pwLockedUntil ?? 0) > t) throw device ? deviceLocked(c.pwLockedUntil) : wrongPassword();
}

/**
 * Commit phase, on the account (and device record) just read: refused while locked, the
 * failure counted (a lock past the free ones), or the count reset. Writes before it throws.
 * @param {{ key: string, record: object } | null} device the live device record, if any
 */
export async function judgePassword(storage, account, device, attempt, t) {
  const c = counter(account, device?.record);
  const key = device ? device.key : 'account';
  refuseIfLocked(c, device?.record, t);
  if (constantTimeEqual(attempt, account.password.hash)) {
    if ((c.pwFailures ?? 0) !== 0 || (c.pwLockedUntil ?? 0) !== 0) {
      await storage.put(key, { ...c, pwFailures: 0, pwLockedUntil: 0 });
    }
    return;
  }
  const failures = (c.pwFailures ?? 0) + 1;
  const { freeFailures, baseLockout, maxLockout } = PASSWORD_THROTTLE;
  const over = failures - freeFailures;
  const lockedUntil = over > 0 ? t + Math.min(maxLockout, baseLockout * 2 ** Math.min(over - 1, 20)) : 0;
  await storage.put(key, { ...c, pwFailures: failures, pwLockedUntil: lockedUntil });
  throw wrongPassword();
}
