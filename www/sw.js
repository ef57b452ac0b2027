// The authenticator's service worker: the page works without the network after its first
// visit. Registered by authenticator-offline.js with the scope /authenticator.html, so it
// never controls another page (the account pages and their /api/ calls); requests to /api/
// are never answered from here either.
//
// Network first: while the server answers, every file comes fresh from it (revalidated
// through the HTTP cache, so an upgrade shows on the next load) and the copy here is
// replaced; when it does not answer, the last copy is used.
const CACHE = 'totp-wasm-authenticator';
const PAGE = '/authenticator.html';
/** What the page needs before it has loaded anything (the rest comes from the page's list). */
const OWN = [PAGE, '/manifest.json', '/icon-192.png', '/icon-512.png'];

function cacheable(url) {
  return url.origin === self.location.origin && !url.pathname.startsWith('/api/');
}

/** Fetches each URL and keeps the good answers (a failure skips that file). */
async function keep(urls) {
  const cache = await caches.open(CACHE);
  await Promise.all(
    urls.map(async (u) => {
      const url = new URL(u, self.location.origin);
      if (!cacheable(url)) return;
      try {
        const res = await fetch(url, { cache: 'no-cache' });
        if (res.ok) await cache.put(url.href, res);
      } catch {
        // offline during the first visit: kept the next time it is fetched
      }
    }),
  );
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (res.ok && res.type === 'basic') await cache.put(request.url, res.clone());
    return res;
  } catch (err) {
    const hit = (await cache.match(request.url)) ?? (request.mode === 'navigate' ? await cache.match(new URL(PAGE, self.location.origin).href) : undefined);
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(keep(OWN));
  // A new version takes over at once: the files are network first anyway.
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

// The page sends the files it loaded before this worker controlled it.
self.addEventListener('message', (event) => {
  const urls = event.data?.keep;
  if (!Array.isArray(urls)) return;
  event.waitUntil(keep(urls).then(() => event.source?.postMessage({ kept: urls.length })));
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !cacheable(new URL(request.url))) return;
  event.respondWith(networkFirst(request));
});
