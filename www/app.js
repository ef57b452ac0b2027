// The totp-wasm demo page. Everything runs here, in the browser: the secret is generated with
// the package's CSPRNG-backed generateSecret(), the QR code is drawn locally with qrSvg() and
// the codes are computed with totp(). No request leaves the page apart from loading it.
//
// 'totp-wasm' resolves through the import map in index.html to /pkg/page/browser.js, the
// package's browser loader; it initialises the wasm with top-level await, so every function
// is usable as soon as this import has resolved.
import {
  buildUri,
  generateSecret,
  OtpError,
  qrSvg,
  remainingSeconds,
  totp,
  verifyTotp,
} from 'totp-wasm';
import { describe, groupCode } from './format.js';
import { copyText } from './clipboard.js';
import { $ } from './dom.js';

const PERIOD = 30; // the package's default; every authenticator app understands it

const ui = {
  status: $('status'),
  main: document.querySelector('main'),
  issuer: /** @type {HTMLInputElement} */ ($('issuer')),
  account: /** @type {HTMLInputElement} */ ($('account')),
  qr: $('qr'),
  qrError: $('qr-error'),
  accountName: $('account-name'),
  key: $('key'),
  copy: $('copy'),
  keyStatus: $('copy-status'),
  newSecret: $('new-secret'),
  uri: $('uri'),
  code: $('code'),
  ring: $('ring'),
  seconds: $('seconds'),
  remainingText: $('remaining-text'),
  checkForm: /** @type {HTMLFormElement} */ ($('check-form')),
  checkCode: /** @type {HTMLInputElement} */ ($('check-code')),
  checkResult: $('check-result'),
};

/** The one secret of this page (base32, 20 random bytes). Never sent anywhere. */
let secret = generateSecret();
let timer = 0;

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP": easier to read and type. */
function groupsOfFour(s) {
  return s.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * Shows the key in groups of four, in lines of at most four groups that wrap as a whole on
 * narrow screens (the text stays "ABCD EFGH …" for copying and screen readers).
 */
function showKey(el, key) {
  const lines = [];
  for (let i = 0; i < key.length; i += 16) {
    const span = document.createElement('span');
    span.className = 'key-line';
    span.textContent = groupsOfFour(key.slice(i, i + 16));
    lines.push(span, document.createTextNode(' '));
  }
  lines.pop();
  el.replaceChildren(...lines);
}

/** Redraws what depends on the secret, the issuer and the account: QR code, key, link. */
function renderEnrollment() {
  const issuer = ui.issuer.value.trim();
  const account = ui.account.value.trim();
  showKey(ui.key, secret);
  ui.accountName.textContent = account || '—';
  let uri;
  try {
    if (!account) throw new OtpError('INVALID_ARGUMENT', 'Enter an account name to get a QR code.');
    uri = buildUri({ secret, account, ...(issuer ? { issuer } : {}) });
    // Dark on white whatever the page's colour scheme: scanners expect it.
    ui.qr.innerHTML = qrSvg(uri, { ecc: 'M', quietZone: 4, dark: '#000', light: '#fff' });
  } catch (err) {
    ui.qr.replaceChildren();
    ui.qr.hidden = true;
    ui.qrError.textContent = describe(err);
    ui.qrError.hidden = false;
    ui.uri.textContent = '';
    return;
  }
  ui.qr.hidden = false;
  ui.qrError.hidden = true;
  ui.qrError.textContent = '';
  ui.uri.textContent = uri;
}

/** Updates the live code and the countdown; schedules itself for the next second. */
function tick() {
  clearTimeout(timer);
  const now = Date.now() / 1000;
  // One instant for both, so the code and the countdown always agree.
  const code = totp(secret, { time: now });
  const left = remainingSeconds({ time: now, period: PERIOD });
  const shown = groupCode(code);
  if (ui.code.textContent !== shown) ui.code.textContent = shown;
  ui.seconds.textContent = String(left);
  ui.remainingText.textContent = `A new code in ${left} second${left === 1 ? '' : 's'}.`;
  // The ring empties as the period runs out; it jumps back (no animation) at a new period.
  ui.ring.classList.toggle('reset', left === PERIOD);
  ui.ring.classList.toggle('low', left <= 5);
  ui.ring.setAttribute('stroke-dashoffset', String(((PERIOD - left) / PERIOD) * 100));
  // Wake up just after the next whole second.
  timer = setTimeout(tick, 1000 - (Date.now() % 1000) + 20);
}

function newSecret() {
  secret = generateSecret();
  renderEnrollment();
  ui.checkResult.textContent = '';
  ui.checkResult.className = 'result';
  ui.checkCode.value = '';
  ui.keyStatus.textContent = 'New secret made: scan the new QR code.';
  tick();
}

async function copyKey() {
  ui.keyStatus.textContent = (await copyText(secret, { shown: ui.key, copied: 'Key copied.', what: 'the key' })).message;
}

function offsetText(offset) {
  if (offset === 0) return 'Valid: this is the current code.';
  const steps = Math.abs(offset);
  const which = offset < 0 ? 'previous' : 'next';
  const plural = steps === 1 ? '' : 's';
  const hint = offset < 0 ? '' : ' (the clock of your device may be ahead)';
  return `Valid: the ${which} code, offset ${offset > 0 ? '+' : '−'}${steps} step${plural}${hint}.`;
}

function checkCode(event) {
  event.preventDefault();
  // People type "123 456" as the app shows it.
  const code = ui.checkCode.value.replace(/[\s-]/g, '');
  if (code === '') {
    ui.checkResult.textContent = 'Enter the 6-digit code your app shows.';
    ui.checkResult.className = 'result bad';
    ui.checkCode.focus();
    return;
  }
  let offset;
  try {
    offset = verifyTotp(secret, code, { window: 1 });
  } catch (err) {
    ui.checkResult.textContent = describe(err);
    ui.checkResult.className = 'result bad';
    return;
  }
  // The offset 0 is falsy: compare with null.
  if (offset !== null) {
    ui.checkResult.textContent = offsetText(offset);
    ui.checkResult.className = 'result good';
    ui.checkResult.dataset.offset = String(offset);
  } else {
    ui.checkResult.textContent = 'Not valid. Check that the code is from this QR code and that the clock of your device is right.';
    ui.checkResult.className = 'result bad';
    delete ui.checkResult.dataset.offset;
  }
}

ui.issuer.addEventListener('input', renderEnrollment);
ui.account.addEventListener('input', renderEnrollment);
ui.newSecret.addEventListener('click', newSecret);
ui.copy.addEventListener('click', copyKey);
ui.checkForm.addEventListener('submit', checkCode);
// Timers are throttled in background tabs: catch up as soon as the page is visible again.
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) tick();
});

renderEnrollment();
tick();
ui.status.textContent = '';
ui.status.hidden = true;
ui.main.hidden = false;
