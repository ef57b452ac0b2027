// New passwords against the list of common and breached passwords (NIST SP 800-63B §5.1.1.2),
// through the real sign-up route: a seeded random sample of the package's own list is refused
// (PASSWORD_TOO_COMMON), near-misses of those entries are accepted, and the worker's copy of
// the list is exactly the one the package ships. Reproduce a run with the seed it prints:
//
//   TOTP_WASM_PASSWORD_SEED=<seed> node --test tests/edge/passwords.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LIST_FILE, PACKAGE, listText, longEnough, packageList, packageVersion } from './support/common-passwords.mjs';
import { assertError, assertOk, pool, startEdge, uniqueName } from './support/edge.mjs';

const SAMPLE = 200;
const NEAR_MISSES = 20;
const SEED = Number(process.env.TOTP_WASM_PASSWORD_SEED ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** `n` distinct entries of `items`, chosen by `random` (a partial Fisher-Yates shuffle). */
function sample(items, n, random) {
  const copy = [...items];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

const list = packageList();
const listed = new Set(list);
const random = prng(SEED);
const candidates = list.filter(longEnough);
const short = list.filter((p) => !longEnough(p));
const seedNote = `seed ${SEED} (TOTP_WASM_PASSWORD_SEED=${SEED} repeats this sample)`;

let edge;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge?.stop();
});

function signup(password, username = uniqueName('pw')) {
  return edge.client().post('/api/signup', { username, password });
}

test(`the worker's list is ${PACKAGE}'s, as installed`, (t) => {
  t.diagnostic(`${PACKAGE} ${packageVersion()}: ${list.length} entries, ${candidates.length} of 8 or more characters`);
  assert.ok(list.length > 10_000, 'the package still ships its password list');
  assert.equal(readFileSync(LIST_FILE, 'utf8'), listText(list), 'edge/common-passwords.txt is stale: run node tests/edge/support/common-passwords.mjs');
});

describe('sign-up refuses common passwords (NIST SP 800-63B §5.1.1.2)', () => {
  test(`${SAMPLE} entries of the list chosen at random, as listed or in other case, are refused`, async (t) => {
    t.diagnostic(seedNote);
    const chosen = sample(candidates, SAMPLE, random).map((entry) => {
      const form = Math.floor(random() * 3);
      return form === 0 ? entry : form === 1 ? entry.toUpperCase() : entry[0].toUpperCase() + entry.slice(1);
    });
    const names = chosen.map(() => uniqueName('common'));
    const answers = await pool(chosen, 8, (password, i) => signup(password, names[i]));
    for (const [i, res] of answers.entries()) {
      const e = assertError(res, 400, 'PASSWORD_TOO_COMMON');
      assert.equal(e.field, 'password', `${seedNote}, entry ${i}`);
      assert.match(e.message, /common/);
      assert.ok(!e.message.includes(chosen[i]), 'the message does not echo the password');
    }
    // Refused before anything was stored: the names are still free.
    for (const name of names.slice(0, 3)) assertOk(await signup(`not on any list ${uniqueName('')}`, name), 201);
  });

  test('entries shorter than 8 characters meet the length rule first', async (t) => {
    t.diagnostic(seedNote);
    for (const entry of sample(short, 5, random)) {
      const e = assertError(await signup(entry), 400, 'INVALID_ARGUMENT');
      assert.equal(e.field, 'password');
      assert.match(e.message, /at least 8 characters/);
    }
  });

  test(`${NEAR_MISSES} near-misses of listed entries are accepted`, async (t) => {
    t.diagnostic(seedNote);
    // One character more, one fewer, or a space inside: each not itself on the list.
    const variants = (p) => [`${p}#`, `${p}${'0123456789'[Math.floor(random() * 10)]}x`, p.slice(0, -1), `${p.slice(0, 4)} ${p.slice(4)}`];
    const misses = [];
    for (const entry of sample(candidates, 4 * NEAR_MISSES, random)) {
      const pick = variants(entry).find((v) => longEnough(v) && !listed.has(v.toLowerCase()) && !misses.includes(v));
      if (pick) misses.push(pick);
      if (misses.length === NEAR_MISSES) break;
    }
    assert.equal(misses.length, NEAR_MISSES);
    const answers = await pool(misses, 4, (password) => signup(password));
    for (const [i, res] of answers.entries()) assert.equal(res.status, 201, `${seedNote}: near-miss ${i}: ${res.text}`);
  });

  test('the rule is for new passwords only: a login with a listed password is just a wrong password', async () => {
    const name = uniqueName('pw');
    assertOk(await signup(`a fine passphrase ${uniqueName('')}`, name), 201);
    assertError(await edge.client().post('/api/login', { username: name, password: candidates[0] }), 401, 'WRONG_PASSWORD');
  });
});

test("nothing secret in workerd's output", () => {
  assert.deepEqual(edge.leakedSecrets(), []);
});
