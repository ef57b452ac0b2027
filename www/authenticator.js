// The totp-wasm authenticator: the role of an authenticator app (1Password, Google
// Authenticator), in the browser alone. Accounts come from otpauth:// links, Google
// Authenticator exports (otpauth-migration://), bare keys, QR code images or the camera; each
// shows its live code. Secrets stay in this page's memory unless the person chooses "remember
// on this device": then they are kept in localStorage, encrypted with AES-GCM under a key
// derived from a passphrase (PBKDF2-SHA-256). Nothing is ever sent anywhere.
//
// 'totp-wasm' and 'totp-wasm/scan' resolve through the import map in authenticator.html. The
// scan entry (the QR reader and the Google Authenticator export reader) is imported on first
// use only.
import {
  buildUri,
  hotp,
  OtpError,
  parseUri,
  qrSvg,
  remainingSeconds,
  totp,
} from 'totp-wasm';
import { describe, groupCode } from './format.js';
import { $ } from './dom.js';

const ui = {
  status: $('status'),
  main: document.querySelector('main'),
  list: $('accounts'),
  empty: $('empty'),
  count: $('account-count'),
  copyStatus: $('copy-status'),
  addSection: $('add'),
  addForm: /** @type {HTMLFormElement} */ ($('add-form')),
  addText: /** @type {HTMLTextAreaElement} */ ($('add-text')),
  addIssuer: /** @type {HTMLInputElement} */ ($('add-issuer')),
  addAccount: /** @type {HTMLInputElement} */ ($('add-account')),
  addType: /** @type {HTMLSelectElement} */ ($('add-type')),
  addAlgorithm: /** @type {HTMLSelectElement} */ ($('add-algorithm')),
  addDigits: /** @type {HTMLSelectElement} */ ($('add-digits')),
  addPeriod: /** @type {HTMLInputElement} */ ($('add-period')),
  addCounter: /** @type {HTMLInputElement} */ ($('add-counter')),
  addResult: $('add-result'),
  drop: $('drop'),
  file: /** @type {HTMLInputElement} */ ($('qr-file')),
  cameraBlock: $('camera-block'),
  cameraStart: /** @type {HTMLButtonElement} */ ($('camera-start')),
  cameraView: $('camera-view'),
  cameraVideo: /** @type {HTMLVideoElement} */ ($('camera-video')),
  cameraStop: $('camera-stop'),
  vaultOff: $('vault-off'),
  vaultLocked: $('vault-locked'),
  vaultOn: $('vault-on'),
  rememberForm: /** @type {HTMLFormElement} */ ($('remember-form')),
  rememberPass: /** @type {HTMLInputElement} */ ($('remember-pass')),
  rememberPass2: /** @type {HTMLInputElement} */ ($('remember-pass2')),
  unlockForm: /** @type {HTMLFormElement} */ ($('unlock-form')),
  unlockPass: /** @type {HTMLInputElement} */ ($('unlock-pass')),
  deleteSaved: /** @type {HTMLButtonElement} */ ($('delete-saved')),
  lock: $('lock'),
  forget: $('forget'),
  vaultResult: $('vault-result'),
  exportToggle: $('export-toggle'),
  exportCopy: $('export-copy'),
  exportPanel: $('export-panel'),
  exportEmpty: $('export-empty'),
  exportList: $('export-list'),
  exportStatus: $('export-status'),
};

// ---------------------------------------------------------------------------------------------
// Accounts

/**
 * One account, as parseUri returns it plus a local id. `counter` (HOTP) is a bigint: the
 * counter of the code shown.
 * @typedef {{ id: number, type: 'totp' | 'hotp', secret: string, account: string, issuer?: string,
 *   algorithm: 'SHA1' | 'SHA256' | 'SHA512', digits: number, period: number, counter?: bigint }} Account
 */

/** @type {Account[]} */
let accounts = [];
let nextId = 1;

/** The account as an otpauth:// URI (the export format, and what the vault stores). */
function toUri(a) {
  return buildUri({
    type: a.type,
    secret: a.secret,
    account: a.account,
    ...(a.issuer ? { issuer: a.issuer } : {}),
    algorithm: a.algorithm,
    digits: a.digits,
    ...(a.type === 'totp' ? { period: a.period } : { counter: a.counter ?? 0n }),
  });
}

