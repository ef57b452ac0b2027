// `cargo xtask bench`: totp-wasm against its peers through each library's public JS API, in one
// run, so the ratios mean something even though absolute times differ several-fold between
// machines: Node (this process), a fresh Node process per import, headless Chromium, and the
// native floor that xtask measured just before (target/bench/native*.txt).
// Writes bench/results.json and bench/RESULTS.md (committed; the README quotes them).
// Not a test: nothing here asserts a time.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as wasm from 'totp-wasm';
import * as otpauthNode from 'otpauth';
import * as oslo from '@oslojs/otp';
import encodeQR from 'qr';
import { run, formatNs } from './cases.mjs';
import { startupTimes } from './startup.mjs';
import { inChromium } from './chromium.mjs';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const MIN_MS = Number(process.env.BENCH_MS ?? 500);
const otpauthBrowser = await import(pathToFileURL(require.resolve('otpauth/dist/otpauth.esm.js')).href);
const QRCode = require('qrcode');
const svgTag = require('qrcode/lib/renderer/svg-tag.js');
const nodeQrcode = (text) => svgTag.render(QRCode.create(text, { errorCorrectionLevel: 'M' }), { margin: 4 });
const speakeasy = require('speakeasy');

console.log('Node (this process)');
const node = run({ wasm, otpauthBrowser, otpauthNode, oslo, qr: encodeQR, nodeQrcode, speakeasy }, MIN_MS, console.log);

console.log('\nimport + instantiate + first code, each in a fresh Node process (median of 15)');
const startup = startupTimes(root, 15);
for (const s of startup) console.log(`  ${s.name.padEnd(62)} ${s.ms.toFixed(1).padStart(7)} ms`);

console.log('\nheadless Chromium');
const chromium = await inChromium(root, MIN_MS, console.log);

const native = {
  soft: readNative('target/bench/native-soft.txt'),
  sha_ni: readNative('target/bench/native.txt'),
};
console.log('\nnative (cargo run --release --example bench)');
for (const [kind, rows] of Object.entries(native)) for (const [name, ns] of Object.entries(rows)) console.log(`  ${kind.padEnd(7)} ${name.padEnd(40)} ${formatNs(ns)}`);

const results = {
  date: new Date().toISOString(),
  command: 'cargo xtask bench',
  machine: machine(),
  versions: versions(chromium.version),
  node: node,
  chromium: chromium.rows,
  startupMs: startup,
  nativeNs: native,
};
results.ratios = ratios(results);
writeFileSync(`${root}bench/results.json`, JSON.stringify(results, null, 2) + '\n');
writeFileSync(`${root}bench/RESULTS.md`, markdown(results));
console.log('\nratios (a peer\'s time / totp-wasm\'s; above 1 = totp-wasm faster; goal in brackets)');
for (const r of results.ratios) console.log(`  ${r.what.padEnd(70)} ${r.ratio === null ? '-' : r.ratio.toFixed(2).padStart(6)}  ${r.goal ? `[${r.goal}] ${r.met ? 'met' : 'MISSED'}` : ''}`);
console.log('\nwritten to bench/results.json and bench/RESULTS.md');

/** "  name   123 ns/op" lines of examples/bench.rs. */
function readNative(rel) {
  const path = `${root}${rel}`;
  if (!existsSync(path)) return {};
  const rows = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s+(.+?)\s+(\d+) ns\/op$/.exec(line);
    if (m) rows[m[1]] = Number(m[2]);
  }
  return rows;
}

function machine() {
  const cpu = cpus();
  const flags = readFileSync('/proc/cpuinfo', 'utf8');
  return { cpu: cpu[0]?.model, cores: cpu.length, shaInstructions: /\bsha_ni\b/.test(flags), os: `${process.platform} ${process.arch}`, loadAverage: loadavg().map((l) => Math.round(l * 10) / 10) };
}

function versions(chromiumVersion) {
  const v = (name) => JSON.parse(readFileSync(`${root}bench/node_modules/${name}/package.json`, 'utf8')).version;
  let rustc = '';
  try { rustc = execFileSync('rustc', ['--version'], { encoding: 'utf8' }).trim(); } catch {}
  return {
    node: process.version, chromium: chromiumVersion, rustc,
    'totp-wasm': v('totp-wasm'), otpauth: v('otpauth'), '@oslojs/otp': v('@oslojs/otp'), qr: v('qr'), qrcode: v('qrcode'), speakeasy: v('speakeasy'),
  };
}

