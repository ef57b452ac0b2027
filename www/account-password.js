// The password card: change the password (the current one and a new one; every other browser
// and every update token is signed out) and delete the account (with the password: everything
// of it goes). Both may ask to confirm with a code first (account-stepup.js).
import { api } from './account-api.js';
import { clearErrors, fieldError, onSubmit, renderMessage } from './account-form.js';
import { describeError } from './account-messages.js';
import { $ } from './dom.js';

const ui = {
  form: /** @type {HTMLFormElement} */ ($('change-password-form')),
  current: /** @type {HTMLInputElement} */ ($('current-password')),
  next: /** @type {HTMLInputElement} */ ($('new-password')),
  error: $('change-password-error'),
  deleteForm: /** @type {HTMLFormElement} */ ($('delete-account-form')),
  deletePassword: /** @type {HTMLInputElement} */ ($('delete-password')),
  deleteError: $('delete-account-error'),
};

/**
 * @type {{ flash: (m: string, kind?: string) => void, signedOut: (err: Error) => boolean,
 *   refresh: (message: string) => Promise<void>, deleted: () => void }}
 */
let app;

/** Shows a refusal next to its field (a password field) or under the form. */
function refused(err, form, fields, formError) {
  if (app.signedOut(err)) return;
  const m = describeError(err, 'password');
  const input = m.field === 'password' ? fields.password : m.field === 'newPassword' ? fields.newPassword : null;
  if (input) {
    input.value = '';
    fieldError(input, m);
  } else renderMessage(formError, m);
}

async function changePassword() {
  clearErrors(ui.form);
  if (ui.current.value === '') return fieldError(ui.current, 'Enter your current password.');
  if ([...ui.next.value.normalize('NFC')].length < 8) return fieldError(ui.next, 'A new password needs at least 8 characters.');
  try {
    await api.changePassword(ui.current.value, ui.next.value);
  } catch (err) {
    refused(err, ui.form, { password: ui.current, newPassword: ui.next }, ui.error);
    return;
  }
  ui.form.reset();
  await app.refresh('Password changed. Every other browser and every update token is signed out.');
}

async function deleteAccount() {
  clearErrors(ui.deleteForm);
  if (ui.deletePassword.value === '') return fieldError(ui.deletePassword, 'Enter your password.');
  try {
    await api.deleteAccount(ui.deletePassword.value);
  } catch (err) {
    refused(err, ui.deleteForm, { password: ui.deletePassword }, ui.deleteError);
    return;
  }
  ui.deleteForm.reset();
  app.deleted();
}

/** @param {typeof app} options */
export function initPassword(options) {
  app = options;
  onSubmit(ui.form, changePassword);
  onSubmit(ui.deleteForm, deleteAccount);
}
