// The account page: what a site that uses totp-wasm shows its people, talking to the edge
// service's JSON API (edge/README.md). Views: sign in (password, then a code from the app or
// "Use a backup code instead"), create an account, remove 2FA with the 16-digit removal code,
// and, signed in, the account: 2FA status, authenticators, backup codes, update tokens; the
// setup (account-enroll.js) and the backup codes shown once (account-codes.js).
//
// The session is an HttpOnly cookie: the page never sees it, and asks /api/profile whether it is
// signed in. The service decides every rule; the page asks for what each action needs.
import { api } from './account-api.js';
import { clearBackupCodes, initBackupCodes, renderBackupCodes } from './account-codes.js';
import { initEnrollment, startEnrollment } from './account-enroll.js';
import { clearErrors, codeInput, fieldError, normaliseCode, onSubmit, renderMessage, valueOf } from './account-form.js';
import { describeError, formatDate, plural } from './account-messages.js';
import { noteOldTokens } from './account-old-tokens.js';
import { initPassword } from './account-password.js';
import { hideResync, initResync, offerResync } from './account-resync.js';
import { codeWanted, initOneForm, oneFormCode, oneFormRefused } from './account-one-form.js';
import { initSessions, loadSessions } from './account-sessions.js';
import { loadSecurityEvents, signInNotice } from './account-security-events.js';
import { initStepUp } from './account-stepup.js';
import { forgetFreshToken, initTokens, loadTokens } from './account-tokens.js';
import { $ } from './dom.js';

const ui = {
  status: $('status'),
  main: $('main'),
  flash: $('flash'),
  views: [...document.querySelectorAll('.view')],
  // sign in
  signinForm: /** @type {HTMLFormElement} */ ($('signin-form')),
  signinTitle: $('signin-title'),
  signinUsername: /** @type {HTMLInputElement} */ ($('signin-username')),
  signinPassword: /** @type {HTMLInputElement} */ ($('signin-password')),
  // second step
  otpForm: /** @type {HTMLFormElement} */ ($('otp-form')),
  otpCode: /** @type {HTMLInputElement} */ ($('otp-code')),
  backupForm: /** @type {HTMLFormElement} */ ($('backup-form')),
  backupCode: /** @type {HTMLInputElement} */ ($('backup-code')),
  useBackup: $('use-backup'),
  useOtp: $('use-otp'),
  codeCancel: $('code-cancel'),
  codeUsers: [...document.querySelectorAll('.code-user')],
  // sign up
  signupForm: /** @type {HTMLFormElement} */ ($('signup-form')),
  signupTitle: $('signup-title'),
  signupUsername: /** @type {HTMLInputElement} */ ($('signup-username')),
  signupPassword: /** @type {HTMLInputElement} */ ($('signup-password')),
  // remove 2FA
  removeForm: /** @type {HTMLFormElement} */ ($('remove-form')),
  removeTitle: $('remove-title'),
  removeUsername: /** @type {HTMLInputElement} */ ($('remove-username')),
  removePassword: /** @type {HTMLInputElement} */ ($('remove-password')),
  removeCode: /** @type {HTMLInputElement} */ ($('remove-code')),
  removeFormError: $('remove-form-error'),
  removeBackupOffer: $('remove-backup-offer'),
  removeBackupSignin: $('remove-backup-signin'),
  // account
  accountTitle: $('account-title'),
  accountUser: $('account-user'),
  sessionInfo: $('session-info'),
  logout: $('logout'),
  tfaTitle: $('tfa-title'),
  tfaBadge: $('tfa-badge'),
  tfaOff: $('tfa-off'),
  tfaOn: $('tfa-on'),
  tfaLocked: $('tfa-locked'),
  enable: $('enable'),
  authenticators: $('authenticators'),
  addAuthenticator: $('add-authenticator'),
  backupLeft: $('backup-left'),
  backupWarning: $('backup-warning'),
  removalStatus: $('removal-status'),
  regenerate: $('regenerate'),
  disable: $('disable'),
  // dialogs
  passwordDialog: /** @type {HTMLDialogElement} */ ($('password-dialog')),
  passwordForm: /** @type {HTMLFormElement} */ ($('password-form')),
  passwordTitle: $('password-dialog-title'),
  passwordText: $('password-dialog-text'),
  dialogRemovalField: $('dialog-removal-field'),
  dialogRemoval: /** @type {HTMLInputElement} */ ($('dialog-removal')),
  dialogPassword: /** @type {HTMLInputElement} */ ($('dialog-password')),
  passwordFormError: $('password-form-error'),
  passwordSubmit: $('password-submit'),
  passwordCancel: $('password-cancel'),
  renameDialog: /** @type {HTMLDialogElement} */ ($('rename-dialog')),
  renameForm: /** @type {HTMLFormElement} */ ($('rename-form')),
  renameName: /** @type {HTMLInputElement} */ ($('rename-name')),
  renameCancel: $('rename-cancel'),
};