/** The ratios the goals of issue #11 are stated in. */
function ratios(r) {
  const ns = (rows, group, prefix) => rows.find((x) => x.group === group && x.name.startsWith(prefix))?.ns ?? null;
  const over = (a, b) => (a === null || b === null || !b ? null : Math.round((a / b) * 100) / 100);
  const out = [];
  const add = (what, ratio, goal, ok) => out.push({ what, ratio, goal, met: goal ? ratio !== null && ok(ratio) : undefined });
  for (const [env, rows] of [['Node', r.node], ['Chromium', r.chromium]]) {
    const w = (g, p = 'totp-wasm') => ns(rows, g, p);
    add(`${env}: TOTP from key bytes, otpauth browser build / totp(keyBytes)`, over(ns(rows, 'totp-bytes', 'otpauth browser'), w('totp-bytes')), '≥ 5', (x) => x >= 5);
    if (env === 'Node') add(`${env}: TOTP from key bytes, otpauth Node build / totp(keyBytes)`, over(ns(rows, 'totp-bytes', 'otpauth Node'), w('totp-bytes')), '≥ 3', (x) => x >= 3);
    add(`${env}: TOTP from key bytes, @oslojs/otp / totp(keyBytes)`, over(ns(rows, 'totp-bytes', '@oslojs'), w('totp-bytes')));
    add(`${env}: pre-keyed TOTP, otpauth browser build / Totp#generate`, over(ns(rows, 'totp-keyed', 'otpauth browser'), w('totp-keyed')), '≥ 5', (x) => x >= 5);
    if (env === 'Node') add(`${env}: pre-keyed TOTP, otpauth Node build / Totp#generate`, over(ns(rows, 'totp-keyed', 'otpauth Node'), w('totp-keyed')), '≥ 3', (x) => x >= 3);
    add(`${env}: verify wrong ±1, otpauth browser build / verifyTotp`, over(ns(rows, 'verify-wrong', 'otpauth browser'), w('verify-wrong')), '≥ 8', (x) => x >= 8);
    add(`${env}: verify wrong ±1, @oslojs/otp / verifyTotp`, over(ns(rows, 'verify-wrong', '@oslojs'), w('verify-wrong')));
    const peers = rows.filter((x) => x.group === 'secret-uri' && !x.name.startsWith('totp-wasm'));
    const fastest = peers.reduce((a, b) => (a && a.ns <= b.ns ? a : b), null);
    add(`${env}: new secret + URI, fastest peer (${fastest?.name.split(' ')[0]}) / totp-wasm`, over(fastest?.ns ?? null, w('secret-uri')), '> 1', (x) => x > 1);
    add(`${env}: QR → SVG, node-qrcode / qrSvg`, over(ns(rows, 'qr-svg', 'node-qrcode'), w('qr-svg')), env === 'Node' ? '≥ 3' : undefined, (x) => x >= 3);
    add(`${env}: QR → SVG, qr / qrSvg`, over(ns(rows, 'qr-svg', 'qr '), w('qr-svg')));
  }
  const soft = r.nativeNs.soft;
  add('Node: totp(keyBytes) / native totp with soft SHA-1', over(ns(r.node, 'totp-bytes', 'totp-wasm'), soft['totp (SHA-1, 6 digits)'] ?? null), '≤ 1.5', (x) => x <= 1.5);
  add('Node: Totp#generate / native Totp::generate with soft SHA-1', over(ns(r.node, 'totp-keyed', 'totp-wasm'), soft['Totp::generate'] ?? null), '≤ 1.5', (x) => x <= 1.5);
  const start = (p) => r.startupMs.find((s) => s.name.startsWith(p))?.ms ?? null;
  add('fresh Node process: import + first code, otpauth / totp-wasm', over(start('otpauth'), start('totp-wasm')), '> 1', (x) => x > 1);
  add('fresh Node process: import + first code, @oslojs/otp / totp-wasm', over(start('@oslojs'), start('totp-wasm')));
  return out;
}

function markdown(r) {
  const v = r.versions;
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`${r.command}\` on ${r.date.slice(0, 10)} (${r.date}). Machine: ${r.machine.cpu}, ${r.machine.cores} cores` +
      `${r.machine.shaInstructions ? ' (with SHA instructions: the native "sha-ni" rows use them, wasm cannot)' : ''}, ${r.machine.os}; load average at the end ${r.machine.loadAverage?.join(' / ') ?? 'not recorded'} (1 / 5 / 15 min).`,
    `Versions: Node ${v.node}, Chromium ${v.chromium}, ${v.rustc}; totp-wasm ${v['totp-wasm']}, otpauth ${v.otpauth}, @oslojs/otp ${v['@oslojs/otp']},` +
      ` qr ${v.qr}, node-qrcode ${v.qrcode}, speakeasy ${v.speakeasy}. Times are per call, in one run; compare ratios, not absolute times.`,
    '',
    '## Ratios (a peer\'s time / totp-wasm\'s: above 1 means totp-wasm is faster)',
    '',
    '| measure | ratio | goal |',
    '| --- | ---: | --- |',
    ...r.ratios.map((x) => `| ${x.what} | ${x.ratio === null ? '–' : `${x.ratio.toFixed(2)}×`} | ${x.goal ? `${x.goal}: ${x.met ? 'met' : '**missed**'}` : ''} |`),
    '',
  ];
  for (const [env, rows] of [['Node', r.node], ['headless Chromium', r.chromium]]) {
    lines.push(`## ${env}`, '', '| operation | contender | time | × first |', '| --- | --- | ---: | ---: |');
    for (const x of rows) lines.push(`| ${x.title} | ${x.name.replaceAll('|', '\\|')} | ${formatNs(x.ns)} | ${x.vsFirst.toFixed(2)} |`);
    lines.push('');
  }
  lines.push('## Import + instantiate + first code (fresh Node process, median of 15)', '', '| library | ms |', '| --- | ---: |');
  for (const s of r.startupMs) lines.push(`| ${s.name} | ${s.ms.toFixed(1)} |`);
  lines.push('', '## Native floor (`cargo run --release --example bench`)', '', '| operation | soft SHA-1/SHA-2 | this CPU\'s SHA-1 backend |', '| --- | ---: | ---: |');
  for (const name of Object.keys(r.nativeNs.soft)) lines.push(`| ${name} | ${formatNs(r.nativeNs.soft[name])} | ${r.nativeNs.sha_ni[name] ? formatNs(r.nativeNs.sha_ni[name]) : '–'} |`);
  lines.push('', 'Soft: `RUSTFLAGS=\'--cfg sha1_backend="soft" --cfg sha2_backend="soft"\'`, the fair floor for wasm (which has no SHA instructions).', '');
  return lines.join('\n');
}
