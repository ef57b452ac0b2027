// Static files: www/ at / and the built npm package pkg/ at /pkg/, read through workerd disk
// services (bound as service bindings). The disk service sends no Content-Type and answers a
// directory with a JSON listing, so this module decides what may be served and how it is typed.

import { importMapHashes, securityHeaders } from './headers.js';

/** Content types by file extension; anything else is not served (404). */
const TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.wasm', 'application/wasm'],
  ['.css', 'text/css; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.json', 'application/json; charset=utf-8'],
  ['.map', 'application/json; charset=utf-8'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.md', 'text/markdown; charset=utf-8'],
  // TypeScript declarations in pkg/ (index.d.ts): readable text, never executed.
  ['.ts', 'text/plain; charset=utf-8'],
]);

/**
 * Splits a request path into safe, decoded segments, or returns null when it must not be
 * served: `.`/`..` segments (raw or percent-encoded), dotfiles, encoded slashes or
 * backslashes, NUL and other control characters, malformed percent-encoding, empty segments.
 * It reads the raw path of the request URL, so a traversal attempt is refused even if
 * something on the way would have normalised it.
 * @param {string} rawPath the path as sent, still percent-encoded
 * @returns {string[] | null}
 */
export function safeSegments(rawPath) {
  if (!rawPath.startsWith('/')) return null;
  const parts = rawPath.slice(1).split('/');
  const out = [];
  for (const [i, part] of parts.entries()) {
    // A trailing slash ("/pkg/") names a directory: never listed.
    if (part === '') {
      if (i === parts.length - 1 && i > 0) return null;
      if (i === parts.length - 1) break; // "/" itself
      return null;
    }
    let seg;
    try {
      seg = decodeURIComponent(part);
    } catch {
      return null;
    }
    if (seg.startsWith('.')) return null; // ".", "..", dotfiles
    if (/[/\\\u0000-\u001f\u007f]/.test(seg)) return null;
    out.push(seg);
  }
  return out;
}

/** The raw (undecoded, unnormalised) path of a request URL. */
export function rawPathOf(url) {
  const afterScheme = url.indexOf('//');
  const pathStart = url.indexOf('/', afterScheme + 2);
  if (pathStart < 0) return '/';
  let end = url.length;
  for (const c of ['?', '#']) {
    const i = url.indexOf(c, pathStart);
    if (i >= 0 && i < end) end = i;
  }
  return url.slice(pathStart, end);
}

function extensionOf(name) {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/**
 * Serves one file from a disk service binding.
 * @param {Request} request GET or HEAD
 * @param {Fetcher} disk the disk service binding
 * @param {string[]} segments safe, decoded path segments inside that disk
 */
export async function serveFile(request, disk, segments) {
  if (segments.length === 0) return notFound();
  const name = segments[segments.length - 1];
  const type = TYPES.get(extensionOf(name));
  if (!type) return notFound();
  const isHtml = type.startsWith('text/html');
  const path = '/' + segments.map(encodeURIComponent).join('/');
  // HTML is read whole (its import maps are hashed into the policy); HEAD of an HTML page
  // therefore reads it too, so that both carry the same headers.
  const method = request.method === 'HEAD' && !isHtml ? 'HEAD' : 'GET';
  const upstream = await disk.fetch(new Request(`http://disk${path}`, { method }));
  // Directories come back as a JSON listing without Content-Length: never expose them.
  if (!upstream.ok || !upstream.headers.has('content-length')) {
    await upstream.body?.cancel();
    return notFound();
  }
  const headers = new Headers({
    'Content-Type': type,
    'Cache-Control': isHtml ? 'no-store' : 'no-cache',
  });
  const lastModified = upstream.headers.get('last-modified');
  if (lastModified) headers.set('Last-Modified', lastModified);
  if (isHtml) {
    const html = await upstream.text();
    securityHeaders(headers, await importMapHashes(html));
    const body = new TextEncoder().encode(html);
    headers.set('Content-Length', String(body.byteLength));
    return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers });
  }
  securityHeaders(headers);
  headers.set('Content-Length', upstream.headers.get('content-length'));
  if (request.method === 'HEAD') {
    await upstream.body?.cancel();
    return new Response(null, { status: 200, headers });
  }
  return new Response(upstream.body, { status: 200, headers });
}

/** A plain-text error response with the security headers. */
export function textResponse(status, text, extra = {}) {
  const headers = securityHeaders(
    new Headers({
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      ...extra,
    }),
  );
  return new Response(`${text}\n`, { status, headers });
}

export function notFound() {
  return textResponse(404, 'Not found');
}
