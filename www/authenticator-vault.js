// "Keep on this device": the accounts in localStorage, encrypted with AES-256-GCM under a key
// derived from a passphrase (PBKDF2-SHA-256, 600,000 iterations). While remembered and
// unlocked, every change of the accounts model is saved (it listens to the model's events).
import { parseUri } from 'totp-wasm';
import { accounts, fromParsed, toUri } from './authenticator-accounts.js';
import { $ } from './dom.js';

const VAULT_ITEM = 'totp-wasm.authenticator.v1';
const ITERATIONS = 600_000; // OWASP's 2023 figure for PBKDF2-HMAC-SHA-256
const AAD = new TextEncoder().encode('totp-wasm authenticator vault v1');

const ui = {
  off: $('vault-off'),
  locked: $('vault-locked'),
  on: $('vault-on'),
  rememberForm: /** @type {HTMLFormElement} */ ($('remember-form')),
  rememberPass: /** @type {HTMLInputElement} */ ($('remember-pass')),
  rememberPass2: /** @type {HTMLInputElement} */ ($('remember-pass2')),
  unlockForm: /** @type {HTMLFormElement} */ ($('unlock-form')),
  unlockPass: /** @type {HTMLInputElement} */ ($('unlock-pass')),
  deleteSaved: /** @type {HTMLButtonElement} */ ($('delete-saved')),
  lock: $('lock'),
  forget: $('forget'),
  result: $('vault-result'),
};

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
  const plain = new TextEncoder().encode(JSON.stringify({ accounts: accounts.all.map(toUri) }));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: AAD }, key, plain));
  plain.fill(0);
  localStorage.setItem(VAULT_ITEM, JSON.stringify({ v: 1, kdf: 'PBKDF2-SHA-256', iterations, salt: b64(salt), cipher: 'AES-256-GCM', iv: b64(iv), data: b64(data) }));
}

let saving = Promise.resolve();

/** Saves while remembered; saves run one after another. */
function persist() {
  if (!vault) return saving;
  saving = saving
    .then(seal)
    .catch(() => message('bad', 'Saving on this device failed (is the browser storage full or blocked?). The accounts are still on this page.'));
  return saving;
}

function message(kind, text) {
  ui.result.textContent = text;
  ui.result.className = `result ${kind}`;
}

function show(state) {
  accounts.setLocked(state === 'locked');
  ui.off.hidden = state !== 'off';
  ui.locked.hidden = state !== 'locked';
  ui.on.hidden = state !== 'on';
}

function setBusy(form, busy) {
  for (const b of form.querySelectorAll('button')) b.disabled = busy;
  form.setAttribute('aria-busy', String(busy));
}

async function onRemember(event) {
  event.preventDefault();
  const pass = ui.rememberPass.value;
  if (pass.length < 8) {
    message('bad', 'Choose a passphrase of at least 8 characters.');
    ui.rememberPass.focus();
    return;
  }
  if (pass !== ui.rememberPass2.value) {
    message('bad', 'The two passphrases differ. Type the same one twice.');
    ui.rememberPass2.focus();
    return;
  }
  setBusy(ui.rememberForm, true);
  message('', 'Encrypting…');
  try {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    vault = { key: await deriveKey(pass, salt, ITERATIONS), salt, iterations: ITERATIONS };
    await seal();
    ui.rememberForm.reset();
    show('on');
    const n = accounts.all.length;
    message('good', `Saved on this device, encrypted: ${n} account${n === 1 ? '' : 's'}. Next time, unlock them with your passphrase.`);
  } catch {
    vault = null;
    message('bad', 'This browser could not save the accounts (storage blocked or full).');
  } finally {
    setBusy(ui.rememberForm, false);
  }
}

/** The saved URIs decrypted with `pass`, or null for a wrong passphrase. */
async function open(record, pass) {
  try {
    const key = await deriveKey(pass, record.salt, record.iterations);
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: record.iv, additionalData: AAD }, key, record.data);
    const uris = JSON.parse(new TextDecoder().decode(plain)).accounts;
    if (!Array.isArray(uris)) return null;
    return { key, uris };
  } catch {
    return null;
  }
}

async function onUnlock(event) {
  event.preventDefault();
  const record = readRecord();
  if (!record || record.damaged || record.unavailable) {
    message('bad', 'The saved accounts cannot be read (they are damaged or the storage is blocked).');
    return;
  }
  const pass = ui.unlockPass.value;
  if (!pass) {
    message('bad', 'Enter your passphrase.');
    ui.unlockPass.focus();
    return;
  }
  setBusy(ui.unlockForm, true);
  message('', 'Unlocking…');
  const opened = await open(record, pass);
  setBusy(ui.unlockForm, false);
  if (!opened) {
    message('bad', 'Wrong passphrase: the saved accounts stay locked. Check it and try again.');
    ui.unlockPass.select();
    return;
  }
  ui.unlockForm.reset();
  const saved = [];
  let unreadable = 0;
  for (const uri of opened.uris) {
    try {
      saved.push(fromParsed(parseUri(uri)));
    } catch {
      unreadable++;
    }
  }
  vault = { key: opened.key, salt: record.salt, iterations: record.iterations };
  accounts.unlock(saved);
  show('on');
  const skipped = unreadable ? ` ${unreadable} could not be read.` : '';
  message('good', `Unlocked: ${saved.length} saved account${saved.length === 1 ? '' : 's'}.${skipped}`);
}

function onLock() {
  vault = null;
  accounts.lock();
  show('locked');
  message('', 'Locked. The accounts are off this page until you unlock them.');
  ui.unlockPass.focus();
}

function onForget() {
  try {
    localStorage.removeItem(VAULT_ITEM);
  } catch {
    // nothing stored then
  }
  vault = null;
  show('off');
  message('', 'The saved copy is deleted. The accounts stay on this page until you close it.');
}

let deleteArmed = false;

function onDeleteSaved() {
  if (!deleteArmed) {
    deleteArmed = true;
    ui.deleteSaved.textContent = 'Yes, delete them for good';
    ui.deleteSaved.classList.add('danger');
    message('bad', 'Deleting cannot be undone: without an export, those accounts are gone. Press again to delete.');
    return;
  }
  deleteArmed = false;
  ui.deleteSaved.textContent = 'Delete the saved accounts';
  ui.deleteSaved.classList.remove('danger');
  onForget();
  message('', 'The saved accounts are deleted from this device.');
  ui.rememberPass.focus();
}

/** Which changes of the list need saving: all but locking (nothing is on the page then). */
function onChange(e) {
  const { reason, pageOnly } = /** @type {CustomEvent} */ (e).detail;
  if (reason === 'lock' || reason === 'locked') return;
  if (reason === 'unlock' && pageOnly.length === 0) return;
  persist();
}

/** Wires the vault card and shows whether accounts are saved on this device. */
export function initVault() {
  ui.rememberForm.addEventListener('submit', onRemember);
  ui.unlockForm.addEventListener('submit', onUnlock);
  ui.deleteSaved.addEventListener('click', onDeleteSaved);
  ui.lock.addEventListener('click', onLock);
  ui.forget.addEventListener('click', onForget);
  accounts.addEventListener('change', onChange);
  const record = readRecord();
  if (record?.unavailable) {
    show('off');
    message('bad', 'This browser blocks storage for this page: accounts can only stay in memory.');
    ui.rememberForm.hidden = true;
  } else if (record?.damaged) {
    show('locked');
    message('bad', 'The saved accounts on this device are damaged and cannot be unlocked. You can delete them.');
  } else {
    show(record ? 'locked' : 'off');
  }
}
