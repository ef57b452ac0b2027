// The rule for a new password beyond its length (NIST SP 800-63B §5.1.1.2): it must not be on
// a list of passwords that are common or known from breaches, because those are the first an
// attacker tries. The list is that of the npm package @zxcvbn-ts/language-common
// (src/passwords.json); common-passwords.txt keeps the entries a new password could equal
// (8 to 256 characters), lower case, sorted, one per line. It is written, and checked against
// the installed package, by tests/edge/support/common-passwords.mjs.
//
// The text is a module of its own (a `text` module in config.capnp; wrangler's Text rule for
// *.txt), so the worker carries it once, as text, and builds the set on first use only.

import COMMON_PASSWORDS from './common-passwords.txt';
import { ApiError } from './http.js';
import { invalid } from './validate.js';

/** @type {Set<string> | null} */
let common = null;

/** Whether a password (NFC) is on the list; case does not matter ("Dragon123" = "dragon123"). */
export function isCommonPassword(password) {
  common ??= new Set(COMMON_PASSWORDS.split('\n'));
  return common.has(password.toLowerCase());
}

/**
 * Refuses a new password that is on the list: 400 PASSWORD_TOO_COMMON naming the field. Used
 * for every new password (sign-up, password change) through normalisePassword (below).
 * @param {string} password NFC-normalised, length already checked
 * @param {string} field
 */
export function refuseCommonPassword(password, field = 'password') {
  if (!isCommonPassword(password)) return;
  throw new ApiError(
    'PASSWORD_TOO_COMMON',
    'This password is on a list of common and leaked passwords that attackers try first. ' +
      'Choose another one, for example a few unrelated words.',
    { field },
  );
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/**
 * A password as hashed: NFC-normalised (the same password typed on two keyboards is the same
 * text). New passwords need 8 to 256 characters and must not be common (passwords.js:
 * PASSWORD_TOO_COMMON); existing ones are only bounded.
 */
export function normalisePassword(value, { isNew = false, field = 'password' } = {}) {
  if (typeof value !== 'string') throw invalid(field, `"${field}" must be a string.`);
  if (!value.isWellFormed()) throw invalid(field, `"${field}" is not valid text.`);
  const pw = value.normalize('NFC');
  const length = [...pw].length;
  if (isNew && length < PASSWORD_MIN) {
    throw invalid(field, `A password needs at least ${PASSWORD_MIN} characters.`);
  }
  if (length === 0 || length > PASSWORD_MAX) {
    throw invalid(field, `A password has 1 to ${PASSWORD_MAX} characters.`);
  }
  if (isNew) refuseCommonPassword(pw, field);
  return pw;
}
