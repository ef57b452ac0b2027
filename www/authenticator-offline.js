// The authenticator as an installable web app that works offline: registers the service
// worker (sw.js) for this page only, and hands it the files this page has loaded so far
// (page, styles, JS, the package and its .wasm, whatever names the import map gives them),
// so the next visit works without the network.
import { $ } from './dom.js';

/** Same-origin files this page has loaded, never /api/. */
function loadedFiles() {
  const here = location.origin;
  const urls = new Set([location.pathname]);
  for (const e of performance.getEntriesByType('resource')) {
    const url = new URL(e.name);
    if (url.origin === here && !url.pathname.startsWith('/api/')) urls.add(url.pathname);
  }
  return [...urls];
}

export function initOffline() {
  if (!('serviceWorker' in navigator)) return;
  const status = $('offline-status');
  navigator.serviceWorker.addEventListener('message', (e) => {
    if (e.data?.kept) status.textContent = 'This page works offline now: it is kept in this browser.';
  });
  navigator.serviceWorker.startMessages();
  navigator.serviceWorker.register('/sw.js', { scope: '/authenticator.html' }).catch(() => {
    status.textContent = 'This browser cannot keep the page for offline use.';
  });
  navigator.serviceWorker.ready.then((reg) => reg.active?.postMessage({ keep: loadedFiles() }));
}