/**
 * Whether this browser may be signed in. The session cookie is HttpOnly (invisible here), so
 * the page remembers that it signed in; a fresh visitor's page then does not ask /api/profile
 * only to be told 401. The service stays the judge: a stale hint costs one 401.
 */
const HINT = 'totp-wasm-account:signed-in';
const hint = {
  get: () => {
    try {
      return localStorage.getItem(HINT) === '1';
    } catch {
      return true; // no storage: ask the service
    }
  },
  set: (on) => {
    try {
      if (on) localStorage.setItem(HINT, '1');
      else localStorage.removeItem(HINT);
    } catch {
      // no storage
    }
  },
};

/** The signed-in account as /api/profile last answered, or null when signed out. */
let profile = null;
/** Between the password and the code: `{ ticket, username }`. */
let pending = null;

// ---------------------------------------------------------------------------------------------
// Views, messages, focus

const SIGNED_OUT = { signin: 'view-signin', signup: 'view-signup', remove: 'view-remove' };

/**
 * Shows one view and moves the focus into it (its heading, or `focus`), so keyboard and
 * screen-reader users continue where the page changed.
 */
function showView(id, focus) {
  for (const view of ui.views) view.hidden = view.id !== id;
  ui.main.classList.toggle('narrow-main', ['view-signin', 'view-code', 'view-signup', 'view-remove'].includes(id));
  // Printing prints the backup codes only while they are shown (account.css, @media print).
  document.body.classList.toggle('print-codes', id === 'view-codes');
  document.body.classList.toggle('print-qr', id === 'view-enroll');
  if (id !== 'view-codes') clearBackupCodes();
  flash('');
  const view = $(id);
  (focus ?? view.querySelector('h2'))?.focus();
}

/** A message above the current view, read out by screen readers (role="status"). */
function flash(message, kind = 'info') {
  renderMessage(ui.flash, message);
  ui.flash.className = message ? `flash ${kind}` : 'flash';
}

/** Any UNAUTHENTICATED answer while signed in: the session ended; back to signing in. */
function signedOut(err) {
  if (/** @type {any} */ (err)?.code !== 'UNAUTHENTICATED') return false;
  profile = null;
  hint.set(false);
  forgetFreshToken();
  if (ui.passwordDialog.open) ui.passwordDialog.close();
  if (ui.renameDialog.open) ui.renameDialog.close();
  showSignedOut('signin', describeError(err).text, 'warn');
  return true;
}

/** Routes the signed-out views by the URL's hash (#signup, #remove, else sign in). */
function showSignedOut(name, message, kind = 'info') {
  const target = SIGNED_OUT[name] ? name : 'signin';
  if (location.hash !== `#${target}` && (location.hash || target !== 'signin')) {
    history.replaceState(null, '', `#${target}`);
  }
  if (target === 'signin') {
    clearErrors(ui.signinForm);
    ui.signinPassword.value = '';
    showView('view-signin', ui.signinUsername.value ? ui.signinPassword : ui.signinUsername);
  } else if (target === 'signup') {
    clearErrors(ui.signupForm);
    showView('view-signup', ui.signupUsername);
  } else {
    clearErrors(ui.removeForm);
    if (!ui.removeUsername.value) ui.removeUsername.value = ui.signinUsername.value;
    showView('view-remove', ui.removeUsername.value ? ui.removePassword : ui.removeUsername);
  }
  if (message) flash(message, kind);
}

