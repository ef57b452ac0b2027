// Wrong-password logins for an existing and for an unknown username, timed through real
// workerd: NOT a test (nothing asserts a time; not run by the suite). `cargo xtask bench` runs
// it and adds `loginTiming` to target/bench.json; by hand, after `cargo xtask build`:
//
//   node tests/edge/bench-login-timing.mjs [--users 60] [--rounds 4]
//
// The two answers should cost the same (the service promises no username enumeration, and an
// unknown name should run the same dummy PBKDF2): this prints both medians and their ratio.
// Requests go one at a time (latency, not throughput), existing and unknown interleaved so
// that drift on the machine hits both alike. Each existing user gets at most `rounds` wrong
// passwords (fewer than the free failures before a lock), so every answer measured for them is
// a real password check, not a lock; each unknown login uses a name never seen before, as an
// attacker probing for names would.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Person, ROOT, TARGET, pool, startEdge, tally, uniqueName } from './support/edge.mjs';

const { values } = parseArgs({
  options: { users: { type: 'string', default: '60' }, rounds: { type: 'string', default: '4' } },
});
const USERS = Number(values.users);
const ROUNDS = Number(values.rounds);

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p) => +s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(2);
  return { samples: s.length, p10: at(0.1), median: at(0.5), p90: at(0.9) };
}

async function timed(client, body) {
  const t0 = performance.now();
  const res = await client.post('/api/login', body);
  return { ms: performance.now() - t0, res };
}

const edge = await startEdge();
try {
  const people = await pool(Array.from({ length: USERS }), 4, async () => {
    const p = new Person(edge);
    const res = await p.signup();
    if (res.status !== 201) throw new Error(`signup: ${res.text}`);
    return p;
  });
  const client = edge.client();
  const wrong = (name) => ({ username: name, password: `wrong password ${uniqueName('')}` });
  // Warm-up: the first requests compile code and open files.
  for (let i = 0; i < 5; i++) await timed(client, wrong(uniqueName('warm')));

  const existing = [];
  const unknown = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of people) {
      existing.push(await timed(client, wrong(p.name)));
      unknown.push(await timed(client, wrong(uniqueName('nobody'))));
    }
  }
  const e = stats(existing.map((x) => x.ms));
  const u = stats(unknown.map((x) => x.ms));
  const result = {
    date: new Date().toISOString(),
    target: TARGET,
    what: 'POST /api/login with a wrong password, one request at a time, ms',
    existingUser: { ...e, answers: tally(existing.map((x) => x.res)) },
    unknownUser: { ...u, answers: tally(unknown.map((x) => x.res)) },
    medianRatioUnknownToExisting: +(u.median / e.median).toFixed(3),
    sameBodies: existing.every((x, i) => x.res.text === unknown[i].res.text),
  };
  const file = join(ROOT, 'target', 'bench.json');
  mkdirSync(join(ROOT, 'target'), { recursive: true });
  const report = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  report.loginTiming = result;
  writeFileSync(file, JSON.stringify(report, null, 2));

  const line = (what, s) => `  ${what.padEnd(34)} median ${s.median} ms  (p10 ${s.p10}, p90 ${s.p90}, n=${s.samples})`;
  console.log('\nwrong-password login on workerd, existing vs unknown username');
  console.log(line('existing user', e), JSON.stringify(result.existingUser.answers));
  console.log(line('unknown user (a new name each time)', u), JSON.stringify(result.unknownUser.answers));
  console.log(`  unknown / existing median: ×${result.medianRatioUnknownToExisting}; identical bodies: ${result.sameBodies}`);
  console.log('added to target/bench.json as loginTiming');
} finally {
  await edge.stop();
}
