// Lifetimes and limits of the service, in one place.

/** Lifetimes in seconds. */
export const LIFETIMES = Object.freeze({
  /** a session cookie (absolute: no sliding renewal) */
  session: 12 * 3600,
  /** the ticket between the password and the second factor at login */
  ticket: 5 * 60,
  /** a started enrollment (the pending secret) until it is confirmed */
  enrollment: 5 * 60,
  /** one "day" of an update token's `expiresInDays` */
  tokenDay: 24 * 3600,
  /** how long a verified second factor (or, with 2FA off, the password) allows sensitive changes */
  stepUp: 10 * 60,
  /** a device cookie (renewed at each sign-in from that browser) */
  device: 365 * 24 * 3600,
});

/**
 * The lifetimes for an environment. TOTP_WASM_TEST_LIFETIMES (tests only; never set in a
 * deployment) may shorten them, e.g. `{"ticket": 2, "enrollment": 2, "tokenDay": 1}`, so that
 * expiry is testable without waiting minutes. Values can only shorten, never lengthen.
 */
export function lifetimes(env) {
  const text = env.TOTP_WASM_TEST_LIFETIMES;
  if (typeof text !== 'string' || text === '') return LIFETIMES;
  let override;
  try {
    override = JSON.parse(text);
  } catch {
    return LIFETIMES;
  }
  const out = { ...LIFETIMES };
  for (const key of Object.keys(LIFETIMES)) {
    const v = override?.[key];
    if (Number.isSafeInteger(v) && v >= 1 && v < out[key]) out[key] = v;
  }
  return Object.freeze(out);
}

export const LIMITS = Object.freeze({
  /** live sessions per user; the oldest goes when a new one would exceed it */
  sessions: 100,
  /** live login tickets per user; the oldest goes */
  tickets: 100,
  /** code guesses per ticket (the verifier policy's lockout applies as well) */
  ticketAttempts: 5,
  /** authenticators per user */
  authenticators: 10,
  /** update tokens per user */
  tokens: 20,
  /** longest update-token lifetime, in days */
  tokenDays: 365,
  /** known browsers (device cookies) per user; the oldest goes */
  devices: 100,
  /** password attempts without a device cookie per client address and window */
  addressAttempts: 60,
  /** sign-ups per client address and window */
  addressSignups: 10,
  /** the window of the two address limits, in seconds */
  addressWindow: 3600,
});

/** Directory shards (edge/directory.js): a fixed number, so strangers cannot add objects. */
export const DIRECTORY_SHARDS = 16;

/**
 * The trusted client address of a request, or null when the deployment has no trusted source
 * (then the per-address limit is off). TRUST_CF_CONNECTING_IP = "true" (wrangler.toml, behind
 * Cloudflare, which sets and overwrites that header) trusts CF-Connecting-IP;
 * TOTP_WASM_TEST_ADDRESS_HEADER (tests only) names another header to trust on local workerd,
 * where any client could send any header.
 */
export function clientAddress(request, env) {
  let header = null;
  if (env.TRUST_CF_CONNECTING_IP === 'true') header = 'CF-Connecting-IP';
  else if (typeof env.TOTP_WASM_TEST_ADDRESS_HEADER === 'string' && env.TOTP_WASM_TEST_ADDRESS_HEADER !== '') {
    header = env.TOTP_WASM_TEST_ADDRESS_HEADER;
  }
  if (header === null) return null;
  const value = request.headers.get(header)?.trim() ?? '';
  // An address is short text; anything else counts under one name rather than as many.
  return /^[0-9A-Fa-f.:]{2,45}$/.test(value) ? value.toLowerCase() : 'invalid';
}

/**
 * Password guesses: 10 free consecutive failures, then each failure locks the password check
 * for 60 s, doubling up to 1 h. Guesses during a lock are refused unchecked and do not extend
 * it; a right password resets the count. Each known browser (device cookie) has its own count
 * and lock; attempts without one share the account's. (Code guesses have the package's own
 * policy: 5 free, 60 s doubling to 24 h.)
 */
export const PASSWORD_THROTTLE = Object.freeze({ freeFailures: 10, baseLockout: 60, maxLockout: 3600 });

/** The issuer shown in authenticator apps, from the ISSUER binding. */
export function issuer(env) {
  return typeof env.ISSUER === 'string' && env.ISSUER !== '' ? env.ISSUER : 'totp-wasm';
}

/** Unix seconds now. */
export function now() {
  return Math.floor(Date.now() / 1000);
}
