// The backup codes, shown once: after turning 2FA on and after making new ones. Print (the
// print stylesheet in account.css prints only the codes, the account and the date), Download
// as a .txt file (a Blob URL), Copy. The codes live in this view only while it is shown.
import { formatDateTime } from './account-messages.js';
import { copyText } from './clipboard.js';
import { $ } from './dom.js';

const ui = {
  account: $('codes-account'),
  date: /** @type {HTMLTimeElement} */ ($('codes-date')),
  list: $('codes-list'),
  removalBlock: $('removal-block'),
  removalCode: $('removal-code'),
  removalNote: $('removal-note'),
  print: $('codes-print'),
  download: $('codes-download'),
  copy: $('codes-copy'),
  status: $('codes-status'),
  done: $('codes-done'),
};

/** @type {{ username: string, codes: string[], removalCode?: string, made: number } | null} */
let shown = null;

/** A file-name-safe form of a username: letters, digits, ".", "_" and "-"; others become "-". */
export function fileNameFor(username) {
  const safe = username.normalize('NFC').replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^[-.]+|-+$/g, '');
  return `totp-wasm-backup-codes-${safe || 'account'}.txt`;
}

/** The codes as text: what Download saves and Copy copies. */
function asText() {
  if (!shown) return '';
  const lines = [
    'totp-wasm backup codes',
    `Account: ${shown.username}`,
    `Made: ${formatDateTime(shown.made)}`,
    '',
    'Each code signs you in once instead of a code from your authenticator app.',
    '',
    ...shown.codes.map((c, i) => `${String(i + 1).padStart(2, ' ')}. ${c}`),
  ];
  if (shown.removalCode) {
    lines.push('', `Removal code (16 digits; turns 2FA off, once; not a backup code): ${shown.removalCode}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Shows a new set of codes (and the removal code, when one was made).
 * @param {string} username
 * @param {string[]} codes
 * @param {string | undefined} removalCode
 */
export function renderBackupCodes(username, codes, removalCode) {
  const made = Math.floor(Date.now() / 1000);
  shown = { username, codes, removalCode, made };
  ui.account.textContent = username;
  ui.date.dateTime = new Date(made * 1000).toISOString();
  ui.date.textContent = formatDateTime(made);
  ui.list.replaceChildren(
    ...codes.map((c) => {
      const li = document.createElement('li');
      const code = document.createElement('code');
      code.textContent = c;
      li.append(code);
      return li;
    }),
  );
  ui.removalBlock.hidden = !removalCode;
  ui.removalNote.hidden = !removalCode;
  ui.removalCode.textContent = removalCode ?? '';
  ui.status.textContent = '';
}

/** Forgets the codes (the view is left: they are never shown again). */
export function clearBackupCodes() {
  shown = null;
  ui.list.replaceChildren();
  ui.removalCode.textContent = '';
}

function download() {
  if (!shown) return;
  const url = URL.createObjectURL(new Blob([asText()], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileNameFor(shown.username);
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the URL by now; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  ui.status.textContent = `Downloaded as ${a.download}.`;
}

async function copy() {
  ui.status.textContent = (await copyText(asText(), { shown: ui.list, copied: 'Backup codes copied.', what: 'the list of codes' })).message;
}

/** @param {{ onDone: () => void }} options */
export function initBackupCodes({ onDone }) {
  ui.print.addEventListener('click', () => window.print());
  ui.download.addEventListener('click', download);
  ui.copy.addEventListener('click', copy);
  ui.done.addEventListener('click', onDone);
}