function onHashChange() {
  const name = location.hash.slice(1);
  // Signed in, the account view stays; other fragments (the skip link's #main) are not views.
  if (profile || (name !== '' && !SIGNED_OUT[name])) return;
  pending = null;
  showSignedOut(name);
}

// ---------------------------------------------------------------------------------------------
// Signing in, up and out

async function afterSignIn(r) {
  hint.set(true);
  ui.signinPassword.value = '';
  ui.signupPassword.value = '';
  pending = null;
  history.replaceState(null, '', location.pathname);
  let message = '';
  let kind = 'good';
  if (r.authenticatedWith === 'recovery') {
    const left = r.recoveryCodesRemaining ?? 0;
    message = `Signed in with a backup code. ${left === 0 ? 'No backup codes left' : `${plural(left, 'backup code')} left`}.`;
    if (left <= 3) {
      message += ' Make new ones below so you are not locked out.';
      kind = 'warn';
    }
  }
  const notice = signInNotice(r.notice);
  if (notice) [message, kind] = [notice, 'warn'];
  await showAccount(message, kind);
}

async function signIn() {
  clearErrors(ui.signinForm);
  const username = valueOf(ui.signinUsername);
  if (!username) return fieldError(ui.signinUsername, 'Enter your username.');
  if (ui.signinPassword.value === '') return fieldError(ui.signinPassword, 'Enter your password.');
  let r;
  const code = oneFormCode();
  try {
    r = await api.login(username, ui.signinPassword.value, code);
  } catch (err) {
    if (code !== undefined && oneFormRefused(err)) return;
    const m = describeError(err, 'signin');
    fieldError(m.field === 'username' ? ui.signinUsername : ui.signinPassword, m);
    return;
  }
  if (r.status === 'two_factor_required' && codeWanted()) return;
  if (r.status === 'two_factor_required') {
    pending = { ticket: r.ticket, username };
    ui.signinPassword.value = '';
    showCodeStep('otp');
    return;
  }
  await afterSignIn(r);
}

/** The second step: a code from the app, or a backup code. */
function showCodeStep(mode) {
  for (const el of ui.codeUsers) el.textContent = pending?.username ?? '';
  ui.otpForm.hidden = mode !== 'otp';
  ui.backupForm.hidden = mode === 'otp';
  clearErrors(ui.otpForm);
  clearErrors(ui.backupForm);
  ui.otpCode.value = '';
  ui.backupCode.value = '';
  hideResync();
  showView('view-code', mode === 'otp' ? ui.otpCode : ui.backupCode);
}

/** A refusal at the second step. The ticket may be gone: then back to the password. */
function codeRefused(err, where) {
  const e = /** @type {any} */ (err);
  const m = describeError(err, where === 'resync' ? 'code' : where);
  if (e.code === 'TICKET_EXPIRED' || e.ticketAttemptsLeft === 0) {
    const text = e.code === 'TICKET_EXPIRED'
      ? m.text
      : `${m.text.replace(/ The next wrong code.*$/, '')} That was the last try of this sign-in: enter your password again.`;
    pending = null;
    showSignedOut('signin');
    fieldError(ui.signinPassword, { text, retryAt: m.retryAt });
    return;
  }
  const input = where === 'backup' ? ui.backupCode : where === 'resync' ? $('resync-first') : ui.otpCode;
  fieldError(input, m);
}

