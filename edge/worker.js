// The totp-wasm edge worker. Routes:
//   /api/…   the REST API (added with its issue: Durable Objects on the `state` disk)
//   /pkg/…   the built npm package (pkg/), so the page imports the same files npm users get
//   /…       the page (www/), index.html for "/"
// Only GET and HEAD are served for static files (405 otherwise); unknown paths are 404;
// directories are never listed; `.`/`..`/dotfile segments, raw or encoded, are refused.
// Nothing is logged: request paths and bodies may carry secrets or codes.

import { notFound, rawPathOf, safeSegments, serveFile, textResponse } from './static.js';
import { securityHeaders } from './headers.js';

/**
 * The API router: not part of the first issue. It receives every request under /api/ (any
 * method) and answers JSON. Kept here so that the API module slots in without touching the
 * static routes.
 */
async function handleApi(_request, _env, _segments) {
  const headers = securityHeaders(
    new Headers({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }),
  );
  const body = { error: { code: 'NOT_FOUND', message: 'No such API endpoint.' } };
  return new Response(JSON.stringify(body), { status: 404, headers });
}

async function handleStatic(request, env, segments) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return textResponse(405, 'Method not allowed', { Allow: 'GET, HEAD' });
  }
  if (segments[0] === 'pkg') {
    return serveFile(request, env.PKG, segments.slice(1));
  }
  return serveFile(request, env.WWW, segments.length === 0 ? ['index.html'] : segments);
}

export default {
  /**
   * @param {Request} request
   * @param {{ WWW: Fetcher, PKG: Fetcher }} env
   */
  async fetch(request, env) {
    const segments = safeSegments(rawPathOf(request.url));
    if (segments === null) return notFound();
    try {
      if (segments[0] === 'api') return await handleApi(request, env, segments.slice(1));
      return await handleStatic(request, env, segments);
    } catch {
      // No details: they could echo a path or a body.
      return textResponse(500, 'Internal error');
    }
  },
};
