// QR rendering: qrSvg and qrMatrix shapes, options, and a real decoder (zbarimg) reading back a
// PNG drawn from qrMatrix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildUri, generateSecret, OtpError, qrMatrix, qrSvg } from 'totp-wasm';
import { qrToPng } from './support/png.mjs';
import { missing, run, ZBARIMG } from './support/tools.mjs';

const URI = 'otpauth://totp/ACME%20Co:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co';

function viewBox(svg) {
  const m = svg.match(/viewBox="([^"]+)"/);
  assert.ok(m, 'the SVG has a viewBox');
  return m[1].trim().split(/[\s,]+/).map(Number);
}

test('qrMatrix: size × size modules, row-major, 1 = dark, no quiet zone', () => {
  const m = qrMatrix(URI);
  assert.ok(Number.isInteger(m.size));
  assert.ok(m.size >= 21 && m.size <= 177 && (m.size - 17) % 4 === 0, `size ${m.size} is a QR version`);
  assert.ok(m.modules instanceof Uint8Array, 'modules is a Uint8Array');
  assert.equal(m.modules.length, m.size * m.size);
  assert.ok(m.modules.every((v) => v === 0 || v === 1));
  // The three finder patterns (7×7, dark ring, light ring, dark 3×3 core) sit in the corners:
  // with a quiet zone in the matrix they would not start at (0, 0).
  const at = (x, y) => m.modules[y * m.size + x];
  for (const [ox, oy] of [[0, 0], [m.size - 7, 0], [0, m.size - 7]]) {
    for (let y = 0; y < 7; y++) {
      for (let x = 0; x < 7; x++) {
        const ring = Math.max(Math.abs(x - 3), Math.abs(y - 3));
        const expected = ring === 2 ? 0 : 1;
        assert.equal(at(ox + x, oy + y), expected, `finder at (${ox},${oy}) module (${x},${y})`);
      }
    }
  }
  // Timing pattern on row 6 between the finders alternates dark/light.
  for (let x = 8; x < m.size - 8; x++) assert.equal(at(x, 6), x % 2 === 0 ? 1 : 0, `timing (${x},6)`);
});

test('qrMatrix: higher error correction never makes a smaller symbol', () => {
  const sizes = ['L', 'M', 'Q', 'H'].map((ecc) => qrMatrix(URI, { ecc }).size);
  for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i] >= sizes[i - 1], sizes.join(' '));
  assert.equal(qrMatrix(URI).size, qrMatrix(URI, { ecc: 'M' }).size, 'M is the default');
  assert.equal(qrMatrix('x', { ecc: 'L' }).size, 21);
});

