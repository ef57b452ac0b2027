// The cases `cargo xtask bench` times, shared by Node (bench.mjs) and headless Chromium
// (browser.mjs), so both runs measure the same calls through each library's public JS API.
// Every contender is checked to compute the expected answer before it is timed.

export const KEY = Uint8Array.from('12345678901234567890', (c) => c.charCodeAt(0)); // RFC 6238's SHA-1 key
export const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // the same key in base32
export const TIME = 1_700_000_000;
export const URI = `otpauth://totp/Example:alice@example.com?secret=${SECRET}&issuer=Example`;

/** Runs `fn` in doubling batches until one takes at least `minMs`; returns nanoseconds per call. */
export function measure(fn, minMs) {
  for (let i = 0; i < 200; i++) fn(); // warm up the JIT and the wasm instance
  let n = 100;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < n; i++) fn();
    const ms = performance.now() - start;
    if (ms >= minMs) return (ms * 1e6) / n;
    n *= 2;
  }
}

/**
 * The groups: `[id, title, [[name, fn, check?]...]]`; the first contender of each group is
 * totp-wasm's stateless call, the one ratios are taken against. `libs` holds what the caller
 * imported: wasm (totp-wasm), otpauthBrowser, otpauthNode (Node only), oslo (@oslojs/otp),
 * qr (paulmillr's encodeQR), nodeQrcode (text → SVG, Node only), speakeasy (Node only).
 */