async function verifyOtp() {
  clearErrors(ui.otpForm);
  const code = normaliseCode(ui.otpCode.value);
  if (!/^\d{6}$/.test(code)) {
    return fieldError(ui.otpCode, code === '' ? 'Enter the 6-digit code your app shows.' : 'A code is 6 digits.');
  }
  if (!pending) return showSignedOut('signin');
  try {
    await afterSignIn(await api.verifyCode(pending.ticket, code));
  } catch (err) {
    // One refused code may be a clock that is off: offer the two-code way in.
    if (/** @type {any} */ (err).code === 'INVALID_CODE') offerResync();
    codeRefused(err, 'code');
  }
}

async function verifyBackup() {
  clearErrors(ui.backupForm);
  const code = valueOf(ui.backupCode);
  if (!code) return fieldError(ui.backupCode, 'Enter one of your backup codes.');
  if (/^\d{16}$/.test(normaliseCode(code))) {
    return fieldError(ui.backupCode, 'That is your 16-digit removal code, not a backup code: it does not sign you in, it turns 2FA off (“Lost your phone and your backup codes?” below).');
  }
  if (!pending) return showSignedOut('signin');
  try {
    await afterSignIn(await api.verifyBackupCode(pending.ticket, code));
  } catch (err) {
    codeRefused(err, 'backup');
  }
}

async function signUp() {
  clearErrors(ui.signupForm);
  const username = valueOf(ui.signupUsername);
  if (!username) return fieldError(ui.signupUsername, 'Choose a username.');
  if ([...ui.signupPassword.value].length < 8) {
    return fieldError(ui.signupPassword, 'A password needs at least 8 characters.');
  }
  let r;
  try {
    r = await api.signup(username, ui.signupPassword.value);
  } catch (err) {
    const m = describeError(err, 'other');
    fieldError(m.field === 'password' ? ui.signupPassword : ui.signupUsername, m);
    return;
  }
  ui.signinUsername.value = r.username;
  await afterSignIn(r);
  flash('Your account is ready. Next: turn on two-factor authentication.', 'good');
}

async function logOut() {
  try {
    await api.logout();
  } catch {
    // Signed out anyway as far as this page goes; the cookie expires on its own.
  }
  profile = null;
  pending = null;
  hint.set(false);
  forgetFreshToken();
  showSignedOut('signin', 'You are signed out.', 'good');
}

/** A value shaped like a backup code (12 letters and digits, "abcd-efgh-jkmn"), not 16 digits. */
function looksLikeBackupCode(value) {
  const v = value.replace(/[\s-]/g, '').toLowerCase();
  return /^[0-9a-z]{12}$/.test(v) && /[a-z]/.test(v);
}

async function removeTwoFactor() {
  clearErrors(ui.removeForm);
  ui.removeBackupOffer.hidden = true;
  const username = valueOf(ui.removeUsername);
  const code = valueOf(ui.removeCode);
  if (!username) return fieldError(ui.removeUsername, 'Enter your username.');
  if (ui.removePassword.value === '') return fieldError(ui.removePassword, 'Enter your password.');
  if (looksLikeBackupCode(code)) {
    fieldError(ui.removeCode, 'That is a backup code, not the removal code: the removal code is 16 digits.');
    ui.removeBackupOffer.hidden = false;
    return;
  }
  if (!/^\d{16}$/.test(normaliseCode(code))) {
    return fieldError(ui.removeCode, 'Enter the 16-digit removal code you saved (backup codes look like abcd-efgh-jkmn).');
  }
  try {
    await api.removeWithRecoveryCode(username, ui.removePassword.value, code);
  } catch (err) {
    const m = describeError(err, 'removal');
    const input = { username: ui.removeUsername, password: ui.removePassword, removal: ui.removeCode }[m.field ?? ''];
    if (input) fieldError(input, m);
    else renderMessage(ui.removeFormError, m);
    return;
  }
  ui.removePassword.value = '';
  ui.removeCode.value = '';
  ui.removeBackupOffer.hidden = true;
  ui.signinUsername.value = username;
  showSignedOut(
    'signin',
    `Two-factor authentication is off for ${username}. Sign in with your password, then turn it on again with your new phone.`,
    'good',
  );
}

