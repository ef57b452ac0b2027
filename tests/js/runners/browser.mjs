// Runs the conformance suite in headless Chromium (playwright-core), in one of two pages:
//
//   node tests/js/runners/browser.mjs --project <temporary project> --page importmap
//       the cases as plain ES modules; an import map sends 'totp-wasm', 'totp-wasm/otp', …
//       where the package's `browser` condition says (no bundler)
//   node tests/js/runners/browser.mjs --project <temporary project> --page vite
//       a Vite production build of runners/vite-app (which imports the package by name, so
//       Vite resolves its `exports` itself), served as built
//
// The page (runners/page.mjs) runs every case and publishes the results; this prints them as
// TAP. Files are served from the temporary project with their real content types.
import { createReadStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { args, freePort, guard, report, resolveExports } from './common.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

function serve(root, port) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

/** The no-bundler page: an import map from the package's `browser` condition. */
function importMapPage(project) {
  const resolved = resolveExports(project, ['browser', 'import', 'default']);
  const imports = Object.fromEntries(Object.entries(resolved).map(([s, t]) => [s, `/node_modules/totp-wasm/${t}`]));
  console.log(`# import map: ${JSON.stringify(imports)}`);
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>totp-wasm conformance (import map)</title>
<script type="importmap">${JSON.stringify({ imports })}</script>
</head><body><h1>totp-wasm conformance (import map)</h1>
<script type="module" src="/js/runners/page.mjs"></script>
</body></html>
`;
  writeFileSync(join(project, 'conformance.html'), html);
  return '/conformance.html';
}

/** The Vite page: a production build of runners/vite-app into vite-dist/. */
async function vitePage(project) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  // Vite >= 7 needs Node >= 20.19; older Vite builds need an explicit target for the
  // loaders' top-level await.
  if (major < 20 || (major === 20 && minor < 19)) throw new Error(`Vite needs Node >= 20.19 (this is ${process.version})`);
  const { build, version } = await import('vite');
  const outDir = join(project, 'vite-dist');
  console.log(`# vite ${version}: building js/runners/vite-app`);
  await build({
    root: join(project, 'js', 'runners', 'vite-app'),
    base: '/vite-dist/',
    configFile: false,
    logLevel: 'info',
    clearScreen: false,
    build: { outDir, emptyOutDir: true },
  });
  return '/vite-dist/index.html';
}

const TITLE = { importmap: 'conformance in Chromium (import map)', vite: 'conformance in Chromium (Vite build)' };

const { project: projectArg, page = 'importmap' } = args();
await guard(TITLE[page] ?? page, async () => {
  if (!TITLE[page]) throw new Error(`--page must be importmap or vite, not ${page}`);
  const project = resolve(projectArg);
  const path = page === 'vite' ? await vitePage(project) : importMapPage(project);
  const { chromium } = await import('playwright-core');
  const server = await serve(project, await freePort());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
  try {
    const tab = await browser.newPage();
    const problems = [];
    tab.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    tab.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
    tab.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
    tab.on('response', (res) => res.status() >= 400 && problems.push(`${res.status()} ${res.url()}`));
    await tab.goto(`http://127.0.0.1:${server.address().port}${path}`);
    const found = await tab
      .waitForFunction(() => globalThis.__conformance, null, { timeout: 120_000 })
      .then(() => true, () => false);
    if (!found) throw new Error(`the page published no results: ${problems.join('; ') || 'no error seen'}`);
    const { userAgent, results } = await tab.evaluate(() => globalThis.__conformance);
    console.log(`# ${userAgent}`);
    for (const p of problems) console.log(`# ${p}`);
    return report(results, TITLE[page]);
  } finally {
    await browser.close();
    server.close();
  }
});
