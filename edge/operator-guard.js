// OperatorGuard: the Durable Object that counts wrong operator credentials (edge/operator.js).
// One of OPERATOR_GUARD_SHARDS objects, named "shard-<n>"; inside, one record per client
// address under `a:<address>` ({ failures, lockedUntil, last }), deleted by a right
// credential. `attempt` reads, decides (throttleStep, synchronous) and writes with only
// storage awaited, so concurrent guesses from one address are all counted.
import { DurableObject } from 'cloudflare:workers';
import { OPERATOR_THROTTLE, throttleStep } from './operator.js';

/** Records older than this without a lock are dropped by the sweep. */
const STALE_SECONDS = 2 * OPERATOR_THROTTLE.maxLockout;
/** A sweep of stale records runs every this many failures in a shard. */
const SWEEP_EVERY = 1000;

export class OperatorGuard extends DurableObject {
  /** @param {{ address: string, ok: boolean }} a */
  async attempt({ address, ok }) {
    const storage = this.ctx.storage;
    const key = `a:${address}`;
    const now = Math.floor(Date.now() / 1000);
    const record = await storage.get(key);
    const step = throttleStep(record, now, ok);
    if (step.record === null) {
      if (record !== undefined) await storage.delete(key);
    } else if (!step.locked) {
      const writes = (await storage.get('writes')) ?? 0;
      await storage.put({ [key]: step.record, writes: writes + 1 });
      if ((writes + 1) % SWEEP_EVERY === 0) await this.#sweep(now);
    }
    return { allowed: step.allowed, locked: step.locked, retryAt: step.retryAt ?? null };
  }

  /** Drops records whose lock is over and whose last failure is old: storage stays bounded. */
  async #sweep(now) {
    const stale = [];
    for (const [k, r] of await this.ctx.storage.list({ prefix: 'a:' })) {
      if (r.lockedUntil <= now && r.last < now - STALE_SECONDS) stale.push(k);
    }
    for (let i = 0; i < stale.length; i += 128) await this.ctx.storage.delete(stale.slice(i, i + 128));
  }
}
