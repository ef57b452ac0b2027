// The one-form sign-in (a DNS provider's form, seed 004): username, password and an "OTP Code"
// field left blank while 2FA is off, all sent to POST /api/login at once. Which form the page
// shows is the server's setting (GET /site-config.json; `cargo xtask demo --login one-form`).
import { api } from './account-api.js';
import { fieldError, normaliseCode } from './account-form.js';
import { describeError } from './account-messages.js';
import { $ } from './dom.js';

const ui = {
  field: $('signin-code-field'),
  code: /** @type {HTMLInputElement} */ ($('signin-code')),
};

let oneForm = false;

/** Asks the server which form to show; the two-step form stays if it cannot say. */
export async function initOneForm() {
  try {
    oneForm = (await api.siteConfig()).loginForm === 'one-form';
  } catch {
    oneForm = false;
  }
  ui.field.hidden = !oneForm;
  // Which form is on screen, once known (tests wait for it).
  ui.field.closest('form')?.setAttribute('data-login-form', oneForm ? 'one-form' : 'two-step');
}

/** The code typed in the one form, or undefined (two-step form, or left blank). */
export function oneFormCode() {
  if (!oneForm) return undefined;
  const code = normaliseCode(ui.code.value);
  return code === '' ? undefined : code;
}

/**
 * 2FA is on and no code was typed: says so next to the field (the password stays, so one more
 * submit with the code signs in). True when it did, i.e. in the one form.
 */
export function codeWanted() {
  if (!oneForm) return false;
  fieldError(ui.code, 'Two-factor authentication is on for this account: enter the code from your app.');
  return true;
}

/** A refusal of the code sent with the password: shown next to the code field. */
export function oneFormRefused(err) {
  const code = /** @type {any} */ (err).code;
  const lock = /** @type {any} */ (err).lock;
  if (!['INVALID_CODE', 'CODE_REPLAYED', 'CODE_TYPO'].includes(code) && !(code === 'LOCKED' && lock === 'code')) return false;
  fieldError(ui.code, describeError(err, 'code'));
  ui.code.value = '';
  return true;
}
