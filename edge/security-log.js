// The per-user security log: append-only, hash-chained, bounded, with a MAC over its ends.
//
// Each event is `{ seq, at, type, detail, hash }` with
//   hash = hex(SHA-256(previousHash + "\n" + JSON.stringify({ seq, at, type, detail })))
// (keys in that order; the first event's previous hash is 64 zeros), so anyone can check the
// chain from an export alone: an edited, inserted or deleted event breaks it. Someone who can
// write the storage could recompute every hash after an edit; the MAC stops that: each append
// stores HMAC-SHA-256 under a server key of the chain's ends (user, base, head), so a rewritten
// chain no longer matches it, and the key never reaches the storage.
//
// Bounded: the last LOG_LIMIT events are kept. When an old event is dropped, the hash of the
// last dropped event is kept as the chain's `base`, so the rest still verifies; base.seq is
// always max(0, head.seq - LOG_LIMIT), which lets a key-less verifier notice old events
// dropped early, and the MAC covers the base as well.
//
// What it does not stop: rolling the whole storage back to an older snapshot (old events, old
// MAC, all consistent). Only a copy of the head kept elsewhere would show that.
//
// Storage: any object with the Durable Object storage methods used here, get(key),
// put(entries), delete(keys), list({ prefix }) (the DO's `ctx.storage` itself; a Map-backed
// one in the unit tests). Keys:
//   log:head         { seq, hash, base: { seq, hash }, mac }
//   log:e:<seq, 12 digits>   the event
//
// Atomicity (see edge/user.js's header): appendEvent awaits only storage and computes SHA-256
// and the MAC synchronously (edge/sha256.js), so it can run inside a commit, between the
// commit's read and its write, without opening the input gate: two requests of one user can
// never both chain onto the same head. Hashing outside the commit is not possible: the input
// is the previous event's hash, known only inside it.
//
// Wired into the User object (edge/user.js, `#log` and the methods after it): every event
// below is appended in the commit of the change it records; GET /api/security-log and the
// operator API's …/security-log return exportLog; account deletion deletes the log with every
// other record (deleteAll).
// Never append for a username that has no account (no storage for strangers), and never put
// a code, password, token value or secret into a detail: EVENTS below is a whitelist of
// fields and appendEvent refuses anything else.

import { hex, hmacSha256, sha256 } from './sha256.js';

/** How many events are kept. */
export const LOG_LIMIT = 1000;
export const ZERO_HASH = '0'.repeat(64);
export const LOG_FORMAT = 'totp-wasm-security-log/1';

const HEAD_KEY = 'log:head';
const EVENT_PREFIX = 'log:e:';
/** Every key of the log starts with this (account deletion removes them all). */
export const LOG_KEY_PREFIX = 'log:';

const CAUSES = ['user', 'sign-out-everywhere', 'password-changed', 'second-factor-changed', '2fa-off', 'support'];

/**
 * The event vocabulary: type -> its detail fields, in hash order, each a kind:
 *   an array  one of these strings          'label'   a name a user gave (1-100 characters)
 *   'id'      an authenticator id (1..2^31)  'tokenId' an update token's public id
 *   'count'   an integer >= 0               'time'    Unix seconds
 *   'bool'    true/false                    'operator' an operator id from operatorTokens
 *   'reason'  the operator's reason (1-500 characters); a trailing '?' makes a field optional
 * Nothing else can enter a detail: no field here holds a secret, code, password or token value.
 */
export const EVENTS = Object.freeze({
  'sign-in': { method: ['password', 'otp', 'recovery'] },
  'second-factor-failed': { method: ['otp', 'recovery', 'removal'] },
  lockout: { what: ['password', 'otp', 'recovery'], until: 'time' },
  '2fa-enabled': { authenticator: 'id', name: 'label' },
  '2fa-disabled': { via: ['user', 'last-authenticator', 'removal-code', 'support'] },
  'authenticator-added': { authenticator: 'id', name: 'label' },
  'authenticator-removed': { authenticator: 'id', name: 'label' },
  'authenticator-renamed': { authenticator: 'id', from: 'label', to: 'label' },
  'recovery-codes-regenerated': { removal: 'bool' }, // removal: a new removal code as well
  'recovery-code-used': { remaining: 'count' },
  'removal-code-used': {},
  'token-created': { tokenId: 'tokenId', name: 'label', expires: 'time' },
  'token-revoked': { tokenId: 'tokenId', name: 'label' },
  'tokens-revoked': { count: 'count', cause: CAUSES },
  'sessions-revoked': { count: 'count', cause: CAUSES },
  'password-changed': {},
  'operator-lookup': { operator: 'operator', reason: 'reason?' },
  'operator-log-read': { operator: 'operator', reason: 'reason?' },
  'operator-reset-scheduled': { operator: 'operator', reason: 'reason', due: 'time' },
  'operator-reset-cancelled': { by: ['sign-in'] },
  'operator-reset': { operator: 'operator', reason: 'reason' },
  'operator-unlock': { operator: 'operator', reason: 'reason' },
});