/** parseUri's shape → an Account (extra parameters such as image= are not kept). */
function fromParsed(p) {
  return {
    id: nextId++,
    type: p.type,
    secret: p.secret,
    account: p.account,
    ...(p.issuer ? { issuer: p.issuer } : {}),
    algorithm: p.algorithm,
    digits: p.digits,
    period: p.period,
    ...(p.type === 'hotp' ? { counter: BigInt(p.counter ?? 0n) } : {}),
  };
}

function sameAccount(a, b) {
  return a.type === b.type && a.secret === b.secret && a.account === b.account && (a.issuer ?? '') === (b.issuer ?? '');
}

/** "Example (alice@example.com)", or just the account without an issuer. */
function nameOf(a) {
  return a.issuer ? `${a.issuer} (${a.account})` : a.account;
}

/**
 * Adds parsed accounts that are not there yet. Returns [added, alreadyThere].
 * @param {Account[]} incoming
 */
function addAccounts(incoming) {
  const added = [];
  let duplicates = 0;
  for (const a of incoming) {
    if (accounts.some((b) => sameAccount(a, b)) || added.some((b) => sameAccount(a, b))) duplicates++;
    else added.push(a);
  }
  if (added.length) {
    accounts = [...accounts, ...added];
    renderAccounts();
    persist();
  }
  return [added, duplicates];
}

