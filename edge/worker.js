// The totp-wasm edge worker. Routes:
//   /api/operator/…  the support API (operator.js): operator tokens, never a user's cookie
//   /api/…   the JSON API (api.js): accounts, sessions, 2FA, update tokens; one User Durable
//            Object per user (user.js), stored on the `state` disk under workerd
//   /pkg/…   the built npm package (pkg/), so the page imports the same files npm users get
//   /site-config.json   what the page shows that the deployment decides: { loginForm }
//   /…       the page (www/), index.html for "/"
// Only GET and HEAD are served for static files (405 otherwise); unknown paths are 404;
// directories are never listed; `.`/`..`/dotfile segments, raw or encoded, are refused.
// Static requests are not logged; API requests as `METHOD /route/pattern STATUS` only: paths,
// queries and bodies may carry secrets or codes.
//
// Static files come from the WWW and PKG disk services under workerd (edge/config.capnp), or
// from the ASSETS binding on Cloudflare (edge/wrangler.toml: www/ at the root, pkg/ at /pkg/).

import { handleApi } from './api.js';
import { handleOperator } from './operator.js';
import { directoryOf } from './directory.js';
import { json } from './http.js';
import { notFound, rawPathOf, safeSegments, serveFile, textResponse } from './static.js';

export { User } from './user.js';
export { Directory } from './directory.js';
export { AddressLimit } from './address-limit.js';
export { OperatorGuard } from './operator-guard.js';

async function handleStatic(request, env, segments) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return textResponse(405, 'Method not allowed', { Allow: 'GET, HEAD' });
  }
  if (segments[0] === 'pkg') {
    return serveFile(request, env.PKG ?? assetsUnder(env.ASSETS, '/pkg'), segments.slice(1));
  }
  return serveFile(request, env.WWW ?? assetsUnder(env.ASSETS, ''), segments.length === 0 ? ['index.html'] : segments);
}

/**
 * A Cloudflare static-assets binding seen as a disk service rooted at `prefix`. Assets never
 * list directories; a response without Content-Length (compressed or streamed) is buffered so
 * that serveFile's check holds.
 */
function assetsUnder(assets, prefix) {
  return {
    async fetch(request) {
      const url = new URL(request.url);
      const res = await assets.fetch(new Request(new URL(prefix + url.pathname, url), { method: request.method }));
      if (!res.ok || res.headers.has('content-length')) return res;
      const body = await res.arrayBuffer();
      const headers = new Headers(res.headers);
      headers.set('content-length', String(body.byteLength));
      return new Response(request.method === 'HEAD' ? null : body, { status: res.status, headers });
    },
  };
}

/**
 * The sign-in form of the page: "one-form" (username, password and code in one form) when the
 * TOTP_WASM_LOGIN_FORM binding says so (`cargo xtask demo --login one-form`), else "two-step".
 * Not under /api/: a fresh visitor's page asks the API nothing.
 */
function siteConfig(env) {
  return json(200, { loginForm: env.TOTP_WASM_LOGIN_FORM === 'one-form' ? 'one-form' : 'two-step' });
}

export default {
  /**
   * @param {Request} request
   * @param {{ WWW?: Fetcher, PKG?: Fetcher, ASSETS?: Fetcher, USERS: DurableObjectNamespace }} env
   */
  async fetch(request, env) {
    const path = rawPathOf(request.url);
    const segments = safeSegments(path);
    if (segments === null) {
      return path.startsWith('/api/') ? handleApi(request, env, ['*']) : notFound();
    }
    try {
      // The support API: a bearer API of its own (operator tokens, its own throttle; operator.js).
      if (segments[0] === 'api' && segments[1] === 'operator') {
        const directory = { exists: async (name) => (await directoryOf(env, name)).exists(name) };
        return await handleOperator(request, env, segments.slice(1), directory);
      }
      if (segments[0] === 'api') return await handleApi(request, env, segments.slice(1));
      if (path === '/site-config.json' && (request.method === 'GET' || request.method === 'HEAD')) return siteConfig(env);
      return await handleStatic(request, env, segments);
    } catch {
      // No details: they could echo a path or a body.
      return textResponse(500, 'Internal error');
    }
  },
};
