// The per-client-address limit on attempts that carry no device cookie (logins, removal codes)
// and on sign-ups: one AddressLimit object per address (idFromName), so the count survives
// isolates and machines (worker memory does not: Cloudflare recycles isolates and runs many),
// and no object sees more than one address's traffic.
//
// The address is only taken from a header the deployment trusts (clientAddress in
// settings.js): CF-Connecting-IP behind Cloudflare, set by Cloudflare itself. Locally there is
// no trusted source, so the limit is off unless a test names a header to trust.

import { DurableObject } from 'cloudflare:workers';

export class AddressLimit extends DurableObject {
  /**
   * Counts one attempt of `kind` in the current fixed window of `window` seconds. Over `limit`,
   * refuses it (not counted) with the window's end.
   * @returns {Promise<{ ok: boolean, retryAt?: number }>}
   */
  async hit(kind, limit, window, t) {
    const key = `count:${kind}`;
    const cur = await this.ctx.storage.get(key);
    const start = cur && cur.start + window > t ? cur.start : t;
    const count = start === cur?.start ? cur.count : 0;
    if (count >= limit) return { ok: false, retryAt: start + window };
    await this.ctx.storage.put(key, { start, count: count + 1 });
    return { ok: true };
  }
}
