// wasm memory over many objects (Node only: reads the module's memory through the glue, and
// runs a child Node with --expose-gc). wasm memory never shrinks, so "flat" means it does not
// grow: a million Totp objects created, used and freed fit in the memory of the first thousand;
// objects never freed are reclaimed by the glue's FinalizationRegistry once collected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const root = dirname(require.resolve('totp-wasm/package.json'));
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** The entry's wasm memory: the glue's initSync returns the running instance's exports. */
async function memoryOf(dir) {
  const lib = await import(pathToFileURL(join(root, dir, 'node.js')).href);
  const glue = await import(pathToFileURL(join(root, dir, 'totp_wasm.js')).href);
  return { lib, memory: glue.initSync({ module: new Uint8Array() }).memory };
}

test('a million Totp objects created, used and freed keep wasm memory flat', async () => {
  const { lib, memory } = await memoryOf('otp');
  const round = (n) => {
    for (let i = 0; i < n; i++) {
      const t = new lib.Totp(SECRET);
      t.generate(59 + i);
      t.free();
    }
  };
  round(1000);
  const before = memory.buffer.byteLength;
  round(1_000_000);
  assert.equal(memory.buffer.byteLength, before, `memory grew from ${before} to ${memory.buffer.byteLength} bytes`);
});

// The child: the same work twice, once keeping every object alive (the size a leak would
// have) and once dropping them unfreed, collecting between batches (FinalizationRegistry
// callbacks run only between tasks, never inside a synchronous loop).
const CHILD = `
const root = ${JSON.stringify(pathToFileURL(root + '/').href)};
const lib = await import(root + 'otp/node.js');
const { memory } = (await import(root + 'otp/totp_wasm.js')).initSync({ module: new Uint8Array() });
const SECRET = ${JSON.stringify(SECRET)};
const BATCH = 10000, BATCHES = 10;
const settle = async () => { for (let i = 0; i < 2; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); } };
async function run(keep) {
  const kept = [];
  for (let b = 0; b < BATCHES; b++) {
    for (let i = 0; i < BATCH; i++) { const t = new lib.Totp(SECRET); t.generate(59); if (keep) kept.push(t); }
    await settle();
  }
  return kept;
}
await run(false);
const unfreedStart = memory.buffer.byteLength;
await run(false);
const unfreedGrowth = memory.buffer.byteLength - unfreedStart;
const keptStart = memory.buffer.byteLength;
const kept = await run(true);
const keptGrowth = memory.buffer.byteLength - keptStart;
console.log(JSON.stringify({ unfreedGrowth, keptGrowth, objects: kept.length }));
`;

test('unfreed Totp objects are reclaimed by the FinalizationRegistry (node --expose-gc)', () => {
  const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', CHILD], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const { unfreedGrowth, keptGrowth, objects } = JSON.parse(child.stdout.trim().split('\n').pop());
  // Kept alive, 100,000 objects need their wasm memory: the control shows what a leak costs.
  assert.equal(objects, 100_000);
  assert.ok(keptGrowth >= 8 * objects, `keeping ${objects} objects grew memory by ${keptGrowth} bytes`);
  // Dropped without free(), the same objects are collected and their memory reused.
  assert.equal(unfreedGrowth, 0, `unfreed objects grew memory by ${unfreedGrowth} bytes (kept: ${keptGrowth})`);
});