/** A programming error of the caller (an event outside the vocabulary): never user input. */
export class SecurityLogError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'SecurityLogError';
    this.code = code;
  }
}

/** 1 to `max` code points, no control characters (reasons and labels are shown to people). */
export function isPlainText(value, max) {
  if (typeof value !== 'string' || !value.isWellFormed() || /[\p{Cc}\u2028\u2029]/u.test(value)) return false;
  const n = [...value].length;
  return n >= 1 && n <= max && value.trim() !== '';
}

const KINDS = {
  id: (v) => Number.isSafeInteger(v) && v >= 1 && v < 2 ** 31,
  count: (v) => Number.isSafeInteger(v) && v >= 0,
  time: (v) => Number.isSafeInteger(v) && v >= 0,
  bool: (v) => typeof v === 'boolean',
  label: (v) => isPlainText(v, 100),
  reason: (v) => isPlainText(v, 500),
  tokenId: (v) => typeof v === 'string' && /^[A-Za-z0-9_-]{1,32}$/.test(v),
  operator: (v) => typeof v === 'string' && /^[A-Za-z0-9_-]{1,32}$/.test(v),
};

/** The detail of an event checked against EVENTS and copied in the table's field order. */
export function checkEvent(type, detail) {
  const fields = Object.hasOwn(EVENTS, type) ? EVENTS[type] : null;
  if (!fields) throw new SecurityLogError('UNKNOWN_EVENT', `"${type}" is not a security log event type.`);
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
    throw new SecurityLogError('INVALID_EVENT', `The detail of "${type}" must be an object.`);
  }
  for (const name of Object.keys(detail)) {
    if (!Object.hasOwn(fields, name)) throw new SecurityLogError('INVALID_EVENT', `"${type}" has no field "${name}".`);
  }
  const out = {};
  for (const [name, spec] of Object.entries(fields)) {
    const optional = typeof spec === 'string' && spec.endsWith('?');
    const kind = optional ? spec.slice(0, -1) : spec;
    const value = detail[name];
    if (value === undefined) {
      if (optional) continue;
      throw new SecurityLogError('INVALID_EVENT', `"${type}" needs "${name}".`);
    }
    const ok = Array.isArray(kind) ? kind.includes(value) : KINDS[kind](value);
    if (!ok) throw new SecurityLogError('INVALID_EVENT', `"${name}" of "${type}" is not a valid ${Array.isArray(kind) ? kind.join(' | ') : kind}.`);
    out[name] = value;
  }
  return out;
}

/** The chain hash of an event from the previous hash. */
export function eventHash(previousHash, { seq, at, type, detail }) {
  return hex(sha256(`${previousHash}\n${JSON.stringify({ seq, at, type, detail })}`));
}

/** The MAC of the chain's ends, binding them to the user. */
export function headMac(key, subject, base, head) {
  if (!(key instanceof Uint8Array) || key.length < 16) {
    throw new SecurityLogError('NO_KEY', 'The security log needs a MAC key of at least 16 bytes.');
  }
  const message = JSON.stringify(['totp-wasm:security-log:v1', subject, base.seq, base.hash, head.seq, head.hash]);
  return hex(hmacSha256(key, message));
}

function eventKey(seq) {
  return EVENT_PREFIX + String(seq).padStart(12, '0');
}

function emptyHead() {
  return { seq: 0, hash: ZERO_HASH, base: { seq: 0, hash: ZERO_HASH }, mac: null };
}

/**
 * Appends an event; safe inside a Durable Object commit (awaits storage only).
 * @param {{ get: Function, put: Function, delete: Function }} store
 * @param {{ key: Uint8Array, subject: string }} log the MAC key and the user it belongs to
 * @param {keyof typeof EVENTS} type
 * @param {object} detail
 * @param {number} at Unix seconds
 * @returns {Promise<{ seq: number, at: number, type: string, detail: object, hash: string }>}
 */
export async function appendEvent(store, log, type, detail, at) {
  const clean = checkEvent(type, detail);
  if (!KINDS.time(at)) throw new SecurityLogError('INVALID_EVENT', '"at" must be Unix seconds.');
  const head = (await store.get(HEAD_KEY)) ?? emptyHead();
  const body = { seq: head.seq + 1, at, type, detail: clean };
  const event = { ...body, hash: eventHash(head.hash, body) };
  let base = head.base;
  const drop = [];
  if (event.seq - base.seq > LOG_LIMIT) {
    const oldestSeq = base.seq + 1;
    const oldest = await store.get(eventKey(oldestSeq));
    // A missing oldest event is tampering: keep going (the user's action must not fail), and
    // let verification show it (the next event will not chain onto a zero hash).
    base = { seq: oldestSeq, hash: typeof oldest?.hash === 'string' ? oldest.hash : ZERO_HASH };
    drop.push(eventKey(oldestSeq));
  }
  const next = { seq: event.seq, hash: event.hash, base };
  // A stored MAC that does not match means the storage was rewritten: the new MAC must not
  // vouch for the rewritten chain, so it stays a non-MAC ('tampered') from then on.
  const trusted = head.seq === 0 || head.mac === headMac(log.key, log.subject, head.base, head);
  next.mac = trusted ? headMac(log.key, log.subject, base, next) : 'tampered';
  await store.put({ [HEAD_KEY]: next, [eventKey(event.seq)]: event });
  if (drop.length > 0) await store.delete(drop);
  return event;
}

