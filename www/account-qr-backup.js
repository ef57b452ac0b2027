// Keeping the setup QR code as a backup (1Password's advice, seed 002): during enrollment
// only, "Save this QR code" as PNG or SVG and "Print" (the print stylesheet in account.css
// prints the QR code, the manual-entry fields and the warning). The QR code is as sensitive as
// the password; it is forgotten with the setup and never offered again once 2FA is on.
import { qrMatrix, qrSvg } from 'totp-wasm';
import { $ } from './dom.js';

const ui = {
  png: $('enroll-save-png'),
  svg: $('enroll-save-svg'),
  print: $('enroll-print'),
  status: $('enroll-keep-status'),
};

/** The setup being shown: its otpauth:// URI and the username (for the file name). */
let current = /** @type {{ uri: string, username: string } | null} */ (null);

const QUIET = 4;
const SCALE = 8;

/** A file-name-safe name: letters, digits, ".", "_" and "-". */
function fileName(ext) {
  const safe = (current?.username ?? '').normalize('NFC').replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^[-.]+|-+$/g, '');
  return `totp-wasm-2fa-qr-${safe || 'account'}.${ext}`;
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  ui.status.textContent = `Saved as ${name}. Keep it like a password.`;
}

/** The QR code drawn from its module matrix: black on white, 8 px per module, quiet zone. */
function pngBlob(uri) {
  const { size, modules } = qrMatrix(uri, { ecc: 'M' });
  const side = (size + 2 * QUIET) * SCALE;
  const canvas = document.createElement('canvas');
  canvas.width = side;
  canvas.height = side;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, side, side);
  ctx.fillStyle = '#000';
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (modules[y * size + x]) ctx.fillRect((x + QUIET) * SCALE, (y + QUIET) * SCALE, SCALE, SCALE);
    }
  }
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
}

async function savePng() {
  if (!current) return;
  const blob = await pngBlob(current.uri);
  if (blob) save(blob, fileName('png'));
  else ui.status.textContent = 'This browser could not make the picture: use SVG or Print instead.';
}

function saveSvg() {
  if (!current) return;
  const svg = qrSvg(current.uri, { ecc: 'M', quietZone: QUIET, dark: '#000', light: '#fff' });
  save(new Blob([svg], { type: 'image/svg+xml' }), fileName('svg'));
}

/** A new setup: its QR code may be saved until it is confirmed or cancelled. */
export function offerQrBackup(uri, username) {
  current = { uri, username };
  ui.status.textContent = '';
}

/** The setup is over (confirmed, cancelled, expired): nothing left to save. */
export function forgetQrBackup() {
  current = null;
  ui.status.textContent = '';
}

export function initQrBackup() {
  ui.png.addEventListener('click', savePng);
  ui.svg.addEventListener('click', saveSvg);
  ui.print.addEventListener('click', () => window.print());
}
