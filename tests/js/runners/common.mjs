// Helpers for the runtime drivers (workerd.mjs, browser.mjs). They run in Node from the source
// tree; the cases run in the temporary project that holds the installed tarball.
import { readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { toTap } from '../conformance/harness.mjs';

/** `--name value` arguments. */
export function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`usage: --name value ..., got ${argv.join(' ')}`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createNetServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * What each import specifier of the installed package resolves to under a runtime's
 * conditions, as a bundler would resolve it: the first key of the `exports` condition map that
 * the runtime accepts. Returns { 'totp-wasm': 'page/workerd.js', 'totp-wasm/otp': ... }
 * (paths inside the package).
 */
export function resolveExports(project, conditions) {
  const root = join(project, 'node_modules', 'totp-wasm');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const out = {};
  for (const [key, map] of Object.entries(pkg.exports)) {
    if (typeof map !== 'object') continue;
    const cond = Object.keys(map).find((c) => conditions.includes(c));
    if (!cond) throw new Error(`exports["${key}"] has none of the conditions ${conditions.join(', ')}`);
    out[pkg.name + key.slice(1)] = map[cond].replace(/^\.\//, '');
  }
  return out;
}

/** Prints the results as TAP with the closing counts `cargo xtask test` reads. */
export function report(results, title) {
  if (!Array.isArray(results) || results.length === 0) throw new Error(`${title}: no results`);
  console.log(toTap(results, title));
  return results.every((r) => r.status !== 'fail');
}

/** Runs `main`; a thrown error is reported as one failed case, so the run always has counts. */
export async function guard(title, main) {
  try {
    const good = await main();
    process.exitCode = good ? 0 : 1;
  } catch (err) {
    console.error(err?.stack ?? String(err));
    console.log(toTap([{ name: `${title}: the runner itself`, status: 'fail', error: String(err?.message ?? err), ms: 0 }], title));
    process.exitCode = 1;
  }
}
