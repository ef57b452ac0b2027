// The installed package's manifest and declaration files (Node only: reads files). The
// conformance suite checks what the entries export at run time in every runtime; this checks
// what npm, bundlers and TypeScript read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CLASSES, ENTRY_EXTRAS, FUNCTIONS } from '../conformance/api.mjs';

const require = createRequire(import.meta.url);
const pkgJsonPath = require.resolve('totp-wasm/package.json');
const root = dirname(pkgJsonPath);
const pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8'));
// The runtime conditions, in the order they must appear (the first that matches wins):
// `types` first for TypeScript, workerd before browser (a worker is no page), `default` last.
const CONDITIONS = ['types', 'workerd', 'worker', 'browser', 'node', 'deno', 'default'];

test('package.json: name, version, module type, license, repository', () => {
  assert.equal(pkg.name, 'totp-wasm');
  assert.match(pkg.version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  assert.equal(pkg.type, 'module');
  assert.ok(typeof pkg.license === 'string' && pkg.license.length > 0, 'a license');
  assert.match(pkg.repository?.url ?? '', /^git\+https:\/\/.+\.git$/);
  // require.resolve gives the real path: a link to the source tree's pkg/ would show here.
  assert.match(root, /[\\/]node_modules[\\/]totp-wasm$/, `installed from the tarball, not linked (${root})`);
});

test('package.json maps every entry for every runtime condition, in order', () => {
  const entries = Object.keys(pkg.exports).filter((k) => k !== './package.json');
  assert.deepEqual(entries.sort(), ['.', './otp', './scan', './verifier'], `the four entries (${entries.join(', ')})`);
  for (const entry of entries) {
    const map = pkg.exports[entry];
    assert.ok(map && typeof map === 'object', `exports["${entry}"] is a condition map`);
    assert.deepEqual(Object.keys(map), CONDITIONS, `exports["${entry}"] conditions`);
    for (const [cond, target] of Object.entries(map)) {
      assert.match(target, /^\.\/[\w-]+\/[\w.-]+$/, `exports["${entry}"].${cond}`);
      assert.ok(existsSync(join(root, target)), `exports["${entry}"].${cond}: ${target} is in the tarball`);
    }
  }
  assert.equal(pkg.exports['./package.json'], './package.json');
  assert.equal(pkg.main, pkg.exports['.'].node);
  assert.equal(pkg.types, pkg.exports['.'].types);
});

test('package.json: files and sideEffects cover the entries and nothing else', () => {
  const dirs = Object.keys(pkg.exports)
    .filter((k) => k !== './package.json')
    .map((k) => pkg.exports[k].default.split('/')[1]);
  for (const dir of dirs) assert.ok(pkg.files.includes(`${dir}/`), `files has ${dir}/`);
  // The loaders initialise the module when imported: a bundler must keep them.
  for (const dir of dirs) {
    for (const loader of ['browser.js', 'node.js', 'workerd.js']) {
      assert.ok(pkg.sideEffects.includes(`./${dir}/${loader}`), `sideEffects has ./${dir}/${loader}`);
    }
  }
  // What npm put in the tarball: the listed files, the manifest, README/LICENSE; no sources.
  const top = readdirSync(root).sort();
  for (const name of top) {
    const listed = pkg.files.some((f) => f === name || f === `${name}/`);
    assert.ok(listed || name === 'package.json' || /^(README|LICEN[CS]E)/i.test(name), `unexpected ${name} in the tarball`);
  }
});

/** The declarations of the entry `totp-wasm` (`.`) or `totp-wasm/x` (`./x`). */
const dtsOf = (key) => readFileSync(join(root, pkg.exports[key].types), 'utf8');
const specifier = (key) => (key === '.' ? 'totp-wasm' : `totp-wasm/${key.slice(2)}`);

test("each entry's declarations declare its API and no other entry's", () => {
  const all = [...new Set(Object.values(ENTRY_EXTRAS).flat())];
  for (const key of ['.', './otp', './verifier', './scan']) {
    const dts = dtsOf(key);
    const own = [...FUNCTIONS, ...CLASSES, ...ENTRY_EXTRAS[specifier(key)]];
    for (const name of own) assert.match(dts, new RegExp(`\\b${name}\\b`), `${key}/index.d.ts declares ${name}`);
    for (const name of all.filter((n) => !own.includes(n))) {
      assert.doesNotMatch(dts, new RegExp(`export[^\\n]*\\b${name}\\b`), `${key}/index.d.ts has no ${name}`);
    }
  }
  const errorDts = readFileSync(join(root, 'otp-error.d.ts'), 'utf8');
  assert.match(errorDts, /export type OtpErrorCode\s*=/, 'OtpErrorCode is a string-literal union');
});

test('the TypeScript samples (tests/types) use every name the declarations export', () => {
  // Beside js/ in the temporary project, as in the source tree (tests/js, tests/types).
  const samples = new URL('../../types/', import.meta.url);
  const source = ['browser/page.ts', 'node/server.ts', 'worker/worker.ts']
    .map((f) => readFileSync(new URL(f, samples), 'utf8'))
    .join('\n');
  const entries = ['.', './otp', './verifier', './scan'];
  for (const entry of entries) {
    const dts = readFileSync(join(root, pkg.exports[entry].types), 'utf8');
    const names = [...dts.matchAll(/export \{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((n) => n.trim()));
    assert.ok(names.length > 10, `${entry}: exports found in its index.d.ts`);
    const unused = names.filter((n) => !new RegExp(`\\b${n}\\b`).test(source));
    assert.deepEqual(unused, [], `${entry}: exported but not used by the samples in tests/types`);
  }
});
