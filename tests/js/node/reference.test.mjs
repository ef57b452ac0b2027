// The conformance suite's plain-JS reference (SHA-1/256/512, HMAC, base32) against node:crypto
// and Buffer, so that the expected values every runtime checks against are right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { base32, hmac, refHotp, unbase32 } from '../conformance/reference.mjs';

const NODE = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

test('reference HMAC equals node:crypto for keys and messages of every length class', () => {
  let n = 0;
  for (const algorithm of Object.keys(NODE)) {
    // Key lengths around the block size (64 or 128 bytes), message lengths around padding edges.
    for (const keyLen of [0, 1, 10, 20, 55, 63, 64, 65, 111, 127, 128, 129, 200]) {
      for (const msgLen of [0, 1, 8, 55, 56, 63, 64, 111, 112, 127, 128, 300]) {
        const key = randomBytes(keyLen);
        const msg = randomBytes(msgLen);
        const want = createHmac(NODE[algorithm], key).update(msg).digest('hex');
        assert.equal(Buffer.from(hmac(algorithm, key, msg)).toString('hex'), want, `${algorithm} key ${keyLen} msg ${msgLen}`);
        n++;
      }
    }
  }
  assert.equal(n, 3 * 13 * 12);
});

test('reference HOTP equals a node:crypto HOTP', () => {
  for (let i = 0; i < 50; i++) {
    const key = randomBytes(10 + i);
    const counter = BigInt(i) * 0x0123456789abn;
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(counter);
    const mac = createHmac('sha1', key).update(msg).digest();
    const code = String((mac.readUInt32BE(mac[19] & 15) & 0x7fffffff) % 1e6).padStart(6, '0');
    assert.equal(refHotp(key, counter), code);
  }
});

test('reference base32 round-trips and matches RFC 4648 section 10', () => {
  const vectors = { '': '', f: 'MY', fo: 'MZXQ', foo: 'MZXW6', foob: 'MZXW6YQ', fooba: 'MZXW6YTB', foobar: 'MZXW6YTBOI' };
  for (const [plain, encoded] of Object.entries(vectors)) {
    assert.equal(base32(Buffer.from(plain)), encoded);
    assert.equal(Buffer.from(unbase32(encoded)).toString(), plain);
  }
  for (let len = 0; len < 70; len++) {
    const bytes = randomBytes(len);
    assert.deepEqual(Buffer.from(unbase32(base32(bytes))), bytes);
  }
});
