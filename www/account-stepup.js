// Step-up ("confirm it is you", GitHub's sudo mode): when the service answers a sensitive change
// with STEP_UP_REQUIRED, this dialog asks for the password and a code from the app (or a backup
// code; the password alone while 2FA is off), sends POST /api/session/step-up, and the change is
// retried (account-api.js, onStepUpRequired). For 10 minutes after, changes ask nothing more.
import { api, onStepUpRequired } from './account-api.js';
import { clearErrors, codeInput, fieldError, normaliseCode, onSubmit, renderMessage } from './account-form.js';
import { describeError } from './account-messages.js';
import { $ } from './dom.js';

const ui = {
  dialog: /** @type {HTMLDialogElement} */ ($('stepup-dialog')),
  form: /** @type {HTMLFormElement} */ ($('stepup-form')),
  text: $('stepup-text'),
  password: /** @type {HTMLInputElement} */ ($('stepup-password')),
  codeField: $('stepup-code-field'),
  code: /** @type {HTMLInputElement} */ ($('stepup-code')),
  backupField: $('stepup-backup-field'),
  backup: /** @type {HTMLInputElement} */ ($('stepup-backup')),
  toggle: /** @type {HTMLButtonElement} */ ($('stepup-toggle')),
  error: $('stepup-form-error'),
  cancel: $('stepup-cancel'),
};

/** The open prompt's resolver. */
let settle = null;
let useBackup = false;
/** @type {() => boolean} */
let twoFactorOn = () => true;

function mode(backup) {
  useBackup = backup;
  const on = twoFactorOn();
  ui.codeField.hidden = !on || backup;
  ui.backupField.hidden = !on || !backup;
  ui.toggle.hidden = !on;
  ui.toggle.textContent = backup ? 'Use a code from your app instead' : 'Use a backup code instead';
  ui.text.textContent = on
    ? 'This change needs your password and a code from your app. You will not be asked again for 10 minutes.'
    : 'This change needs your password. You will not be asked again for 10 minutes.';
}

/** Opens the prompt; resolves true after a successful step-up, false when cancelled. */
function ask() {
  if (settle) settle(false);
  ui.form.reset();
  clearErrors(ui.form);
  mode(false);
  ui.dialog.showModal();
  ui.password.focus();
  return new Promise((resolve) => {
    settle = resolve;
  });
}

function close(result) {
  const s = settle;
  settle = null;
  if (ui.dialog.open) ui.dialog.close();
  s?.(result);
}

async function submit() {
  clearErrors(ui.form);
  if (ui.password.value === '') return fieldError(ui.password, 'Enter your password.');
  const body = { password: ui.password.value };
  const on = twoFactorOn();
  if (on && !useBackup) {
    const code = normaliseCode(ui.code.value);
    if (!/^\d{6,10}$/.test(code)) return fieldError(ui.code, 'Enter the 6-digit code from your app.');
    body.code = code;
  } else if (on) {
    if (ui.backup.value.trim() === '') return fieldError(ui.backup, 'Enter one of your backup codes.');
    body.recoveryCode = ui.backup.value.trim();
  }
  try {
    await api.stepUp(body);
  } catch (err) {
    const m = describeError(err, useBackup ? 'backup' : on ? 'code' : 'password');
    const input = m.field === 'password' ? ui.password : m.field === 'code' ? ui.code : m.field === 'backup' ? ui.backup : null;
    if (input) {
      input.value = '';
      fieldError(input, m);
    } else renderMessage(ui.error, m);
    if (err?.code === 'UNAUTHENTICATED') close(false);
    return;
  }
  close(true);
}

/** @param {{ twoFactorOn: () => boolean }} options whether the signed-in account has 2FA on */
export function initStepUp(options) {
  twoFactorOn = options.twoFactorOn;
  onSubmit(ui.form, submit);
  codeInput(ui.code, { ready: () => ui.password.value !== '' });
  ui.toggle.addEventListener('click', () => {
    mode(!useBackup);
    (useBackup ? ui.backup : ui.code).focus();
  });
  ui.cancel.addEventListener('click', () => close(false));
  ui.dialog.addEventListener('close', () => close(false));
  onStepUpRequired(ask);
}
