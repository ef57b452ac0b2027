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

/** @type {Set<string> | null} */
let common = null;

/** Whether a password (NFC) is on the list; case does not matter ("Dragon123" = "dragon123"). */
export function isCommonPassword(password) {
  common ??= new Set(COMMON_PASSWORDS.split('\n'));
  return common.has(password.toLowerCase());
}

/**
 * Refuses a new password that is on the list: 400 PASSWORD_TOO_COMMON naming the field. Used
 * for every new password (sign-up, password change) through validate.js's normalisePassword.
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