export function groups(libs) {
  const { wasm, otpauthBrowser, otpauthNode, oslo, qr, nodeQrcode, speakeasy } = libs;
  const expected = wasm.totp(KEY, { time: TIME });
  const counter = BigInt(Math.floor(TIME / 30));
  const bound = new wasm.Totp(KEY);
  // A code wrong at TIME ± 2 steps and now ± 2 steps (@oslojs/otp verifies against the clock).
  const near = new Set([-2, -1, 0, 1, 2].flatMap((d) => [TIME + 30 * d, Date.now() / 1000 + 30 * d]).map((t) => wasm.totp(KEY, { time: t })));
  let wrong = 0;
  while (near.has(String(wrong).padStart(6, '0'))) wrong++;
  wrong = String(wrong).padStart(6, '0');

  const otpauth = [];
  for (const [label, O] of [['browser build', otpauthBrowser], ['Node build', otpauthNode]]) {
    if (!O) continue;
    const secret = new O.Secret({ buffer: KEY.slice().buffer });
    const obj = new O.TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 });
    otpauth.push({ label, O, secret, obj });
  }
  const same = (v) => v === expected;
  const rejects = (v) => v === null || v === false || v === undefined;

  const totpBytes = [
    ['totp-wasm totp(keyBytes, { time })', () => wasm.totp(KEY, { time: TIME }), same],
    ...otpauth.map(({ label, O, secret }) => [`otpauth ${label}: TOTP.generate({ secret, timestamp })`, () => O.TOTP.generate({ secret, timestamp: TIME * 1000 }), same]),
    ['@oslojs/otp generateHOTP(key, counter, 6)', () => oslo.generateHOTP(KEY, counter, 6), same],
  ];
  if (speakeasy) totpBytes.push(['speakeasy totp({ secret: base32, time })', () => speakeasy.totp({ secret: SECRET, encoding: 'base32', time: TIME }), same]);

  const totpKeyed = [
    ['totp-wasm new Totp(key).generate(time)', () => bound.generate(TIME), same],
    ...otpauth.map(({ label, obj }) => [`otpauth ${label}: totp.generate({ timestamp })`, () => obj.generate({ timestamp: TIME * 1000 }), same]),
  ];

  const verify = [
    ['totp-wasm verifyTotp(keyBytes, wrong, { time })', () => wasm.verifyTotp(KEY, wrong, { time: TIME }), rejects],
    ['totp-wasm new Totp(key).verify(wrong, { time })', () => bound.verify(wrong, { time: TIME }), rejects],
    ...otpauth.map(({ label, O, secret }) => [`otpauth ${label}: TOTP.validate({ token, secret, window: 1 })`, () => O.TOTP.validate({ token: wrong, secret, timestamp: TIME * 1000, window: 1 }), rejects]),
    ['@oslojs/otp verifyTOTPWithGracePeriod(…, 30)', () => oslo.verifyTOTPWithGracePeriod(KEY, 30, 6, wrong, 30), rejects],
  ];
  if (speakeasy) verify.push(['speakeasy totp.verify({ window: 1 })', () => speakeasy.totp.verify({ secret: SECRET, encoding: 'base32', token: wrong, time: TIME, window: 1 }), rejects]);

  const isUri = (v) => typeof v === 'string' && v.startsWith('otpauth://totp/') && v.includes('secret=');
  const newSecret = [
    ['totp-wasm buildUri({ secret: generateSecret(), … })', () => wasm.buildUri({ secret: wasm.generateSecret(), account: 'alice@example.com', issuer: 'Example' }), isUri],
    ...otpauth.map(({ label, O }) => [`otpauth ${label}: new TOTP({ secret: new Secret() }).toString()`, () => new O.TOTP({ issuer: 'Example', label: 'alice@example.com', secret: new O.Secret({ size: 20 }) }).toString(), isUri]),
    ['@oslojs/otp createTOTPKeyURI(…, getRandomValues(20 bytes))', () => oslo.createTOTPKeyURI('Example', 'alice@example.com', crypto.getRandomValues(new Uint8Array(20)), 30, 6), isUri],
  ];
  if (speakeasy) newSecret.push(['speakeasy generateSecret({ length: 20 }).otpauth_url', () => speakeasy.generateSecret({ length: 20, name: 'alice@example.com', issuer: 'Example' }).otpauth_url, (v) => typeof v === 'string' && v.startsWith('otpauth://totp/')]);

  const isSvg = (v) => typeof v === 'string' && v.includes('<svg') && v.includes('</svg>');
  const qrSvg = [
    ['totp-wasm qrSvg(uri)', () => wasm.qrSvg(URI), isSvg],
    ['qr encodeQR(uri, "svg", { ecc: "medium", border: 4 })', () => qr(URI, 'svg', { ecc: 'medium', border: 4 }), isSvg],
  ];
  if (nodeQrcode) qrSvg.splice(1, 0, ['node-qrcode (create + SVG, ECC M, margin 4)', () => nodeQrcode(URI), isSvg]);

  return [
    ['totp-bytes', 'TOTP from key bytes, stateless (SHA-1, 6 digits)', totpBytes],
    ['totp-keyed', 'TOTP from a pre-keyed object', totpKeyed],
    ['verify-wrong', 'verify a wrong code, window ±1', verify],
    ['secret-uri', 'new secret + otpauth URI', newSecret],
    ['qr-svg', 'enrollment QR code as SVG (ECC M)', qrSvg],
  ];
}

/** Times every group; returns `[{ group, title, name, ns, vsFirst }]` (`vsFirst` = ns / first's ns). */
export function run(libs, minMs, log = () => {}) {
  const rows = [];
  for (const [group, title, contenders] of groups(libs)) {
    log(`\n${title}`);
    let first;
    for (const [name, fn, check] of contenders) {
      const answer = fn();
      if (check && !check(answer)) throw new Error(`${name} answered ${String(answer).slice(0, 80)}`);
      const ns = measure(fn, minMs);
      first ??= ns;
      rows.push({ group, title, name, ns: Math.round(ns * 10) / 10, vsFirst: Math.round((ns / first) * 100) / 100 });
      log(`  ${name.padEnd(62)} ${formatNs(ns).padStart(10)}  ×${(ns / first).toFixed(2)}`);
    }
  }
  return rows;
}

export function formatNs(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${Math.round(ns)} ns`;
}
