// The authenticator's accounts: the one list, and the rules for adding, removing and
// advancing them. Nothing here touches the page: every change is announced with a "change"
// event (detail: { reason }), which the list view and the vault listen to.
import { buildUri } from 'totp-wasm';

/**
 * One account, as parseUri returns it plus a local id. `counter` (HOTP) is a bigint: the
 * counter of the code shown.
 * @typedef {{ id: number, type: 'totp' | 'hotp', secret: string, account: string, issuer?: string,
 *   algorithm: 'SHA1' | 'SHA256' | 'SHA512', digits: number, period: number, counter?: bigint }} Account
 */

/**
 * Why the list changed: 'add', 'remove', 'counter' (an HOTP account moved on), 'unlock'
 * (saved accounts came in), 'lock' (they left the page), 'locked' (whether saved accounts
 * wait behind a passphrase).
 * @typedef {'add' | 'remove' | 'counter' | 'unlock' | 'lock' | 'locked'} Reason
 */

let nextId = 1;

/** The account as an otpauth:// URI (the export format, and what the vault stores). */
export function toUri(a) {
  return buildUri({
    type: a.type,
    secret: a.secret,
    account: a.account,
    ...(a.issuer ? { issuer: a.issuer } : {}),
    algorithm: a.algorithm,
    digits: a.digits,
    ...(a.type === 'totp' ? { period: a.period } : { counter: a.counter ?? 0n }),
  });
}

/** parseUri's shape → an Account (extra parameters such as image= are not kept). */
export function fromParsed(p) {
  return {
    id: nextId++,
    type: p.type,
    secret: p.secret,
    account: p.account,
    ...(p.issuer ? { issuer: p.issuer } : {}),
    algorithm: p.algorithm,
    digits: p.digits,
    period: p.period,
    ...(p.type === 'hotp' ? { counter: BigInt(p.counter ?? 0n) } : {}),
  };
}

export function sameAccount(a, b) {
  return a.type === b.type && a.secret === b.secret && a.account === b.account && (a.issuer ?? '') === (b.issuer ?? '');
}

/** "Example (alice@example.com)", or just the account without an issuer. */
export function nameOf(a) {
  return a.issuer ? `${a.issuer} (${a.account})` : a.account;
}

/** The list of accounts on this page. */
class Accounts extends EventTarget {
  /** @type {Account[]} */
  #list = [];
  /** Whether accounts are saved on this device but still locked (the empty list says so). */
  #locked = false;

  get all() {
    return this.#list;
  }

  get locked() {
    return this.#locked;
  }

  byId(id) {
    return this.#list.find((a) => a.id === id);
  }

  /** @param {Reason} reason */
  #changed(reason, extra = {}) {
    this.dispatchEvent(new CustomEvent('change', { detail: { reason, ...extra } }));
  }

  /**
   * Adds the accounts that are not there yet. Returns [added, alreadyThere].
   * @param {Account[]} incoming
   * @returns {[Account[], number]}
   */
  add(incoming) {
    const added = [];
    let duplicates = 0;
    for (const a of incoming) {
      if (this.#list.some((b) => sameAccount(a, b)) || added.some((b) => sameAccount(a, b))) duplicates++;
      else added.push(a);
    }
    if (added.length) {
      this.#list = [...this.#list, ...added];
      this.#changed('add', { added });
    }
    return [added, duplicates];
  }

  /** Removes one account; the event carries its former position (for focus). */
  remove(id) {
    const index = this.#list.findIndex((a) => a.id === id);
    if (index < 0) return;
    const [gone] = this.#list.splice(index, 1);
    this.#changed('remove', { gone, index });
  }

  /** The next HOTP code: the counter moves on by one. */
  advance(id) {
    const a = this.byId(id);
    if (!a || a.type !== 'hotp') return;
    a.counter = (a.counter ?? 0n) + 1n;
    this.#changed('counter', { account: a });
  }

  /**
   * Saved accounts arrive (unlock): they come first, then those added on this page before.
   * Returns the accounts that were only on the page (they still need saving).
   * @param {Account[]} saved
   */
  unlock(saved) {
    const pageOnly = this.#list.filter((a) => !saved.some((b) => sameAccount(a, b)));
    this.#list = [...saved, ...pageOnly];
    this.#locked = false;
    this.#changed('unlock', { pageOnly });
    return pageOnly;
  }

  /** Lock: every account leaves the page (they stay saved, encrypted). */
  lock() {
    this.#list = [];
    this.#locked = true;
    this.#changed('lock');
  }

  /** Whether saved accounts wait behind a passphrase. */
  setLocked(locked) {
    if (this.#locked === locked) return;
    this.#locked = locked;
    this.#changed('locked');
  }
}

/** The page's one list. */
export const accounts = new Accounts();
