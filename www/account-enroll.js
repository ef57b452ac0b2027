// Turning on two-factor authentication, and adding another authenticator, the way No-IP and
// the DNS provider's help pages describe it: the service starts a setup and returns the
// otpauth:// URI with the manual-entry fields; this page draws the QR code from the URI with
// qrSvg() (locally, never a QR service), shows account name, key in groups of four and type;
// "Yes, I scanned it"; then the first code and the password confirm it.
import { qrSvg } from 'totp-wasm';
import { api } from './account-api.js';
import { clearErrors, codeInput, fieldError, normaliseCode, onSubmit, renderMessage, valueOf } from './account-form.js';
import { describeError } from './account-messages.js';
import { offerQrBackup, forgetQrBackup, initQrBackup } from './account-qr-backup.js';
import { copyText } from './clipboard.js';
import { $ } from './dom.js';

const ui = {
  title: $('enroll-title'),
  stepScan: $('step-label-scan'),
  stepConfirm: $('step-label-confirm'),
  scan: $('enroll-scan'),
  scanTitle: $('scan-title'),
  qr: $('enroll-qr'),
  account: $('enroll-account'),
  key: $('enroll-key'),
  type: $('enroll-type'),
  switchType: $('enroll-switch-type'),
  copy: $('enroll-copy'),
  copyStatus: $('enroll-copy-status'),
  expires: $('enroll-expires'),
  uri: $('enroll-uri'),
  uriDetails: /** @type {HTMLDetailsElement} */ ($('enroll-uri').closest('details')),
  scanned: $('enroll-scanned'),
  cancel: $('enroll-cancel'),
  form: /** @type {HTMLFormElement} */ ($('enroll-form')),
  user: document.querySelector('.enroll-user'),
  code: /** @type {HTMLInputElement} */ ($('enroll-code')),
  password: /** @type {HTMLInputElement} */ ($('enroll-password')),
  name: /** @type {HTMLInputElement} */ ($('enroll-name')),
  removalField: $('enroll-removal-field'),
  removal: /** @type {HTMLInputElement} */ ($('enroll-removal')),
  formError: $('enroll-form-error'),
  submit: $('enroll-submit'),
  back: $('enroll-back'),
  restart: $('enroll-restart'),
  lostCodes: $('enroll-lost-codes'),
  lostRemoval: $('enroll-lost-removal'),
};

/**
 * What the page around it provides.
 * @typedef {{
 *   showView: (id: string, focus?: HTMLElement) => void,
 *   flash: (message: string, kind?: string) => void,
 *   showAccount: (message?: string, kind?: string) => Promise<void>,
 *   showBackupCodes: (codes: string[], removalCode?: string) => void,
 *   signedOut: (err: Error) => boolean,
 * }} App
 */

/** @type {App} */
let app;
/** Whether this setup turns 2FA on (the first authenticator) or adds one. */
let first = true;
/** The type of the setup shown: 'totp' or 'hotp'. */
let enrolling = 'totp';
/** The key as the service returned it ("ABCD EFGH …"), for the Copy button. */
let key = '';

/** "ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567" in lines of four groups that wrap as a whole. */
function showKey(grouped) {
  const groups = grouped.split(' ');
  const lines = [];
  for (let i = 0; i < groups.length; i += 4) {
    const span = document.createElement('span');
    span.className = 'key-line';
    span.textContent = groups.slice(i, i + 4).join(' ');
    lines.push(span, document.createTextNode(' '));
  }
  lines.pop();
  ui.key.replaceChildren(...lines);
}

function showStep(step) {
  const scanning = step === 'scan';
  ui.scan.hidden = !scanning;
  ui.form.hidden = scanning;
  const [current, other] = scanning ? [ui.stepScan, ui.stepConfirm] : [ui.stepConfirm, ui.stepScan];
  current.setAttribute('aria-current', 'step');
  other.removeAttribute('aria-current');
}

/**
 * Starts a setup: asks the service for a new secret and shows its QR code.
 * @param {boolean} isFirst true when 2FA is off (the first authenticator turns it on)
 * @param {string} username
 */
