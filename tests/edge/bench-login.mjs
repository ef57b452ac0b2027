// Login-with-code throughput on loopback: NOT a test (no assertions on time; not run by the
// suite). Run from the repository root after `cargo xtask build`:
//
//   node tests/edge/bench-login.mjs [--clients 8] [--seconds 10] [--users 400]
//
// It starts its own workerd (edge/config.capnp, fresh state folder), signs up and enrolls
// `--users` people, then runs `--clients` concurrent clients for `--seconds`: each login is
// the whole two-step flow a person goes through - POST /api/login (password: PBKDF2-SHA-256,
// 100,000 iterations) then POST /api/login/verify (ticket + TOTP code: AES-GCM decryption and
// verifyCode in the User Durable Object). Codes are computed with the package, as a phone app
// would. A code is good once per authenticator and 30 s step (replays are refused), so each
// person signs in at most twice in the run (steps cur and cur+1; enrollment used cur-1): the
// pool of people is the limit on how long a run can be.
import { parseArgs } from 'node:util';
import { totp } from 'totp-wasm';
import { PERIOD, Person, pool, startEdge } from './support/edge.mjs';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '10' },
    users: { type: 'string', default: '400' },
  },
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const USERS = Number(values.users);

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const edge = await startEdge();
try {
  console.log(`setting up ${USERS} people with an authenticator ...`);
  const setupStart = performance.now();
  const people = await pool(Array.from({ length: USERS }), 16, async () => {
    const p = new Person(edge);
    const res = await p.signup();
    if (res.status !== 201) throw new Error(`signup: ${res.text}`);
    await p.enroll();
    return p;
  });
  console.log(`setup: ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);

  /** The next (person, step) whose code is still unused and inside the window, or null. */
  let cursor = 0;
  function next() {
    const cur = Math.floor(Date.now() / 1000 / PERIOD);
    for (let tries = 0; tries < people.length; tries++) {
      const p = people[cursor];
      cursor = (cursor + 1) % people.length;
      if (p.busy) continue;
      const f = p.factors.get(p.firstFactor());
      const step = Math.max(f.lastStep + 1, cur - 1);
      if (step <= cur + 1) {
        f.lastStep = step;
        p.busy = true;
        return { p, step, code: totp(f.secret, { time: step * PERIOD }) };
      }
    }
    return null;
  }

  const total = [];
  const codeStep = [];
  let errors = 0;
  let exhausted = false;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  async function client() {
    while (performance.now() < deadline) {
      const job = next();
      if (!job) {
        exhausted = true;
        return;
      }
      const t0 = performance.now();
      const login = await job.p.client.post('/api/login', { username: job.p.name, password: job.p.password });
      const t1 = performance.now();
      const verify = await job.p.client.post('/api/login/verify', { ticket: login.body?.ticket, code: job.code });
      const t2 = performance.now();
      job.p.busy = false;
      if (verify.status !== 200) {
        errors++;
        continue;
      }
      total.push(t2 - t0);
      codeStep.push(t2 - t1);
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const elapsed = (performance.now() - started) / 1000;
  total.sort((a, b) => a - b);
  codeStep.sort((a, b) => a - b);
  const ms = (x) => `${x.toFixed(1)} ms`;
  console.log(`clients: ${CLIENTS}, run: ${elapsed.toFixed(1)} s${exhausted ? ' (stopped early: every code of the pool was used)' : ''}`);
  console.log(`logins with a code: ${total.length} ok, ${errors} failed -> ${(total.length / elapsed).toFixed(1)} logins/s`);
  console.log(`whole login (password + code): p50 ${ms(percentile(total, 50))}, p99 ${ms(percentile(total, 99))}`);
  console.log(`code step alone (POST /api/login/verify): p50 ${ms(percentile(codeStep, 50))}, p99 ${ms(percentile(codeStep, 99))}`);
} finally {
  await edge.stop();
}