function removeAccount(id) {
  const index = accounts.findIndex((a) => a.id === id);
  if (index < 0) return;
  const [gone] = accounts.splice(index, 1);
  renderAccounts();
  persist();
  ui.copyStatus.textContent = `Removed ${nameOf(gone)}.`;
  // Focus goes to the next account's code (or the last one), else to the list heading.
  const codes = ui.list.querySelectorAll('.code');
  const next = codes[Math.min(index, codes.length - 1)];
  if (next) {
    next.focus();
  } else {
    const heading = $('accounts-title');
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

const SVG = 'http://www.w3.org/2000/svg';

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** What differs from SHA1 / 6 digits / 30 s, e.g. "SHA-256 · 8 digits · 60 s". */
function settingsOf(a) {
  const parts = [];
  if (a.type === 'hotp') parts.push('counter based');
  if (a.algorithm !== 'SHA1') parts.push(a.algorithm.replace('SHA', 'SHA-'));
  if (a.digits !== 6) parts.push(`${a.digits} digits`);
  if (a.type === 'totp' && a.period !== 30) parts.push(`${a.period} s`);
  return parts.join(' · ');
}

function ring() {
  const wrap = el('div', 'countdown');
  wrap.setAttribute('aria-hidden', 'true');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 44 44');
  svg.setAttribute('class', 'ring');
  const track = document.createElementNS(SVG, 'circle');
  const bar = document.createElementNS(SVG, 'circle');
  for (const [c, cls] of [[track, 'ring-track'], [bar, 'ring-bar']]) {
    c.setAttribute('class', cls);
    c.setAttribute('cx', '22');
    c.setAttribute('cy', '22');
    c.setAttribute('r', '19');
  }
  bar.setAttribute('pathLength', '100');
  bar.setAttribute('stroke-dasharray', '100');
  bar.setAttribute('stroke-dashoffset', '0');
  svg.append(track, bar);
  wrap.append(svg, el('span', 'seconds'));
  return wrap;
}

/** The list item of one account; its code and countdown are filled in by tick(). */
function accountItem(a) {
  const li = el('li', 'account');
  li.dataset.id = String(a.id);
  li.dataset.type = a.type;

  const head = el('div', 'account-head');
  head.append(el('h3', 'issuer', a.issuer || a.account));
  if (a.issuer) head.append(el('p', 'account-name', a.account));
  const settings = settingsOf(a);
  if (settings) head.append(el('p', 'settings', settings));

  const codeRow = el('div', 'code-row');
  const code = el('button', 'code');
  code.type = 'button';
  code.append(el('span', 'code-text'));
  code.addEventListener('click', () => copyCode(a, code));
  codeRow.append(code);
  if (a.type === 'totp') {
    codeRow.append(ring());
  } else {
    const next = el('button', 'secondary small next', 'Next code');
    next.type = 'button';
    next.setAttribute('aria-label', `Next code for ${nameOf(a)}`);
    next.addEventListener('click', () => {
      a.counter = (a.counter ?? 0n) + 1n;
      tick();
      if (!ui.exportPanel.hidden) renderExport();
      persist();
      ui.copyStatus.textContent = `New code for ${nameOf(a)}.`;
    });
    codeRow.append(next);
  }

  const tools = el('div', 'account-tools');
  const counter = el('span', 'counter');
  if (a.type === 'hotp') tools.append(counter);
  const remove = el('button', 'link-button remove', 'Remove');
  remove.type = 'button';
  remove.setAttribute('aria-label', `Remove ${nameOf(a)}`);
  const confirmBox = el('div', 'confirm');
  confirmBox.hidden = true;
  const yes = el('button', 'danger small', 'Remove');
  yes.type = 'button';
  yes.setAttribute('aria-label', `Yes, remove ${nameOf(a)}`);
  const no = el('button', 'secondary small', 'Keep');
  no.type = 'button';
  const choices = el('span', 'confirm-buttons');
  choices.append(yes, no);
  confirmBox.append(el('span', 'confirm-text', 'Remove this account? Its codes will be gone from here.'), choices);
  remove.addEventListener('click', () => {
    remove.hidden = true;
    confirmBox.hidden = false;
    no.focus();
  });
  no.addEventListener('click', () => {
    confirmBox.hidden = true;
    remove.hidden = false;
    remove.focus();
  });
  yes.addEventListener('click', () => removeAccount(a.id));
  tools.append(remove);

  li.append(head, codeRow, tools, confirmBox);
  return li;
}

/** The empty list says how to get accounts: add one, or unlock the saved ones. */
function updateEmpty() {
  ui.empty.hidden = accounts.length > 0;
  ui.empty.textContent =
    vaultState === 'locked'
      ? 'Your saved accounts are locked: unlock them with your passphrase under “Keep on this device”. Or add an account: paste its setup link or key, or scan its QR code.'
      : 'No accounts yet. Add one: paste its setup link or key, or scan its QR code.';
}

function renderAccounts() {
  ui.list.replaceChildren(...accounts.map(accountItem));
  updateEmpty();
  ui.count.textContent = accounts.length ? String(accounts.length) : '';
  ui.count.setAttribute('aria-label', `${accounts.length} account${accounts.length === 1 ? '' : 's'}`);
  tick();
  if (!ui.exportPanel.hidden) renderExport();
}

let timer = 0;

/** Updates every code and countdown at one instant; schedules itself for the next second. */
function tick() {
  clearTimeout(timer);
  const now = Date.now() / 1000;
  for (const li of ui.list.children) {
    const a = accounts.find((x) => String(x.id) === li.dataset.id);
    if (!a) continue;
    const options = { algorithm: a.algorithm, digits: a.digits };
    let code;
    try {
      code = a.type === 'totp' ? totp(a.secret, { ...options, period: a.period, time: now }) : hotp(a.secret, a.counter ?? 0n, options);
    } catch (err) {
      li.querySelector('.code-text').textContent = describe(err);
      continue;
    }
    const shown = groupCode(code);
    const text = li.querySelector('.code-text');
    if (text.textContent !== shown) text.textContent = shown;
    const button = li.querySelector('.code');
    button.dataset.code = code;
    const label = `${shown}: copy the code for ${nameOf(a)}`;
    if (button.getAttribute('aria-label') !== label) button.setAttribute('aria-label', label);
    if (a.type === 'totp') {
      const left = remainingSeconds({ time: now, period: a.period });
      li.querySelector('.seconds').textContent = String(left);
      const bar = li.querySelector('.ring-bar');
      bar.classList.toggle('reset', left === a.period);
      bar.classList.toggle('low', left <= 5);
      bar.setAttribute('stroke-dashoffset', String(((a.period - left) / a.period) * 100));
      li.querySelector('.countdown').title = `A new code in ${left} s`;
    } else {
      li.querySelector('.counter').textContent = `Counter ${a.counter}`;
    }
  }
  if (accounts.some((a) => a.type === 'totp')) timer = setTimeout(tick, 1000 - (Date.now() % 1000) + 20);
}

async function copyCode(a, button) {
  const code = button.dataset.code ?? '';
  try {
    await navigator.clipboard.writeText(code);
    ui.copyStatus.textContent = `Copied the code for ${nameOf(a)}.`;
    button.classList.add('copied');
    setTimeout(() => button.classList.remove('copied'), 1500);
  } catch {
    const range = document.createRange();
    range.selectNodeContents(button.querySelector('.code-text'));
    const sel = window.getSelection();
    sel?.removeAllRanges();
    sel?.addRange(range);
    ui.copyStatus.textContent = 'Copying is not allowed here: the code is selected, press Ctrl+C (⌘C).';
  }
}

// ---------------------------------------------------------------------------------------------
// Adding accounts

/** Shows the outcome of an add in the add section. */
function report(kind, text) {
  ui.addResult.textContent = text;
  ui.addResult.className = `result ${kind}`;
}

/**
 * Accounts from a text: otpauth://, otpauth-migration://, several of them one per line (what
 * "Copy all links" copies), or (with the form's fields) a key.
 */
function accountsFromText(text, useFields) {
  const lines = text.split(/\s*\n\s*/).filter(Boolean);
  if (lines.length > 1 && lines.every((l) => /^otpauth(-migration)?:/i.test(l))) {
    return lines.flatMap((l) => accountsFromText(l, false));
  }
  if (/^otpauth-migration:/i.test(text)) return parseMigrationUri(text).map(fromParsed);
  if (/^otpauth:/i.test(text)) return [fromParsed(parseUri(text))];
  if (!useFields) return null;
  const issuer = ui.addIssuer.value.trim();
  const account = ui.addAccount.value.trim() || issuer;
  if (!account) throw new OtpError('INVALID_ARGUMENT', 'Enter the issuer or the account name for this key, so you can tell its codes apart');
  const type = ui.addType.value === 'hotp' ? 'hotp' : 'totp';
  const number = (input, what) => {
    const v = input.value.trim();
    if (!/^\d+$/.test(v)) throw new OtpError('INVALID_ARGUMENT', `${what} must be a whole number`);
    return v;
  };
  const uri = buildUri({
    type,
    secret: text,
    account,
    ...(issuer ? { issuer } : {}),
    algorithm: ui.addAlgorithm.value,
    digits: Number(ui.addDigits.value),
    ...(type === 'totp' ? { period: Number(number(ui.addPeriod, 'The period')) } : { counter: BigInt(number(ui.addCounter, 'The counter')) }),
  });
  return [fromParsed(parseUri(uri))];
}

/** Adds what a pasted text or a scanned code holds and says what happened. */
function addFrom(incoming, source) {
  const [added, duplicates] = addAccounts(incoming);
  const already = duplicates ? ` ${duplicates === 1 ? 'One was' : `${duplicates} were`} already here.` : '';
  if (added.length === 0) {
    report('bad', incoming.length === 1 ? `${nameOf(incoming[0])} is already here.` : `All ${incoming.length} accounts are already here.`);
  } else if (added.length === 1) {
    report('good', `Added ${nameOf(added[0])}${source}.${already}`);
  } else {
    report('good', `Added ${added.length} accounts${source}: ${added.map(nameOf).join(', ')}.${already}`);
  }
  return added;
}

async function onAdd(event) {
  event.preventDefault();
  const text = ui.addText.value.trim();
  if (!text) {
    report('bad', 'Paste a setup link (otpauth://…) or a key first.');
    ui.addText.focus();
    return;
  }
  let incoming;
  try {
    if (/otpauth-migration:/i.test(text)) await scanner(); // parseMigrationUri lives there
    incoming = accountsFromText(text, true);
  } catch (err) {
    report('bad', describe(err));
    return;
  }
  const migration = /^otpauth-migration:/i.test(text) && !text.includes('\n');
  const added = addFrom(incoming, migration ? ' from the Google Authenticator export' : '');
  if (added.length) {
    // The secret is now in the list: do not leave it in the form.
    ui.addForm.reset();
  }
}

/** Texts read from QR codes → accounts, with a message for anything else. */
function addScanned(texts, where) {
  const incoming = [];
  const problems = [];
  for (const t of texts) {
    try {
      const found = accountsFromText(t.trim(), false);
      if (found) incoming.push(...found);
      else problems.push(`The QR code says “${t.length > 60 ? `${t.slice(0, 57)}…` : t}”, which is not an authenticator setup code.`);
    } catch (err) {
      problems.push(`The QR code holds a setup link that cannot be used: ${describe(err)}`);
    }
  }
  if (incoming.length) {
    addFrom(incoming, ` from ${where}`);
    if (problems.length) ui.addResult.textContent += ` ${problems.join(' ')}`;
    return true;
  }
  if (problems.length) report('bad', problems.join(' '));
  return false;
}

// ---------------------------------------------------------------------------------------------
// QR codes from images and the camera

/** @type {Promise<typeof import('totp-wasm/scan')> | null} */
let scanModule = null;
let scannerBroken = false;

/** The scan entry's parseMigrationUri, once that entry is loaded (see scanner()). */
let parseMigrationUri = null;

function scanner() {
  scanModule ??= import('totp-wasm/scan').then((m) => {
    parseMigrationUri = m.parseMigrationUri;
    return m;
  });
  return scanModule;
}

/**
 * Reads the QR codes in a drawable image (ImageBitmap or video), drawn at most `max` pixels on
 * its longer side. A failure inside the decoder (a WebAssembly trap, not an OtpError) leaves the
 * module unusable: scanning is then switched off until the page is reloaded.
 */
async function scanDrawable(source, width, height, max, canvas) {
  const { scanQr } = await scanner();
  if (scannerBroken) throw new Error('scanner broken');
  const scale = Math.min(1, max / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(source, 0, 0, w, h);
  const { data } = ctx.getImageData(0, 0, w, h);
  try {
    return scanQr(data, w, h);
  } catch (err) {
    if (err instanceof OtpError) throw err;
    scannerBroken = true;
    throw err;
  }
}

function scannerFailed() {
  stopCamera();
  ui.file.disabled = true;
  ui.cameraStart.disabled = true;
  report('bad', 'The QR reader failed on this image. Reload the page to scan again, or paste the setup link or key instead.');
}

async function scanFile(file) {
  if (scannerBroken) return scannerFailed();
  if (!file.type.startsWith('image/')) {
    report('bad', `“${file.name}” is not an image. Choose a picture or screenshot of the QR code.`);
    return;
  }
  report('', 'Reading the QR code…');
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    report('bad', `This browser cannot read “${file.name}” as an image.`);
    return;
  }
  try {
    // Let "Reading the QR code…" show before the (synchronous) decoder runs.
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
    const canvas = document.createElement('canvas');
    // Large screenshots are read scaled down first (fast), then at full size up to 4096 px.
    let texts = await scanDrawable(bitmap, bitmap.width, bitmap.height, 1600, canvas);
    if (texts.length === 0 && Math.max(bitmap.width, bitmap.height) > 1600) {
      texts = await scanDrawable(bitmap, bitmap.width, bitmap.height, 4096, canvas);
    }
    if (texts.length === 0) {
      report('bad', 'No QR code found in this image. Try a sharper or larger picture, or crop it around the code.');
      return;
    }
    addScanned(texts, 'the image');
  } catch (err) {
    if (err instanceof OtpError) report('bad', describe(err));
    else scannerFailed();
  } finally {
    bitmap.close();
    ui.file.value = '';
  }
}

ui.file.addEventListener('change', () => {
  const file = ui.file.files?.[0];
  if (file) scanFile(file);
});

for (const type of ['dragenter', 'dragover']) {
  ui.drop.addEventListener(type, (e) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    ui.drop.classList.add('dragging');
  });
}
for (const type of ['dragleave', 'drop']) {
  ui.drop.addEventListener(type, () => ui.drop.classList.remove('dragging'));
}
ui.drop.addEventListener('drop', (e) => {
  const file = e.dataTransfer?.files?.[0];
  if (!file) return;
  e.preventDefault();
  scanFile(file);
});

// An image pasted anywhere on the page (a screenshot in the clipboard) is scanned.
document.addEventListener('paste', (e) => {
  const file = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
  if (!file) return;
  e.preventDefault();
  scanFile(file);
});

/** @type {MediaStream | null} */
let stream = null;
let cameraTimer = 0;

async function startCamera() {
  if (scannerBroken) return scannerFailed();
  report('', 'Starting the camera…');
  try {
    await scanner();
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
  } catch (err) {
    stream = null;
    const denied = err?.name === 'NotAllowedError' || err?.name === 'SecurityError';
    report('bad', denied ? 'The camera is not allowed for this page. Allow it in the browser, or choose an image instead.' : 'No camera could be started. Choose an image of the QR code instead.');
    return;
  }
  ui.cameraVideo.srcObject = stream;
  ui.cameraView.hidden = false;
  ui.cameraStart.hidden = true;
  try {
    await ui.cameraVideo.play();
  } catch {
    // Autoplay of a muted video is allowed; if not, frames are still read once they arrive.
  }
  report('', 'Hold the QR code in front of the camera.');
  ui.cameraStop.focus();
  const canvas = document.createElement('canvas');
  const frame = async () => {
    if (!stream) return;
    const v = ui.cameraVideo;
    if (v.readyState >= 2 && v.videoWidth > 0) {
      try {
        const texts = await scanDrawable(v, v.videoWidth, v.videoHeight, 800, canvas);
        if (texts.length && addScanned(texts, 'the camera')) {
          stopCamera();
          return;
        }
      } catch (err) {
        if (!(err instanceof OtpError)) return scannerFailed();
      }
    }
    if (stream) cameraTimer = setTimeout(frame, 200);
  };
  frame();
}

function stopCamera() {
  clearTimeout(cameraTimer);
  for (const track of stream?.getTracks() ?? []) track.stop();
  const wasOn = stream !== null;
  stream = null;
  ui.cameraVideo.srcObject = null;
  ui.cameraView.hidden = true;
  ui.cameraStart.hidden = false;
  if (wasOn && document.activeElement === document.body) ui.cameraStart.focus();
}

if (navigator.mediaDevices?.getUserMedia) {
  ui.cameraBlock.hidden = false;
  ui.cameraStart.addEventListener('click', startCamera);
  ui.cameraStop.addEventListener('click', () => {
    stopCamera();
    report('', 'Camera stopped.');
    ui.cameraStart.focus();
  });
}

// ---------------------------------------------------------------------------------------------
// Remember on this device: AES-GCM under a PBKDF2-SHA-256 key, in localStorage

const VAULT_ITEM = 'totp-wasm.authenticator.v1';
const ITERATIONS = 600_000; // OWASP's 2023 figure for PBKDF2-HMAC-SHA-256
const AAD = new TextEncoder().encode('totp-wasm authenticator vault v1');

/** While remembered and unlocked: the AES key (not extractable) and the record's salt. */
let vault = /** @type {{ key: CryptoKey, salt: Uint8Array, iterations: number } | null} */ (null);

function b64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function unb64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

async function deriveKey(passphrase, salt, iterations) {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function readRecord() {
  let text;
  try {
    text = localStorage.getItem(VAULT_ITEM);
  } catch {
    return { unavailable: true };
  }
  if (text === null) return null;
  try {
    const r = JSON.parse(text);
    const ok = r?.v === 1 && Number.isInteger(r.iterations) && r.iterations >= 100_000 && r.iterations <= 10_000_000;
    if (!ok) return { damaged: true };
    return { salt: unb64(r.salt), iv: unb64(r.iv), data: unb64(r.data), iterations: r.iterations };
  } catch {
    return { damaged: true };
  }
}

/** Encrypts the current accounts with a fresh IV and writes the record. */
async function seal() {
  if (!vault) return;
  const { key, salt, iterations } = vault;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify({ accounts: accounts.map(toUri) }));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: AAD }, key, plain));
  plain.fill(0);
  localStorage.setItem(VAULT_ITEM, JSON.stringify({ v: 1, kdf: 'PBKDF2-SHA-256', iterations, salt: b64(salt), cipher: 'AES-256-GCM', iv: b64(iv), data: b64(data) }));
}

