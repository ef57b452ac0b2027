// Export: every account as its otpauth:// link and a QR code, to move them to another app.
// The panel is drawn only while it is open, and redrawn when the accounts change.
import { qrSvg } from 'totp-wasm';
import { accounts, nameOf, toUri } from './authenticator-accounts.js';
import { el } from './authenticator-list.js';
import { copyText } from './clipboard.js';
import { describe } from './format.js';
import { $ } from './dom.js';

const ui = {
  toggle: $('export-toggle'),
  copy: $('export-copy'),
  panel: $('export-panel'),
  empty: $('export-empty'),
  list: $('export-list'),
  status: $('export-status'),
};

function render() {
  const all = accounts.all;
  ui.empty.hidden = all.length > 0;
  ui.copy.hidden = all.length === 0;
  const items = all.map((a) => {
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
  ui.list.replaceChildren(...items);
}

function toggle() {
  const show = ui.panel.hidden;
  ui.panel.hidden = !show;
  ui.toggle.setAttribute('aria-expanded', String(show));
  ui.toggle.textContent = show ? 'Hide links and QR codes' : 'Show links and QR codes';
  ui.status.textContent = '';
  if (show) render();
  else {
    ui.list.replaceChildren();
    ui.copy.hidden = true;
  }
}

async function copyAll() {
  const n = accounts.all.length;
  const r = await copyText(accounts.all.map(toUri).join('\n'), {
    shown: ui.list,
    copied: `Copied ${n} link${n === 1 ? '' : 's'}.`,
    what: 'the list',
  });
  ui.status.textContent = r.message;
}

export function initExport() {
  ui.toggle.addEventListener('click', toggle);
  ui.copy.addEventListener('click', copyAll);
  accounts.addEventListener('change', () => {
    if (!ui.panel.hidden) render();
  });
}
