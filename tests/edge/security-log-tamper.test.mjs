// The security log in a Durable Object's SQLite file on real workerd: an export verifies, and
// editing or deleting a stored event with Debian's sqlite3 while workerd is stopped is found,
// by the chain alone or, when every hash was recomputed, by the MAC. Also the
// verify-security-log CLI on those exports. The objects are the real User objects of
// edge/config.capnp; the users are made through the API (support/audit-edge.mjs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifySecurityLog } from '../../edge/security-log.js';
import {
  ROOT,
  USERS_UNIQUE_KEY,
  auditKeys,
  deleteKey,
  objectFile,
  readValueHex,
  replaceInValue,
  sqlite3Path,
  startAudit,
  storedKeys,
  uniqueName,
} from './support/audit-edge.mjs';

const CI = /^(true|1|yes)$/i.test(process.env.CI ?? '');
const { keys, tokens } = auditKeys(['ann']);
const key = Buffer.from(keys.macKey, 'hex');
const REASON = 'ORIGINAL-REASON-0001';
let edge;
let files;

before(async () => {
  edge = await startAudit({ keys, env: { OPERATOR_MIN_RESET_DELAY: '0' } });
  files = mkdtempSync(join(tmpdir(), 'totp-wasm-log-exports-'));
});
after(async () => {
  await edge?.stop();
  if (files) rmSync(files, { recursive: true, force: true });
});

/**
 * A user with four events: a password sign-in, an operator lookup, an operator unlock (with
 * REASON; the event edited below) and another lookup. Their session stays, so the user reads
 * the log without appending to it.
 */
async function seeded() {
  const username = uniqueName('tamper');
  await edge.seedUser(username);
  const user = Buffer.from(username).toString('base64url');
  const path = `/api/operator/users/${user}`;
  assert.equal((await edge.operator('GET', path, { token: tokens.ann })).status, 200);
  const res = await edge.operator('POST', `${path}/unlock`, { token: tokens.ann, body: { reason: REASON } });
  assert.equal(res.status, 200, res.text);
  assert.equal((await edge.operator('GET', path, { token: tokens.ann })).status, 200);
  return username;
}

async function exported(username) {
  return { log: await edge.exportLog(username) };
}

/** node edge/verify-security-log.mjs on a saved export: [exit status, stdout]. */
function cli(name, log, withKeys = true) {
  const file = join(files, `${name}.json`);
  writeFileSync(file, JSON.stringify(log));
  const keysFile = join(files, 'keys.json');
  writeFileSync(keysFile, JSON.stringify(keys));
  const args = [join(ROOT, 'edge', 'verify-security-log.mjs'), file, ...(withKeys ? ['--keys', keysFile] : [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return [r.status, r.stdout + r.stderr];
}

test('tampering with stored events in the SQLite file is detected after a restart', async (t) => {
  if (!sqlite3Path()) {
    if (CI) assert.fail('sqlite3 is missing (cargo xtask installs Debian sqlite3)');
    t.skip('sqlite3 not installed (cargo xtask test installs it)');
    return;
  }
  const [edited, rewritten, deleted] = [await seeded(), await seeded(), await seeded()];
  const before = {};
  for (const u of [edited, rewritten, deleted]) {
    before[u] = await exported(u);
    const r = verifySecurityLog(before[u].log, { key });
    assert.deepEqual([r.ok, r.mac, r.chain.events], [true, 'valid', 4], JSON.stringify(r));
    assert.equal(before[u].log.events[2].type, 'operator-unlock');
    assert.equal(before[u].log.events[2].detail.reason, REASON);
  }
  const [status0, out0] = cli('before', before[edited].log);
  assert.equal(status0, 0, out0);
  assert.match(out0, /chain: valid, 4 events .*\nmac: valid/);

  await edge.kill();
  const fileOf = (u) => objectFile(edge.stateDir, USERS_UNIQUE_KEY, u);
  const e3 = 'log:e:000000000003';
  assert.deepEqual(storedKeys(fileOf(edited), 'log:'), [
    'log:e:000000000001', 'log:e:000000000002', e3, 'log:e:000000000004', 'log:head',
  ]);

  // 1. The reason of the reset changed in place.
  replaceInValue(fileOf(edited), e3, REASON, 'FORGED---REASON-0001');

  // 2. The same edit with every later hash recomputed and the head moved along: only the
  //    MAC, which needs the server key, can tell.
  const log = structuredClone(before[rewritten].log);
  const old = log.events.map((e) => e.hash);
  log.events[2].detail.reason = 'FORGED---REASON-0001';
  let prev = log.events[1].hash;
  for (const e of log.events.slice(2)) {
    prev = e.hash = createHash('sha256').update(`${prev}\n${JSON.stringify({ seq: e.seq, at: e.at, type: e.type, detail: e.detail })}`).digest('hex');
  }
  replaceInValue(fileOf(rewritten), e3, REASON, 'FORGED---REASON-0001');
  replaceInValue(fileOf(rewritten), e3, old[2], log.events[2].hash);
  replaceInValue(fileOf(rewritten), 'log:e:000000000004', old[3], log.events[3].hash);
  replaceInValue(fileOf(rewritten), 'log:head', old[3], log.events[3].hash);

  // 3. The unlock event deleted.
  deleteKey(fileOf(deleted), e3);
  assert.ok(!storedKeys(fileOf(deleted), 'log:').includes(e3));
  assert.notEqual(readValueHex(fileOf(deleted), 'log:head'), '');

  await edge.restart();

  const a = (await exported(edited)).log;
  assert.equal(a.events[2].detail.reason, 'FORGED---REASON-0001', 'the edit reached the object');
  const ra = verifySecurityLog(a, { key });
  assert.deepEqual([ra.ok, ra.chain.code, ra.chain.seq], [false, 'HASH_MISMATCH', 3]);
  const [status, out] = cli('edited', a, false);
  assert.equal(status, 1);
  assert.match(out, /chain: BROKEN \(HASH_MISMATCH\): Event 3/);

  const b = (await exported(rewritten)).log;
  assert.equal(b.events[2].detail.reason, 'FORGED---REASON-0001');
  const rb = verifySecurityLog(b, { key });
  assert.deepEqual([rb.ok, rb.chain.ok, rb.mac], [false, true, 'invalid'], 'a consistent rewrite fails only the MAC');
  const [statusB, outB] = cli('rewritten', b);
  assert.equal(statusB, 1);
  assert.match(outB, /chain: valid[^\n]*\nmac: INVALID/);
  assert.equal(cli('rewritten-no-key', b, false)[0], 0, 'without the key the rewrite is not visible');

  const c = (await exported(deleted)).log;
  assert.deepEqual(c.events.map((e) => e.seq), [1, 2, 4]);
  assert.equal(verifySecurityLog(c, { key }).chain.code, 'MISSING_EVENTS');

  // An untouched log in the same folder still verifies after the restart.
  const fresh = await seeded();
  assert.equal(verifySecurityLog((await exported(fresh)).log, { key }).ok, true);
});

test('the verify-security-log CLI says what is wrong with its input', () => {
  const [status, out] = cli('not-a-log', { hello: 'world' });
  assert.equal(status, 1);
  assert.match(out, /NOT_A_LOG/);
  const r = spawnSync(process.execPath, [join(ROOT, 'edge', 'verify-security-log.mjs')], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage:/);
});