/** "Sign in with this backup code": the removal form's username, password and code. */
async function signInWithBackupFromRemoval() {
  clearErrors(ui.removeForm);
  const username = valueOf(ui.removeUsername);
  const code = valueOf(ui.removeCode);
  let r;
  try {
    r = await api.login(username, ui.removePassword.value);
    if (r.status === 'two_factor_required') r = await api.verifyBackupCode(r.ticket, code);
  } catch (err) {
    const m = describeError(err, err.code === 'WRONG_PASSWORD' ? 'removal' : 'backup');
    const input = { username: ui.removeUsername, password: ui.removePassword, backup: ui.removeCode }[m.field ?? ''];
    if (input) fieldError(input, m);
    else renderMessage(ui.removeFormError, m);
    return;
  }
  ui.removePassword.value = '';
  ui.removeCode.value = '';
  ui.removeBackupOffer.hidden = true;
  ui.signinUsername.value = username;
  await afterSignIn(r);
}

// ---------------------------------------------------------------------------------------------
// The account

const METHODS = { password: 'your password', otp: 'your password and a code from your app', recovery: 'your password and a backup code' };

function renderProfile(p) {
  ui.accountUser.textContent = p.username;
  renderMessage(ui.sessionInfo, {
    text: `Signed in with ${METHODS[p.session.authenticatedWith] ?? 'your password'}. This session ends at {time}.`,
    retryAt: p.session.expiresAt,
    seconds: false,
  });
  const t = p.twoFactor;
  ui.tfaBadge.textContent = t.enabled ? 'On' : 'Off';
  ui.tfaBadge.className = `badge ${t.enabled ? 'on' : 'off'}`;
  ui.tfaOff.hidden = t.enabled;
  ui.tfaOn.hidden = !t.enabled;
  if (!t.enabled) return;

  ui.tfaLocked.hidden = !t.lockedUntil;
  if (t.lockedUntil) {
    renderMessage(ui.tfaLocked, { text: 'After too many wrong codes, signing in with a code is paused until {time}.', retryAt: t.lockedUntil });
  }
  const only = t.authenticators.length === 1;
  ui.authenticators.replaceChildren(...t.authenticators.map((a) => authenticatorItem(a, only)));

  const left = t.recoveryCodesRemaining;
  ui.backupLeft.textContent = `${left} of 10 backup codes left.`;
  ui.backupWarning.hidden = left > 3;
  ui.backupWarning.textContent = left === 0
    ? 'No backup codes left: make new ones now, or losing your phone locks you out.'
    : `Only ${plural(left, 'backup code')} left: make new ones before you run out.`;
  ui.removalStatus.textContent = t.removalCode
    ? 'You have a removal code (16 digits) that turns two-factor authentication off.'
    : 'No removal code: you can make one with new backup codes.';
}

function authenticatorItem(a, only) {
  const li = document.createElement('li');
  li.className = 'item';
  li.dataset.id = String(a.id);
  const main = document.createElement('div');
  main.className = 'item-main';
  const name = document.createElement('strong');
  name.className = 'item-name';
  name.textContent = a.name;
  const meta = document.createElement('span');
  meta.className = 'item-meta';
  meta.textContent = `Added ${formatDate(a.added)}`;
  main.append(name, meta);
  const tools = document.createElement('div');
  tools.className = 'item-tools';
  const rename = document.createElement('button');
  rename.type = 'button';
  rename.className = 'link-button';
  rename.textContent = 'Rename';
  rename.setAttribute('aria-label', `Rename ${a.name}`);
  rename.addEventListener('click', () => openRename(a));
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'link-button danger-link';
  remove.textContent = 'Remove';
  remove.setAttribute('aria-label', `Remove ${a.name}`);
  remove.addEventListener('click', () =>
    askPassword({
      title: `Remove “${a.name}”?`,
      text: only
        ? 'It is your only authenticator: removing it turns two-factor authentication off, and your backup codes stop working. Enter your password to remove it.'
        : 'Its codes stop working for this account. Enter your password to remove it.',
      submit: 'Remove',
      danger: true,
      run: async (password) => {
        const r = await api.removeAuthenticator(a.id, password);
        await showAccount(
          r.twoFactorEnabled
            ? `“${a.name}” removed.`
            : `“${a.name}” removed: two-factor authentication is off.`,
          'good',
          ui.tfaTitle,
        );
      },
    }),
  );
  tools.append(rename, remove);
  li.append(main, tools);
  return li;
}

