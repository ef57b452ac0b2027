// QR rendering: qrSvg and qrMatrix shapes and options, and the SVG path drawing exactly the
// matrix. (A real decoder reading the codes back: ../node/zbar.test.mjs.)
import { test } from './harness.mjs';
import { assert } from './assert.mjs';
import { OtpError, qrMatrix, qrSvg } from 'totp-wasm';

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

test('qrSvg draws exactly the modules of qrMatrix', () => {
  // The path is one-module-wide horizontal strokes on row centre lines (M x y.5, then relative
  // m dx dy / h len). Replay it on a grid and compare with the matrix cell by cell.
  for (const ecc of ['L', 'H']) {
    const { size, modules } = qrMatrix(URI, { ecc });
    const svg = qrSvg(URI, { ecc, quietZone: 0, dark: '#123' });
    assert.match(svg, /<path stroke="#123" d="/);
    const d = svg.match(/<path[^>]*\sd="([^"]+)"/)?.[1];
    assert.ok(d, 'the path has a d attribute');
    const grid = rasterise(d, size);
    const differ = modules.findIndex((v, i) => v !== grid[i]);
    assert.equal(differ, -1, `ecc ${ecc}: module (${differ % size}, ${Math.floor(differ / size)}) differs`);
  }
});

/** Cells covered by the horizontal strokes of `d` (each one module tall, centred on y + 0.5). */
function rasterise(d, size) {
  const grid = new Uint8Array(size * size);
  const commands = d.match(/[Mmh][^Mmh]*/g) ?? [];
  let [x, y] = [0, 0];
  for (const c of commands) {
    const args = c.slice(1).trim().split(/\s+/).map(Number);
    if (c[0] === 'M') [x, y] = args;
    else if (c[0] === 'm') [x, y] = [x + args[0], y + args[1]];
    else {
      assert.ok(Number.isInteger(args[0]) && args[0] > 0, `h takes a whole number of modules: ${c}`);
      assert.equal(y - Math.floor(y), 0.5, 'strokes run on row centre lines');
      for (let cx = x; cx < x + args[0]; cx++) grid[Math.floor(y) * size + cx] = 1;
      x += args[0];
    }
  }
  return grid;
}