/**
 * The log as a JSON-ready export: the events oldest first, the chain's base and head and the
 * stored MAC. Reads storage only (one get, one list), so it is a consistent snapshot.
 * @param {{ get: Function, list: Function }} store
 * @param {string} subject the user the log belongs to (covered by the MAC)
 */
export async function exportLog(store, subject) {
  const head = (await store.get(HEAD_KEY)) ?? emptyHead();
  const events = [...(await store.list({ prefix: EVENT_PREFIX })).values()];
  return {
    format: LOG_FORMAT,
    user: subject,
    limit: LOG_LIMIT,
    base: head.base,
    head: { seq: head.seq, hash: head.hash },
    mac: head.mac,
    events,
  };
}

const HASH_RE = /^[0-9a-f]{64}$/;

function broken(code, message, seq = null) {
  return { ok: false, code, message, seq };
}

/**
 * Checks the chain of an export without any key: shape, consecutive sequence numbers from
 * base.seq + 1 to head.seq, the bound, and every hash.
 * @returns {{ ok: true, events: number, head: { seq, hash } } | { ok: false, code: string, message: string, seq: number | null }}
 */
export function verifyChain(exported) {
  const { base, head, events } = exported ?? {};
  if (exported?.format !== LOG_FORMAT || !Array.isArray(events)) return broken('NOT_A_LOG', `Not a ${LOG_FORMAT} export.`);
  if (!isEnd(base) || !isEnd(head)) return broken('NOT_A_LOG', 'The base or head of the chain is malformed.');
  if (base.seq !== Math.max(0, head.seq - LOG_LIMIT)) {
    return broken('TRUNCATED', `The log starts after event ${base.seq}; it should keep the last ${LOG_LIMIT} of ${head.seq}.`);
  }
  if (base.seq === 0 && base.hash !== ZERO_HASH) return broken('NOT_A_LOG', 'A log from its first event starts from 64 zeros.');
  if (events.length !== head.seq - base.seq) {
    return broken('MISSING_EVENTS', `${events.length} events where ${head.seq - base.seq} should be.`);
  }
  let previous = base.hash;
  for (const [i, e] of events.entries()) {
    const seq = base.seq + 1 + i;
    if (e?.seq !== seq) return broken('OUT_OF_ORDER', `Event ${i + 1} has seq ${e?.seq}, expected ${seq}.`, seq);
    if (eventHash(previous, e) !== e.hash) return broken('HASH_MISMATCH', `Event ${seq} does not match its hash.`, seq);
    previous = e.hash;
  }
  if (previous !== head.hash) return broken('HEAD_MISMATCH', 'The last event is not the head of the chain.', head.seq);
  return { ok: true, events: events.length, head: { seq: head.seq, hash: head.hash } };
}

function isEnd(end) {
  return end !== null && typeof end === 'object' && Number.isSafeInteger(end.seq) && end.seq >= 0 && HASH_RE.test(end.hash);
}

/** Whether the export's MAC is the one `key` gives its user, base and head (constant time). */
export function verifyMac(exported, key) {
  if (typeof exported?.mac !== 'string' || typeof exported.user !== 'string') return false;
  if (!isEnd(exported.base) || !isEnd(exported.head)) return false;
  const want = headMac(key, exported.user, exported.base, exported.head);
  if (want.length !== exported.mac.length) return false;
  let diff = 0;
  for (let i = 0; i < want.length; i++) diff |= want.charCodeAt(i) ^ exported.mac.charCodeAt(i);
  return diff === 0;
}

/**
 * The `verify-security-log` check: the chain, and the MAC when a key is given. An empty log
 * (head.seq 0) has no MAC and verifies.
 * @param {object} exported
 * @param {{ key?: Uint8Array }} [options]
 * @returns {{ ok: boolean, chain: ReturnType<typeof verifyChain>, mac: 'valid' | 'invalid' | 'unchecked' }}
 */
export function verifySecurityLog(exported, { key } = {}) {
  const chain = verifyChain(exported);
  let mac = 'unchecked';
  if (key) mac = exported?.head?.seq === 0 && exported.mac === null ? 'valid' : verifyMac(exported, key) ? 'valid' : 'invalid';
  return { ok: chain.ok && mac !== 'invalid', chain, mac };
}