/**
 * Loads the profile and shows the account (signed out: the sign-in view).
 * @param {string} [message] shown above it
 * @param {string} [kind]
 * @param {HTMLElement} [focus]
 */
async function showAccount(message = '', kind = 'good', focus) {
  try {
    profile = await api.profile();
  } catch (err) {
    profile = null;
    if (!signedOut(err)) {
      showSignedOut(location.hash.slice(1));
      flash(describeError(err).text, 'bad');
    }
    return;
  }
  renderProfile(profile);
  showView('view-account', focus ?? ui.accountTitle);
  flash(message, kind);
  await loadTokens();
  // Then the sessions list and the old-tokens note fill in by themselves (they report their own
  // errors), so that the view is ready as early as before they existed.
  loadSessions();
  loadSecurityEvents();
  noteOldTokens(profile);
}

// ---------------------------------------------------------------------------------------------
// Dialogs: actions the service confirms with the password, and renaming

/** @type {{ run: (password: string, removalCode: boolean) => Promise<void> } | null} */
let passwordAction = null;

/**
 * Asks for the password (the service's rule for these actions) and runs the action.
 * @param {{ title: string, text: string, submit: string, danger?: boolean, removalChoice?: boolean,
 *   run: (password: string, removalCode: boolean) => Promise<void> }} action
 */
function askPassword(action) {
  passwordAction = action;
  ui.passwordForm.reset();
  clearErrors(ui.passwordForm);
  ui.passwordTitle.textContent = action.title;
  ui.passwordText.textContent = action.text;
  ui.passwordSubmit.textContent = action.submit;
  ui.passwordSubmit.className = action.danger ? 'danger' : '';
  ui.dialogRemovalField.hidden = !action.removalChoice;
  ui.passwordDialog.showModal();
  ui.dialogPassword.focus();
}

async function submitPassword() {
  clearErrors(ui.passwordForm);
  if (ui.dialogPassword.value === '') return fieldError(ui.dialogPassword, 'Enter your password.');
  const action = passwordAction;
  if (!action) return;
  try {
    await action.run(ui.dialogPassword.value, ui.dialogRemoval.checked && !ui.dialogRemovalField.hidden);
  } catch (err) {
    if (signedOut(err)) return;
    const m = describeError(err, 'password');
    if (m.field === 'password') {
      ui.dialogPassword.value = '';
      fieldError(ui.dialogPassword, m);
    } else {
      renderMessage(ui.passwordFormError, m);
    }
    return;
  }
  ui.dialogPassword.value = '';
  if (ui.passwordDialog.open) ui.passwordDialog.close();
}

/** @type {{ id: number, name: string } | null} */
let renaming = null;

function openRename(a) {
  renaming = a;
  clearErrors(ui.renameForm);
  ui.renameName.value = a.name;
  ui.renameDialog.showModal();
  ui.renameName.select();
}

async function submitRename() {
  clearErrors(ui.renameForm);
  const name = valueOf(ui.renameName);
  if (!name) return fieldError(ui.renameName, 'Enter a name.');
  if (!renaming) return;
  const id = renaming.id;
  try {
    await api.renameAuthenticator(id, name);
  } catch (err) {
    if (signedOut(err)) return;
    fieldError(ui.renameName, describeError(err));
    return;
  }
  ui.renameDialog.close();
  await showAccount(`Renamed to “${name}”.`, 'good', ui.tfaTitle);
  ui.authenticators.querySelector(`li[data-id="${id}"] button`)?.focus();
}

// ---------------------------------------------------------------------------------------------
// Start

