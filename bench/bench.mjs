// `cargo xtask bench`: totp-wasm against its peers, in one process and one run, so the ratios
// mean something even though absolute times differ several-fold between machines.
// Writes target/bench.json and prints a table. Not a test: nothing here asserts a time.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as wasm from 'totp-wasm';
import * as OTPAuth from 'otpauth';

const require = createRequire(import.meta.url);
const speakeasy = require('speakeasy');
const QRCode = require('qrcode');
const svgTag = require('qrcode/lib/renderer/svg-tag.js');

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // RFC 6238's SHA-1 seed
const TIME = 1_700_000_000;
const URI = `otpauth://totp/Example:alice@example.com?secret=${SECRET}&issuer=Example`;
const MIN_MS = Number(process.env.BENCH_MS ?? 1000);

/** Runs `fn` in growing batches for at least MIN_MS; returns nanoseconds per call. */
function measure(fn) {
  for (let i = 0; i < 200; i++) fn(); // warm up the JIT and the wasm instance
  let n = 1000;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    const ns = Number(process.hrtime.bigint() - start);
    if (ns >= MIN_MS * 1e6) return ns / n;
    n *= 2;
  }
}

const totpObj = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(SECRET), algorithm: 'SHA1', digits: 6, period: 30 });
const bound = new wasm.Totp(SECRET);
const qr = (text) => svgTag.render(QRCode.create(text, { errorCorrectionLevel: 'M' }), { margin: 4 });

// Sanity: every contender computes the same answer before it is timed.
const expected = wasm.totp(SECRET, { time: TIME });
const answers = {
  otpauth: totpObj.generate({ timestamp: TIME * 1000 }),
  speakeasy: speakeasy.totp({ secret: SECRET, encoding: 'base32', time: TIME }),
};
for (const [name, code] of Object.entries(answers)) {
  if (code !== expected) throw new Error(`${name} computed ${code}, totp-wasm ${expected}`);
}
const wrong = expected === '000000' ? '000001' : '000000';

const groups = [
  ['TOTP generate (SHA-1, 6 digits)', [
    ['totp-wasm totp()', () => wasm.totp(SECRET, { time: TIME })],
    ['totp-wasm Totp#generate', () => bound.generate(TIME)],
    ['otpauth TOTP#generate', () => totpObj.generate({ timestamp: TIME * 1000 })],
    ['speakeasy totp()', () => speakeasy.totp({ secret: SECRET, encoding: 'base32', time: TIME })],
  ]],
  ['TOTP verify, wrong code, window ±1', [
    ['totp-wasm verifyTotp()', () => wasm.verifyTotp(SECRET, wrong, { time: TIME })],
    ['otpauth TOTP#validate', () => totpObj.validate({ token: wrong, timestamp: TIME * 1000, window: 1 })],
    ['speakeasy totp.verify()', () => speakeasy.totp.verify({ secret: SECRET, encoding: 'base32', token: wrong, time: TIME, window: 1 })],
  ]],
  ['Enrollment QR as SVG (ECC M)', [
    ['totp-wasm qrSvg()', () => wasm.qrSvg(URI)],
    ['node-qrcode create + svg', () => qr(URI)],
  ]],
];

const results = [];
for (const [group, contenders] of groups) {
  const base = measure(contenders[0][1]);
  for (const [name, fn] of contenders) {
    const ns = name === contenders[0][0] ? base : measure(fn);
    results.push({ group, name, nsPerOp: Math.round(ns), opsPerSecond: Math.round(1e9 / ns), relativeToTotpWasm: +(ns / base).toFixed(2) });
  }
}

// Sizes, measured from the files in this run.
const gz = (path) => gzipSync(readFileSync(path), { level: 9 }).length;
const root = fileURLToPath(new URL('..', import.meta.url));
const sizes = {
  'totp-wasm (.wasm + glue + loader)': ['otp', 'page', 'verifier', 'scan'].map((e) => `${e}: ${gz(`${root}pkg/${e}/totp_wasm_bg.wasm`) + gz(`${root}pkg/${e}/totp_wasm.js`) + gz(`${root}pkg/${e}/browser.js`)} B`).join(', '),
  'otpauth browser bundle (otpauth.esm.min.js)': `${gz(require.resolve('otpauth/dist/otpauth.esm.min.js'))} B`,
  'otpauth slim bundle (no SHA-2/3 of its own)': `${gz(require.resolve('otpauth/dist/otpauth.slim.esm.min.js'))} B`,
};

const svgSizes = { 'totp-wasm qrSvg': wasm.qrSvg(URI).length, 'node-qrcode svg': qr(URI).length };
const report = { date: new Date().toISOString(), node: process.version, results, gzipSizes: sizes, svgBytes: svgSizes };
mkdirSync(`${root}target`, { recursive: true });
writeFileSync(`${root}target/bench.json`, JSON.stringify(report, null, 2));

let last = '';
for (const r of results) {
  if (r.group !== last) console.log(`\n${r.group}`);
  last = r.group;
  console.log(`  ${r.name.padEnd(28)} ${String(r.nsPerOp).padStart(8)} ns/op  ${String(r.opsPerSecond).padStart(9)} ops/s  ×${r.relativeToTotpWasm}`);
}
console.log('\ngzip -9 sizes');
for (const [k, v] of Object.entries(sizes)) console.log(`  ${k}: ${v}`);
console.log(`\nSVG of the same URI: totp-wasm ${svgSizes['totp-wasm qrSvg']} B, node-qrcode ${svgSizes['node-qrcode svg']} B`);
console.log(`\nwritten to target/bench.json (×N = time relative to the first row of its group)`);