let saving = Promise.resolve();

/** Saves after every change while remembered; saves run one after another. */
function persist() {
  if (!vault) return saving;
  saving = saving
    .then(seal)
    .catch(() => vaultMessage('bad', 'Saving on this device failed (is the browser storage full or blocked?). The accounts are still on this page.'));
  return saving;
}

function vaultMessage(kind, text) {
  ui.vaultResult.textContent = text;
  ui.vaultResult.className = `result ${kind}`;
}

let vaultState = 'off';

function showVault(state) {
  vaultState = state;
  updateEmpty();
  ui.vaultOff.hidden = state !== 'off';
  ui.vaultLocked.hidden = state !== 'locked';
  ui.vaultOn.hidden = state !== 'on';
}

function setBusy(form, busy) {
  for (const b of form.querySelectorAll('button')) b.disabled = busy;
  form.setAttribute('aria-busy', String(busy));
}

async function onRemember(event) {
  event.preventDefault();
  const pass = ui.rememberPass.value;
  if (pass.length < 8) {
    vaultMessage('bad', 'Choose a passphrase of at least 8 characters.');
    ui.rememberPass.focus();
    return;
  }
  if (pass !== ui.rememberPass2.value) {
    vaultMessage('bad', 'The two passphrases differ. Type the same one twice.');
    ui.rememberPass2.focus();
    return;
  }
  setBusy(ui.rememberForm, true);
  vaultMessage('', 'Encrypting…');
  try {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    vault = { key: await deriveKey(pass, salt, ITERATIONS), salt, iterations: ITERATIONS };
    await seal();
    ui.rememberForm.reset();
    showVault('on');
    vaultMessage('good', `Saved on this device, encrypted: ${accounts.length} account${accounts.length === 1 ? '' : 's'}. Next time, unlock them with your passphrase.`);
  } catch {
    vault = null;
    vaultMessage('bad', 'This browser could not save the accounts (storage blocked or full).');
  } finally {
    setBusy(ui.rememberForm, false);
  }
}

