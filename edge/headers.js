// Response headers shared by everything the edge worker sends: security headers on every
// response, and the Content-Security-Policy for pages.

/**
 * The Content-Security-Policy of every response. Scripts come only from this origin; the
 * module's wasm is compiled with WebAssembly.instantiateStreaming, which needs
 * 'wasm-unsafe-eval' (not 'unsafe-eval': no JS eval). No inline script or style is allowed,
 * with one exception: an HTML page's inline <script type="importmap"> blocks are allowed by
 * their SHA-256 hash, computed by the worker from the file it serves (see `pageCsp`), so the
 * page can `import … from 'totp-wasm'` the way an npm user writes it.
 * @param {string[]} scriptHashes extra 'sha256-…' sources for script-src
 */
export function csp(scriptHashes = []) {
  const scriptSrc = ["'self'", "'wasm-unsafe-eval'", ...scriptHashes.map((h) => `'${h}'`)];
  return [
    "default-src 'none'",
    `script-src ${scriptSrc.join(' ')}`,
    "style-src 'self'",
    // data: for the empty favicon (<link rel="icon" href="data:,">) and SVG images.
    "img-src 'self' data:",
    // fetch() of the .wasm next to the loader.
    "connect-src 'self'",
    // The authenticator's web app manifest, its service worker (sw.js) and QR reader worker.
    "manifest-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The headers every response carries, whatever its status. */
export function securityHeaders(headers = new Headers(), scriptHashes = []) {
  headers.set('Content-Security-Policy', csp(scriptHashes));
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  // Older browsers that do not know frame-ancestors.
  headers.set('X-Frame-Options', 'DENY');
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  return headers;
}

/**
 * SHA-256 hashes ('sha256-BASE64') of the inline import maps of an HTML document: the exact
 * text between <script type="importmap"> and </script>, which is what the browser hashes.
 * Any other inline <script> gets no hash and stays blocked by the policy.
 * @param {string} html
 * @returns {Promise<string[]>}
 */
export async function importMapHashes(html) {
  const hashes = [];
  const re = /<script\s+type=(?:"importmap"|'importmap'|importmap)\s*>([\s\S]*?)<\/script\s*>/gi;
  for (const m of html.matchAll(re)) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(m[1]));
    hashes.push(`sha256-${base64(new Uint8Array(digest))}`);
  }
  return hashes;
}

function base64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
