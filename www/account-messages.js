// What the account page says: the service's error codes (edge/README.md, "Errors") in the
// words people know from No-IP, IONOS and the like, and times in the reader's local time.
//
// A message is `{ text, field?, retryAt? }`: `field` names the input it belongs next to
// ('username', 'password', 'code', 'backup', 'removal', 'name', 'expires'), and `{time}` in
// the text stands for `retryAt` shown as a <time> element in local time.

/**
 * "14:05:31" (or "2:05:31 PM"; "14:05" without seconds), with the day in front when it is not
 * today.
 */
export function formatClock(unixSeconds, { seconds = true } = {}) {
  const d = new Date(unixSeconds * 1000);
  const time = d.toLocaleTimeString(undefined, { timeStyle: seconds ? 'medium' : 'short' });
  if (d.toDateString() === new Date().toDateString()) return time;
  return `${d.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })}, ${time}`;
}

/** "23 Nov 2026" in the reader's locale. */
export function formatDate(unixSeconds) {
  return new Date(unixSeconds * 1000).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** "23 Nov 2026, 14:05" in the reader's locale. */
export function formatDateTime(unixSeconds) {
  return new Date(unixSeconds * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The service's `field` names → the page's. */
const FIELDS = {
  username: 'username',
  password: 'password',
  code: 'code',
  recoveryCode: 'backup',
  removalCode: 'removal',
  name: 'name',
  expiresInDays: 'expires',
  newPassword: 'newPassword',
};

/**
 * What to say about a refusal, by where it happened:
 * - 'signin': the password step of signing in
 * - 'code' / 'backup': the second step, with a code from the app / a backup code
 * - 'enroll': confirming a new authenticator (a code and the password)
 * - 'password': an action confirmed with the password while signed in
 * - 'removal': removing 2FA with username, password and the 16-digit removal code
 * - 'other': anything else
 * @param {import('./account-api.js').ApiError | Error} err
 * @param {'signin' | 'code' | 'backup' | 'enroll' | 'password' | 'removal' | 'other'} where
 * @returns {{ text: string, field?: string, retryAt?: number }}
 */
export function describeError(err, where = 'other') {
  const code = /** @type {any} */ (err).code;
  const retryAt = /** @type {any} */ (err).retryAt;
  const attemptsLeft = /** @type {any} */ (err).attemptsLeft;
  switch (code) {
    case 'NETWORK':
      return { text: 'The service did not answer. Check your connection and try again.' };
    case 'WRONG_PASSWORD': {
      const field = 'password';
      if (retryAt) return { text: 'Too many wrong passwords. Try again at {time}.', field, retryAt };
      // The service says nothing more (not even whether the account exists): after many wrong
      // attempts, a browser that never signed in here waits, with the same answer.
      if (where === 'signin' || where === 'removal') {
        return { text: 'Wrong username or password. After many wrong attempts, a browser that has not signed in here before must wait a while.', field };
      }
      const base = 'That password is not right.';
      let left = '';
      if (attemptsLeft === 0) left = ' The next wrong password pauses signing in for a while.';
      else if (typeof attemptsLeft === 'number' && attemptsLeft <= 3) {
        left = ` ${plural(attemptsLeft, 'more wrong password')} and signing in pauses for a while.`;
      }
      return { text: base + left, field };
    }
    case 'LOCKED': {
      // The service says which lock applies; the route is only a fallback.
      const lock = /** @type {any} */ (err).lock ?? (where === 'code' || where === 'backup' ? 'code' : where === 'removal' ? undefined : 'password');
      const what = lock === 'code' ? 'wrong codes' : lock === 'password' ? 'wrong passwords' : lock === 'address' ? 'attempts from your network' : 'wrong attempts';
      const field = lock === 'code' ? (where === 'backup' ? 'backup' : where === 'code' ? 'code' : undefined) : lock === 'password' ? 'password' : undefined;
      return retryAt
        ? { text: `Too many ${what}. Try again at {time}.`, field, retryAt }
        : { text: `Too many ${what}. Try again later.`, field };
    }
    case 'STEP_UP_REQUIRED':
      return { text: 'This change needs you to confirm it is you with your password and a code. Try again.' };
    case 'CODE_REPLAYED':
      return { text: 'That code was already used. Wait for the next one.', field: 'code' };
    case 'INVALID_CODE': {
      if (where === 'enroll') {
        return { text: 'That code is not right. Check that the app shows this account, and enter its current code.', field: 'code' };
      }
      const field = where === 'backup' ? 'backup' : where === 'removal' ? 'removal' : 'code';
      const base = where === 'backup'
        ? 'That backup code is not right, or it was already used. Each code works once.'
        : where === 'removal'
          ? 'That removal code is not right, or it was already used.'
          : 'That code is not right.';
      if (retryAt) return { text: `${base} Too many wrong codes: try again at {time}.`, field, retryAt };
      if (typeof attemptsLeft === 'number' && attemptsLeft <= 3) {
        const tail = attemptsLeft === 0
          ? ' The next wrong code pauses sign-in for a while.'
          : ` ${plural(attemptsLeft, 'more wrong code')} and sign-in pauses for a while.`;
        return { text: base + tail, field };
      }
      return { text: base, field };
    }
    case 'CODE_TYPO':
      return where === 'removal'
        ? { text: 'That removal code has a typo: one of the 16 digits is wrong. Check it against your copy. Nothing was counted.', field: 'removal' }
        : { text: 'That backup code has a typo: check it against your copy. Nothing was counted.', field: 'backup' };
    case 'TICKET_EXPIRED':
      return { text: 'This sign-in expired. Enter your password again.', field: 'password' };
    case 'ENROLLMENT_EXPIRED':
      return { text: 'This setup expired: a QR code works for a few minutes only. Start again to get a new one.' };
    case 'USERNAME_TAKEN':
      return { text: 'That username is taken: choose another one.', field: 'username' };
    case 'TWO_FACTOR_OFF':
      return where === 'removal'
        ? { text: 'Two-factor authentication is already off for this account: sign in with your password.' }
        : { text: 'Two-factor authentication is off for this account.' };
    case 'UNAUTHENTICATED':
      return { text: 'You are signed out (the session ended). Sign in again.' };
    case 'LIMIT_REACHED':
    case 'CONFLICT':
      return { text: err.message };
    case 'INVALID_ARGUMENT': {
      const field = FIELDS[/** @type {any} */ (err).field];
      return { text: err.message || 'Check what you entered.', ...(field ? { field } : {}) };
    }
    default:
      return { text: `Something went wrong on the service (${code ?? 'error'}). Try again in a moment.` };
  }
}