async function onUnlock(event) {
  event.preventDefault();
  const record = readRecord();
  if (!record || record.damaged || record.unavailable) {
    vaultMessage('bad', 'The saved accounts cannot be read (they are damaged or the storage is blocked).');
    return;
  }
  const pass = ui.unlockPass.value;
  if (!pass) {
    vaultMessage('bad', 'Enter your passphrase.');
    ui.unlockPass.focus();
    return;
  }
  setBusy(ui.unlockForm, true);
  vaultMessage('', 'Unlocking…');
  let uris;
  let key;
  try {
    key = await deriveKey(pass, record.salt, record.iterations);
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: record.iv, additionalData: AAD }, key, record.data);
    uris = JSON.parse(new TextDecoder().decode(plain)).accounts;
    if (!Array.isArray(uris)) throw new Error('no accounts');
  } catch {
    setBusy(ui.unlockForm, false);
    vaultMessage('bad', 'Wrong passphrase: the saved accounts stay locked. Check it and try again.');
    ui.unlockPass.select();
    return;
  }
  setBusy(ui.unlockForm, false);
  ui.unlockForm.reset();
  const saved = [];
  let unreadable = 0;
  for (const uri of uris) {
    try {
      saved.push(fromParsed(parseUri(uri)));
    } catch {
      unreadable++;
    }
  }
  vault = { key, salt: record.salt, iterations: record.iterations };
  // Saved accounts first, then any added on this page before unlocking.
  const pageOnly = accounts.filter((a) => !saved.some((b) => sameAccount(a, b)));
  accounts = [...saved, ...pageOnly];
  renderAccounts();
  showVault('on');
  if (pageOnly.length) persist();
  const skipped = unreadable ? ` ${unreadable} could not be read.` : '';
  vaultMessage('good', `Unlocked: ${saved.length} saved account${saved.length === 1 ? '' : 's'}.${skipped}`);
}

