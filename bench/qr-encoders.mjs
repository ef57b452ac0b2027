// `cargo xtask bench --qr-encoders`: the page entry (`totp-wasm`) built with each QR encoder
// and opt-level (arguments `label=dir`, dir holding that build's node.js loader, its sizes in
// ../sizes.json), timed on the same enrollment URI against node-qrcode and `qr` in this one
// Node process. Writes bench/qr-encoders.json and bench/QR-ENCODERS.md. Not a test.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import encodeQR from 'qr';
import { measure, formatNs, URI } from './cases.mjs';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const MIN_MS = Number(process.env.BENCH_MS ?? 1000);
const QRCode = require('qrcode');
const svgTag = require('qrcode/lib/renderer/svg-tag.js');
const version = (name) => JSON.parse(readFileSync(`${root}bench/node_modules/${name}/package.json`, 'utf8')).version;

const rows = [];
for (const arg of process.argv.slice(2)) {
  const [label, dir] = arg.split('=');
  const m = await import(pathToFileURL(`${dir}/node.js`).href);
  const svg = m.qrSvg(URI);
  if (!svg.startsWith('<svg')) throw new Error(`${label}: qrSvg answered ${svg.slice(0, 60)}`);
  const sizes = JSON.parse(readFileSync(`${dir}/../sizes.json`, 'utf8')).entries.page;
  rows.push({ label, ns: measure(() => m.qrSvg(URI), MIN_MS), wasmGzip: sizes.wasm_gzip, totalGzip: sizes.total_gzip, svgBytes: svg.length });
}
const nodeQrcode = measure(() => svgTag.render(QRCode.create(URI, { errorCorrectionLevel: 'M' }), { margin: 4 }), MIN_MS);
const qr = measure(() => encodeQR(URI, 'svg', { ecc: 'medium', border: 4 }), MIN_MS);
for (const r of rows) {
  r.nsRounded = Math.round(r.ns);
  r.vsNodeQrcode = Math.round((nodeQrcode / r.ns) * 100) / 100;
  r.vsQr = Math.round((qr / r.ns) * 100) / 100;
}

const report = {
  date: new Date().toISOString(),
  command: 'cargo xtask bench --qr-encoders',
  machine: { cpu: cpus()[0]?.model, cores: cpus().length },
  node: process.version,
  uri: URI,
  peers: { 'node-qrcode': Math.round(nodeQrcode), qr: Math.round(qr) },
  encoders: rows.map(({ ns, ...r }) => r),
};
writeFileSync(`${root}bench/qr-encoders.json`, JSON.stringify(report, null, 2) + '\n');
const lines = [
  '# QR encoders in the page entry',
  '',
  `Written by \`${report.command}\` on ${report.date.slice(0, 10)}; ${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.node}.`,
  'Each row is the `totp-wasm` entry built with that encoder, the encoder crate at that opt-level (the rest of the',
  'crate as the release profile says); sizes are gzip -9 as `cargo xtask build` measures them; time is `qrSvg(uri)`',
  'for a 160-bit enrollment URI at ECC M through the JS API. "× node-qrcode" above 1 means faster than node-qrcode.',
  '',
  '| encoder, opt-level | .wasm gz | page total gz | qrSvg | × node-qrcode | × qr |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.label} | ${r.wasmGzip.toLocaleString('en')} B | ${r.totalGzip.toLocaleString('en')} B | ${formatNs(r.ns)} | ${r.vsNodeQrcode.toFixed(2)} | ${r.vsQr.toFixed(2)} |`),
  `| node-qrcode ${version('qrcode')} (create + SVG) | | | ${formatNs(nodeQrcode)} | 1.00 | ${(qr / nodeQrcode).toFixed(2)} |`,
  `| qr ${version('qr')} (encodeQR svg) | | | ${formatNs(qr)} | ${(nodeQrcode / qr).toFixed(2)} | 1.00 |`,
  '',
];
writeFileSync(`${root}bench/QR-ENCODERS.md`, lines.join('\n'));
console.log(lines.join('\n'));
