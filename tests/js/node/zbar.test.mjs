// A real decoder (zbarimg, Debian zbar-tools) reads back PNGs drawn from qrMatrix (Node only:
// runs a program).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildUri, generateSecret, qrMatrix } from 'totp-wasm';
import { qrToPng } from './support/png.mjs';
import { missing, run, ZBARIMG } from './support/tools.mjs';

const URI = 'otpauth://totp/ACME%20Co:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co';

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