export async function startEnrollment(isFirst, username, type = 'totp') {
  let e;
  try {
    e = await api.startEnrollment(type);
  } catch (err) {
    if (!app.signedOut(err)) app.flash(describeError(err).text, 'bad');
    return;
  }
  first = isFirst;
  key = e.key;
  ui.title.textContent = first ? 'Turn on two-factor authentication' : 'Add another authenticator';
  // Dark on white whatever the colour scheme: scanners expect it.
  ui.qr.innerHTML = qrSvg(e.uri, { ecc: 'M', quietZone: 4, dark: '#000', light: '#fff' });
  ui.account.textContent = e.account;
  showKey(e.key);
  ui.type.textContent = e.type;
  enrolling = type;
  ui.switchType.textContent = type === 'hotp'
    ? 'Use a time-based code instead (most authenticator apps)'
    : 'My authenticator counts presses (HOTP): use a counter-based code';
  ui.uri.textContent = e.uri;
  ui.uriDetails.open = false;
  offerQrBackup(e.uri, username);
  // What gets you back in without the phone, said before confirming.
  ui.lostCodes.textContent = first ? 'ten codes, shown once after the next step' : 'the ten you saved when you turned 2FA on';
  ui.lostRemoval.hidden = !first;
  ui.copyStatus.textContent = '';
  renderMessage(ui.expires, { text: 'This QR code works until {time}.', retryAt: e.expiresAt, seconds: false });
  ui.user.textContent = username;

  ui.form.reset();
  clearErrors(ui.form);
  ui.name.value = first ? 'Phone' : '';
  ui.name.placeholder = first ? 'Phone' : 'Laptop';
  ui.removalField.hidden = !first;
  ui.submit.textContent = first ? 'Turn on 2FA' : 'Add authenticator';
  ui.submit.hidden = false;
  ui.back.hidden = false;
  ui.restart.hidden = true;
  showStep('scan');
  app.showView('view-enroll', ui.scanTitle);
}

async function copyKey() {
  const plain = key.replace(/\s+/g, '');
  ui.copyStatus.textContent = (await copyText(plain, { shown: ui.key, copied: 'Key copied.', what: 'the key' })).message;
}

async function confirm() {
  clearErrors(ui.form);
  const code = normaliseCode(ui.code.value);
  if (!/^\d{6}$/.test(code)) {
    fieldError(ui.code, code === '' ? 'Enter the 6-digit code your app shows.' : 'A code is 6 digits.');
    return;
  }
  if (ui.password.value === '') {
    fieldError(ui.password, 'Enter your password.');
    return;
  }
  const name = valueOf(ui.name);
  /** @type {{ code: string, password: string, name?: string, removalCode?: boolean }} */
  const body = { code, password: ui.password.value };
  if (name) body.name = name;
  if (first && ui.removal.checked) body.removalCode = true;
  let r;
  try {
    r = await api.confirmEnrollment(body);
  } catch (err) {
    if (app.signedOut(err)) return;
    const m = describeError(err, 'enroll');
    if (/** @type {any} */ (err).code === 'ENROLLMENT_EXPIRED') {
      renderMessage(ui.formError, m);
      ui.submit.hidden = true;
      ui.back.hidden = true;
      ui.restart.hidden = false;
      ui.restart.focus();
      return;
    }
    const input = { code: ui.code, password: ui.password, name: ui.name }[m.field ?? ''];
    if (input) fieldError(input, m);
    else renderMessage(ui.formError, m);
    if (m.field === 'password') ui.password.value = '';
    return;
  }
  ui.password.value = '';
  ui.qr.replaceChildren();
  ui.key.replaceChildren();
  ui.uri.textContent = '';
  forgetQrBackup();
  key = '';
  if (r.recoveryCodes) app.showBackupCodes(r.recoveryCodes, r.removalCode);
  else await app.showAccount(`Authenticator “${r.authenticator.name}” added: it gives codes for this account now.`, 'good');
}

/** Wires the enrollment view to the page. @param {App} page */
export function initEnrollment(page) {
  app = page;
  ui.copy.addEventListener('click', copyKey);
  ui.scanned.addEventListener('click', () => {
    showStep('confirm');
    ui.code.focus();
  });
  ui.back.addEventListener('click', () => {
    showStep('scan');
    ui.scanned.focus();
  });
  ui.cancel.addEventListener('click', () => {
    forgetQrBackup();
    app.showAccount('Setup cancelled: nothing changed.');
  });
  initQrBackup();
  ui.restart.addEventListener('click', () => startEnrollment(first, ui.user.textContent ?? '', enrolling));
  // A new secret of the other type (the QR code shown so far stops working).
  ui.switchType.addEventListener('click', () =>
    startEnrollment(first, ui.user.textContent ?? '', enrolling === 'hotp' ? 'totp' : 'hotp'));
  // The last digit submits, once the password is there too.
  codeInput(ui.code, { ready: () => ui.password.value !== '' });
  onSubmit(ui.form, confirm);
}