test('qrSvg: one path, viewBox of size + 2 × quietZone', () => {
  const { size } = qrMatrix(URI);
  const svg = qrSvg(URI);
  assert.match(svg, /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/);
  assert.match(svg, /<\/svg>\s*$/);
  assert.match(svg, /xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((svg.match(/<path\b/g) ?? []).length, 1, 'merged runs in one <path>');
  const [x0, y0, w, h] = viewBox(svg);
  assert.deepEqual([x0, y0, w, h], [0, 0, size + 8, size + 8], 'default quiet zone 4');
  for (const qz of [0, 1, 16]) {
    const [, , w2, h2] = viewBox(qrSvg(URI, { quietZone: qz }));
    assert.equal(w2, size + 2 * qz);
    assert.equal(h2, size + 2 * qz);
  }
  const hSize = qrMatrix(URI, { ecc: 'H' }).size;
  assert.equal(viewBox(qrSvg(URI, { ecc: 'H', quietZone: 2 }))[2], hSize + 4);
  assert.doesNotMatch(svg, /<script|on\w+=/i);
  // No inline style attribute: the page's CSP (style-src 'self') would drop it.
  assert.doesNotMatch(svg, /\sstyle=/i);
  // Compact: far below one element per module.
  assert.ok(svg.length < size * size * 4, `SVG of ${svg.length} bytes for ${size}×${size}`);
});

test('qrSvg: colours, and light "none" omits the background', () => {
  const svg = qrSvg(URI, { dark: '#123456', light: 'rgb(250, 240, 230)' });
  assert.match(svg, /#123456/);
  assert.match(svg, /rgb\(250, 240, 230\)/);
  const def = qrSvg(URI);
  assert.match(def, /#000/);
  assert.match(def, /#fff/);
  const transparent = qrSvg(URI, { light: 'none' });
  assert.doesNotMatch(transparent, /#fff/i);
  assert.ok(transparent.length < def.length);
  assert.equal((transparent.match(/<path\b/g) ?? []).length, 1);
  for (const bad of ['"', "'", '<', '>', '&', 'red;x', 'url(x)"', 'a\nb', '#fff"/><script>']) {
    let err;
    try {
      qrSvg(URI, { dark: bad });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof OtpError && err.code === 'INVALID_ARGUMENT', `dark ${JSON.stringify(bad)}: ${err?.code}`);
  }
});

test('qrSvg draws exactly the modules of qrMatrix', (t) => {
  // Rasterise the path (only axis-aligned M/h/v/H/V/z and relative m commands are expected) and
  // compare with the matrix. Skipped if the path uses other commands.
  const { size, modules } = qrMatrix(URI);
  const svg = qrSvg(URI, { quietZone: 0 });
  const d = svg.match(/<path[^>]*\sd="([^"]+)"/)?.[1];
  assert.ok(d, 'the path has a d attribute');
  const grid = new Uint8Array(size * size);
  const tokens = d.match(/[MmHhVvZzLl]|-?\d+(?:\.\d+)?/g);
  // Fill the cells enclosed by each closed sub-path of unit-aligned rectangles.
  let i = 0;
  let x = 0;
  let y = 0;
  let poly = [];
  let supported = true;
  const flush = () => {
    if (poly.length < 3) {
      poly = [];
      return;
    }
    const xs = poly.map((p) => p[0]);
    const ys = poly.map((p) => p[1]);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    // Only rectangles are rasterised here: every corner on the bounding box's corners.
    const corner = ([px, py]) => (px === minX || px === maxX) && (py === minY || py === maxY);
    if (!poly.every(corner) || ![...xs, ...ys].every(Number.isInteger)) supported = false;
    for (let yy = minY; yy < maxY; yy++) for (let xx = minX; xx < maxX; xx++) grid[yy * size + xx] ^= 1;
    poly = [];
  };
  while (i < tokens.length) {
    const cmd = tokens[i++];
    const num = () => Number(tokens[i++]);
    if (cmd === 'M' || cmd === 'm') {
      flush();
      const nx = num();
      const ny = num();
      [x, y] = cmd === 'M' ? [nx, ny] : [x + nx, y + ny];
      poly.push([x, y]);
    } else if (cmd === 'h') x += num(), poly.push([x, y]);
    else if (cmd === 'H') x = num(), poly.push([x, y]);
    else if (cmd === 'v') y += num(), poly.push([x, y]);
    else if (cmd === 'V') y = num(), poly.push([x, y]);
    else if (cmd === 'z' || cmd === 'Z') flush();
    else {
      supported = false;
      break;
    }
  }
  flush();
  if (!supported) return t.skip('the path is not made of unit-aligned rectangles; not rasterised here');
  assert.deepEqual(Array.from(grid), Array.from(modules));
});

test('zbarimg decodes a PNG drawn from qrMatrix back to the same text', (t) => {
  const why = missing(ZBARIMG, 'zbar-tools');
  if (why) return t.skip(why);
  const dir = mkdtempSync(join(tmpdir(), 'totp-wasm-qr-'));
  try {
    const texts = [
      URI,
      buildUri({ issuer: 'totp-wasm demo', account: 'alice@example.com', secret: generateSecret() }),
      buildUri({ issuer: 'Ünïcødé', account: '名前@example.com', secret: generateSecret(64), algorithm: 'SHA512', digits: 8 }),
      buildUri({ type: 'hotp', account: 'token', secret: generateSecret(), counter: 2n ** 64n - 1n }),
    ];
    let n = 0;
    for (const text of texts) {
      for (const ecc of ['L', 'M', 'Q', 'H']) {
        const file = join(dir, `qr-${n++}.png`);
        writeFileSync(file, qrToPng(qrMatrix(text, { ecc }), { scale: 4 + (n % 5), quietZone: 4 }));
        assert.equal(run(ZBARIMG, ['--raw', '-q', file]), text, `ecc ${ecc}: ${text}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
