// The totp-wasm authenticator: the role of an authenticator app (1Password, Google
// Authenticator), in the browser alone. Accounts come from otpauth:// links, Google
// Authenticator exports (otpauth-migration://), bare keys, QR code images or the camera; each
// shows its live code. Secrets stay in this page's memory unless the person chooses "remember
// on this device" (encrypted in localStorage). Nothing is ever sent anywhere.
//
// The parts, one module each: the accounts model (authenticator-accounts.js) announces every
// change; the list view (-list), the vault (-vault) and the export (-export) listen to it;
// adding (-add) and scanning (-scan, its decoder in a worker) feed it. Once loaded, the
// page works offline (-offline: a service worker keeps its files).
//
// 'totp-wasm' and 'totp-wasm/scan' resolve through the import map in authenticator.html.
import { initAdd } from './authenticator-add.js';
import { initExport } from './authenticator-export.js';
import { initList } from './authenticator-list.js';
import { initOffline } from './authenticator-offline.js';
import { initScan } from './authenticator-scan.js';
import { initVault } from './authenticator-vault.js';
import { $ } from './dom.js';

initList();
initExport();
initVault();
initAdd();
initScan();
initOffline();
$('status').textContent = '';
$('status').hidden = true;
document.querySelector('main').hidden = false;
