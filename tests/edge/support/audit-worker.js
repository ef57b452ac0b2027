// Test-only worker for the security log and the operator API before they are wired into the
// real User object (issue #13 on top of #10): the operator routes of edge/operator.js with the
// real OperatorGuard, and AuditUser, a stand-in User object that holds a minimal account and
// the real security log (edge/security-log.js) in its Durable Object storage. Served by
// tests/edge/support/audit.capnp; never part of the demo or a deployment.
import { DurableObject } from 'cloudflare:workers';
import { handleOperator } from './operator.js';
import { appendEvent, exportLog } from './security-log.js';

export { OperatorGuard } from './operator-guard.js';

function macKey(env) {
  const hexKey = JSON.parse(env.TOTP_WASM_KEYS).macKey;
  return Uint8Array.from(hexKey.match(/../g), (b) => parseInt(b, 16));
}

const now = () => Math.floor(Date.now() / 1000);

export class AuditUser extends DurableObject {
  #log(username) {
    return { key: macKey(this.env), subject: username };
  }

  /** Test setup: an account with 2FA on, and these events appended in one commit each. */
  async seed({ username, events = [] }) {
    await this.ctx.storage.put('account', { username, twoFactor: true, locked: true, reset: null });
    for (const [type, detail] of events) await appendEvent(this.ctx.storage, this.#log(username), type, detail, now());
    return { id: this.ctx.id.toString() };
  }

  async export({ username }) {
    return { id: this.ctx.id.toString(), log: await exportLog(this.ctx.storage, username) };
  }

  async #account(username) {
    const account = await this.ctx.storage.get('account');
    if (!account || account.username !== username) return null;
    return account;
  }

  async #operate(a, fn) {
    const account = await this.#account(a.username);
    if (!account) return { ok: false, error: { code: 'NOT_FOUND', message: 'No such user.', status: 404 } };
    return { ok: true, value: await fn(account, this.#log(a.username)) };
  }

  operatorStatus(a) {
    return this.#operate(a, async (account, log) => {
      await appendEvent(this.ctx.storage, log, 'operator-lookup', pick(a, 'operator', 'reason'), now());
      return { username: account.username, twoFactor: { enabled: account.twoFactor }, locked: account.locked, reset: account.reset };
    });
  }

  operatorReset(a) {
    return this.#operate(a, async (account, log) => {
      if (a.delaySeconds > 0) {
        const due = now() + a.delaySeconds;
        await this.ctx.storage.put('account', { ...account, reset: { due } });
        await appendEvent(this.ctx.storage, log, 'operator-reset-scheduled', { operator: a.operator, reason: a.reason, due }, now());
        return { status: 'scheduled', due };
      }
      await this.ctx.storage.put('account', { ...account, twoFactor: false });
      await appendEvent(this.ctx.storage, log, 'operator-reset', { operator: a.operator, reason: a.reason }, now());
      await appendEvent(this.ctx.storage, log, '2fa-disabled', { via: 'support' }, now());
      return { status: 'reset' };
    });
  }

  operatorUnlock(a) {
    return this.#operate(a, async (account, log) => {
      await this.ctx.storage.put('account', { ...account, locked: false });
      await appendEvent(this.ctx.storage, log, 'operator-unlock', { operator: a.operator, reason: a.reason }, now());
      return { status: 'unlocked' };
    });
  }

  operatorSecurityLog(a) {
    return this.#operate(a, async (_account, log) => {
      await appendEvent(this.ctx.storage, log, 'operator-log-read', pick(a, 'operator', 'reason'), now());
      return exportLog(this.ctx.storage, a.username);
    });
  }
}

function pick(a, ...names) {
  return Object.fromEntries(names.filter((n) => a[n] !== undefined).map((n) => [n, a[n]]));
}

async function testRoute(request, env, action) {
  const body = await request.json();
  const stub = env.USERS.get(env.USERS.idFromName(body.username));
  return Response.json(await stub[action](body));
}

export default {
  async fetch(request, env) {
    const segments = new URL(request.url).pathname.split('/').slice(1).map(decodeURIComponent);
    if (segments[0] === 'api' && segments[1] === 'operator') return handleOperator(request, env, segments.slice(1));
    if (request.method === 'POST' && segments[0] === 'test' && (segments[1] === 'seed' || segments[1] === 'export')) {
      return testRoute(request, env, segments[1]);
    }
    return new Response('Not found', { status: 404 });
  },
};
