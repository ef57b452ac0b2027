// `cargo xtask operator` (xtask/src/operator.rs) against real workerd serving the operator
// API (the real edge, support/audit-edge.mjs): the token from <state>/operator-token,
// JSON on stdout, errors a person can act on, and a clear message when no demo answers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifySecurityLog } from '../../edge/security-log.js';
import { ROOT, auditKeys, startAudit, uniqueName } from './support/audit-edge.mjs';

const CI = /^(true|1|yes)$/i.test(process.env.CI ?? '');
/** The binary `cargo xtask` runs (its alias builds it with --release). */
const XTASK = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'release', 'xtask');
const { keys, tokens } = auditKeys(['demo']);
let edge;
let state;

before(async () => {
  if (!existsSync(XTASK)) return;
  edge = await startAudit({ keys, env: { OPERATOR_MIN_RESET_DELAY: '0' } });
  state = mkdtempSync(join(tmpdir(), 'totp-wasm-operator-cli-'));
  writeFileSync(join(state, 'operator-token'), `${tokens.demo}\n`, { mode: 0o600 });
});
after(async () => {
  await edge?.stop();
  if (state) rmSync(state, { recursive: true, force: true });
});

function xtask(args, stateDir = state, port = edge.port) {
  const r = spawnSync(XTASK, ['operator', ...args, '--port', String(port), '--state', stateDir], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ready(t) {
  if (existsSync(XTASK)) return true;
  if (CI) assert.fail(`${XTASK} missing`);
  t.skip(`${XTASK} not built (cargo xtask builds it)`);
  return false;
}

test('lookup, reset, unlock and log through the tool; the log shows the operator and verifies', async (t) => {
  if (!ready(t)) return;
  const name = `.${uniqueName('cli/user\\x')}`;
  await edge.seedUser(name);

  const lookup = xtask(['lookup', name]);
  assert.equal(lookup.status, 0, lookup.stderr);
  assert.equal(JSON.parse(lookup.stdout).username, name);

  const noReason = xtask(['reset', name]);
  assert.equal(noReason.status, 1);
  assert.match(noReason.stderr, /needs --reason/);

  const reset = xtask(['reset', name, '--reason', 'owner verified on a video call']);
  assert.equal(reset.status, 0, reset.stderr);
  assert.equal(JSON.parse(reset.stdout).status, 'reset');
  assert.equal(xtask(['unlock', name, '--reason', 'locked out by typos']).status, 0);

  const log = xtask(['log', name, '--reason', 'owner asked for it']);
  assert.equal(log.status, 0, log.stderr);
  const exported = JSON.parse(log.stdout);
  assert.deepEqual(exported.events.map((e) => e.type), ['sign-in', 'operator-lookup', 'operator-reset', 'sessions-revoked', 'operator-unlock', 'operator-log-read']);
  assert.deepEqual(exported.events[2].detail, { operator: 'demo', reason: 'owner verified on a video call' });
  assert.equal(verifySecurityLog(exported, { key: Buffer.from(keys.macKey, 'hex') }).ok, true);
});

test('the service refusals come through as error: CODE: message with exit 1', async (t) => {
  if (!ready(t)) return;
  const unknown = xtask(['lookup', uniqueName('ghost')]);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /^error: NOT_FOUND: .*\(HTTP 404\)/m);
  const long = xtask(['unlock', 'someone', '--reason', 'x'.repeat(501)]);
  assert.match(long.stderr, /error: INVALID_ARGUMENT: "reason"/);

  const other = mkdtempSync(join(tmpdir(), 'totp-wasm-operator-cli-'));
  try {
    const missing = xtask(['lookup', 'someone'], other);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no operator token at .*operator-token.*cargo xtask demo --state/);
    writeFileSync(join(other, 'operator-token'), 'A'.repeat(43));
    const wrong = xtask(['lookup', 'someone'], other);
    assert.match(wrong.stderr, /error: UNAUTHENTICATED: .*\(HTTP 401\)/);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('no demo on the port: a clear error naming the port and how to start one', async (t) => {
  if (!ready(t)) return;
  const port = await new Promise((ok) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => ok(p));
    });
  });
  const r = xtask(['lookup', 'someone'], state, port);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`no demo answers on http://127\\.0\\.0\\.1:${port}/ .*cargo xtask demo --port ${port}`));
});