function onLock() {
  vault = null;
  accounts = [];
  renderAccounts();
  showVault('locked');
  vaultMessage('', 'Locked. The accounts are off this page until you unlock them.');
  ui.unlockPass.focus();
}

function onForget() {
  try {
    localStorage.removeItem(VAULT_ITEM);
  } catch {
    // nothing stored then
  }
  vault = null;
  showVault('off');
  vaultMessage('', 'The saved copy is deleted. The accounts stay on this page until you close it.');
}

let deleteArmed = false;

function onDeleteSaved() {
  if (!deleteArmed) {
    deleteArmed = true;
    ui.deleteSaved.textContent = 'Yes, delete them for good';
    ui.deleteSaved.classList.add('danger');
    vaultMessage('bad', 'Deleting cannot be undone: without an export, those accounts are gone. Press again to delete.');
    return;
  }
  deleteArmed = false;
  ui.deleteSaved.textContent = 'Delete the saved accounts';
  ui.deleteSaved.classList.remove('danger');
  onForget();
  vaultMessage('', 'The saved accounts are deleted from this device.');
  ui.rememberPass.focus();
}

// ---------------------------------------------------------------------------------------------
// Export

function renderExport() {
  ui.exportEmpty.hidden = accounts.length > 0;
  ui.exportCopy.hidden = accounts.length === 0;
  const items = accounts.map((a) => {
    const li = el('li', 'export-item');
    const uri = toUri(a);
    li.append(el('h3', 'export-name', nameOf(a)));
    const qr = el('div', 'qr');
    qr.setAttribute('role', 'img');
    qr.setAttribute('aria-label', `QR code for ${nameOf(a)}`);
    try {
      qr.innerHTML = qrSvg(uri, { ecc: 'M', quietZone: 4, dark: '#000', light: '#fff' });
    } catch (err) {
      qr.replaceChildren(el('p', 'error', describe(err)));
    }
    li.append(qr, el('code', 'uri-text', uri));
    return li;
  });
  ui.exportList.replaceChildren(...items);
}