function init() {
  onSubmit(ui.signinForm, signIn);
  initOneForm();
  onSubmit(ui.otpForm, verifyOtp);
  onSubmit(ui.backupForm, verifyBackup);
  initResync({ ticket: () => pending?.ticket ?? null, signedIn: afterSignIn, refused: (err) => codeRefused(err, 'resync') });
  onSubmit(ui.signupForm, signUp);
  onSubmit(ui.removeForm, removeTwoFactor);
  ui.removeBackupSignin.addEventListener('click', signInWithBackupFromRemoval);
  onSubmit(ui.passwordForm, submitPassword);
  onSubmit(ui.renameForm, submitRename);
  // Six digits typed or pasted ("123 456" too) sign in without pressing Enter.
  codeInput(ui.otpCode);
  ui.useBackup.addEventListener('click', () => showCodeStep('backup'));
  ui.useOtp.addEventListener('click', () => showCodeStep('otp'));
  ui.codeCancel.addEventListener('click', () => {
    pending = null;
    showSignedOut('signin');
  });
  ui.logout.addEventListener('click', logOut);
  ui.enable.addEventListener('click', () => startEnrollment(true, profile?.username ?? ''));
  ui.addAuthenticator.addEventListener('click', () => startEnrollment(false, profile?.username ?? ''));
  ui.regenerate.addEventListener('click', () =>
    askPassword({
      title: 'Make new backup codes?',
      text: 'You get ten new codes, shown once. Every earlier backup code (and removal code) stops working.',
      submit: 'Make new codes',
      removalChoice: true,
      run: async (password, removalCode) => {
        const r = await api.regenerateBackupCodes(password, removalCode);
        ui.passwordDialog.close();
        showBackupCodesView(r.recoveryCodes, r.removalCode, 'New backup codes made: the earlier ones no longer work.');
      },
    }),
  );
  ui.disable.addEventListener('click', () =>
    askPassword({
      title: 'Turn off two-factor authentication?',
      text: 'Signing in will ask for your password only. Your authenticators, backup codes and removal code stop working; turning it on again gives a new QR code.',
      submit: 'Turn off',
      danger: true,
      run: async (password) => {
        await api.disable(password);
        await showAccount('Two-factor authentication is off.', 'good', ui.tfaTitle);
      },
    }),
  );
  ui.passwordCancel.addEventListener('click', () => ui.passwordDialog.close());
  ui.renameCancel.addEventListener('click', () => ui.renameDialog.close());
  window.addEventListener('hashchange', onHashChange);

  const app = {
    showView,
    flash,
    showAccount,
    showBackupCodes: (codes, removalCode) => showBackupCodesView(codes, removalCode, 'Two-factor authentication is on.'),
    signedOut,
  };
  initEnrollment(app);
  initTokens(app);
  initSessions(app);
  initStepUp({ twoFactorOn: () => Boolean(profile?.twoFactor.enabled) });
  initPassword({
    ...app,
    refresh: (message) => {
      forgetFreshToken(); // the password change revoked it
      return showAccount(message, 'good');
    },
    deleted: () => {
      profile = null;
      hint.set(false);
      forgetFreshToken();
      showSignedOut('signin', 'Your account is deleted.', 'good');
    },
  });
  initBackupCodes({ onDone: () => showAccount('', 'good', ui.tfaTitle) });
}

/** The backup codes view, after turning 2FA on or making new codes. */
function showBackupCodesView(codes, removalCode, message) {
  renderBackupCodes(profile?.username ?? '', codes, removalCode);
  showView('view-codes');
  flash(message, 'good');
}

async function start() {
  init();
  ui.status.hidden = true;
  ui.main.hidden = false;
  try {
    profile = hint.get() ? await api.profile() : null;
  } catch {
    profile = null;
  }
  hint.set(Boolean(profile));
  if (profile) {
    renderProfile(profile);
    showView('view-account', ui.accountTitle);
    await loadTokens();
    loadSessions();
    loadSecurityEvents();
    noteOldTokens(profile);
  } else {
    showSignedOut(location.hash.slice(1));
  }
}

start();