function toggleExport() {
  const show = ui.exportPanel.hidden;
  ui.exportPanel.hidden = !show;
  ui.exportToggle.setAttribute('aria-expanded', String(show));
  ui.exportToggle.textContent = show ? 'Hide links and QR codes' : 'Show links and QR codes';
  ui.exportStatus.textContent = '';
  if (show) renderExport();
  else {
    ui.exportList.replaceChildren();
    ui.exportCopy.hidden = true;
  }
}

async function copyAll() {
  try {
    await navigator.clipboard.writeText(accounts.map(toUri).join('\n'));
    ui.exportStatus.textContent = `Copied ${accounts.length} link${accounts.length === 1 ? '' : 's'}.`;
  } catch {
    ui.exportStatus.textContent = 'Copying is not allowed here: select the links and copy them.';
  }
}

// ---------------------------------------------------------------------------------------------
// Start

ui.addForm.addEventListener('submit', onAdd);
ui.rememberForm.addEventListener('submit', onRemember);
ui.unlockForm.addEventListener('submit', onUnlock);
ui.deleteSaved.addEventListener('click', onDeleteSaved);
ui.lock.addEventListener('click', onLock);
ui.forget.addEventListener('click', onForget);
ui.exportToggle.addEventListener('click', toggleExport);
ui.exportCopy.addEventListener('click', copyAll);
document.addEventListener('visibilitychange', () => {
  if (document.hidden) stopCamera(); // never film a tab nobody looks at
  else tick();
});

const record = readRecord();
if (record?.unavailable) {
  showVault('off');
  vaultMessage('bad', 'This browser blocks storage for this page: accounts can only stay in memory.');
  ui.rememberForm.hidden = true;
} else if (record?.damaged) {
  showVault('locked');
  vaultMessage('bad', 'The saved accounts on this device are damaged and cannot be unlocked. You can delete them.');
} else {
  showVault(record ? 'locked' : 'off');
}
renderAccounts();
ui.status.textContent = '';
ui.status.hidden = true;
ui.main.hidden = false;
