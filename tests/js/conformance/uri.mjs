// otpauth:// URIs (Key Uri Format): buildUri / parseUri, both ways.
import { test } from './harness.mjs';
import { assert } from './assert.mjs';
import * as full from 'totp-wasm';
import { ENTRIES } from './entries.mjs';

const SECRET = 'JBSWY3DPEHPK3PXP';

const isPlainObject = (v) => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

for (const [entryName, lib] of ENTRIES) {
  test(`${entryName}: buildUri writes the defaults as Google Authenticator expects`, () => {
    const uri = lib.buildUri({ issuer: 'ACME Co', account: 'alice@example.com', secret: SECRET });
    assert.ok(uri.startsWith('otpauth://totp/ACME%20Co:alice'), uri);
    const url = new URL(uri);
    assert.equal(url.protocol, 'otpauth:');
    assert.equal(url.searchParams.get('secret'), SECRET);
    assert.equal(url.searchParams.get('issuer'), 'ACME Co');
    for (const p of ['algorithm', 'digits', 'period', 'counter']) {
      assert.equal(url.searchParams.has(p), false, `${p} omitted when default`);
    }
    // The label colon is literal, issuer and account are percent-encoded.
    const label = uri.slice('otpauth://totp/'.length, uri.indexOf('?'));
    assert.equal(label.split(':').length, 2, label);
    assert.equal(decodeURIComponent(label), 'ACME Co:alice@example.com');
    assert.doesNotMatch(uri, /\s/);
  });

  test(`${entryName}: buildUri writes non-default parameters`, () => {
    const uri = lib.buildUri({
      secret: SECRET,
      account: 'bob',
      issuer: 'Example',
      algorithm: 'SHA256',
      digits: 8,
      period: 60,
    });
    const url = new URL(uri);
    assert.equal(url.searchParams.get('algorithm'), 'SHA256');
    assert.equal(url.searchParams.get('digits'), '8');
    assert.equal(url.searchParams.get('period'), '60');
  });

  test(`${entryName}: round trip through parseUri`, () => {
    const cases = [
      { secret: SECRET, account: 'alice@example.com', issuer: 'ACME Co' },
      { secret: SECRET, account: 'alice@example.com' },
      { secret: SECRET, account: 'Ünïcødé 名前', issuer: 'Ä & B / C?#%' },
      { secret: SECRET, account: 'x', issuer: 'y', algorithm: 'SHA512', digits: 10, period: 15 },
      { type: 'hotp', secret: SECRET, account: 'hw-token', issuer: 'Corp', counter: 0 },
      { type: 'hotp', secret: SECRET, account: 'hw-token', counter: 2n ** 64n - 1n },
    ];
    for (const c of cases) {
      const uri = lib.buildUri(c);
      const p = lib.parseUri(uri);
      assert.ok(isPlainObject(p), 'a plain object, not a Map');
      assert.equal(p.type, c.type ?? 'totp');
      assert.equal(p.secret, c.secret);
      assert.equal(p.account, c.account);
      if (c.issuer === undefined) assert.ok(!('issuer' in p) || p.issuer === undefined, 'no issuer');
      else assert.equal(p.issuer, c.issuer);
      assert.equal(p.algorithm, c.algorithm ?? 'SHA1');
      assert.equal(p.digits, c.digits ?? 6);
      assert.equal(p.period, c.period ?? 30);
      if (p.type === 'hotp') {
        assert.equal(typeof p.counter, 'bigint', 'hotp counter is a bigint');
        assert.equal(p.counter, BigInt(c.counter));
        assert.match(uri, /[?&]counter=\d+/, 'counter always written for hotp');
      } else {
        assert.ok(!('counter' in p) || p.counter === undefined, 'no counter for totp');
      }
      assert.ok(isPlainObject(p.extra));
      assert.deepEqual(Object.keys(p.extra), []);
      // Building again from what was parsed gives the same URI.
      const { extra: _extra, ...fields } = p;
      const again = lib.buildUri(fields);
      assert.equal(again, uri);
    }
  });
}

test('buildUri: hotp with a bigint counter', () => {
  const uri = full.buildUri({ type: 'hotp', secret: SECRET, account: 'a', counter: 2n ** 60n });
  assert.ok(uri.startsWith('otpauth://hotp/'));
  assert.match(uri, /[?&]counter=1152921504606846976(&|$)/);
  assert.equal(full.parseUri(uri).counter, 2n ** 60n);
  const zero = full.buildUri({ type: 'hotp', secret: SECRET, account: 'a', counter: 0 });
  assert.match(zero, /[?&]counter=0(&|$)/);
});

test('parseUri: what real services send', () => {
  // Google's example, https://github.com/google/google-authenticator/wiki/Key-Uri-Format
  const g = full.parseUri(
    'otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example',
  );
  assert.equal(g.issuer, 'Example');
  assert.equal(g.account, 'alice@google.com');
  assert.equal(g.secret, SECRET);
  // Encoded colon in the label, lowercase spaced secret with padding, issuer only in the label.
  const p = full.parseUri('otpauth://totp/ACME%20Co%3Ajohn.doe%40email.com?secret=jbsw%20y3dp%20ehpk%203pxp%3D%3D%3D%3D&period=60');
  assert.equal(p.issuer, 'ACME Co');
  assert.equal(p.account, 'john.doe@email.com');
  assert.equal(p.secret, SECRET, 'secret normalised: uppercase, no spaces, no padding');
  assert.equal(p.period, 60);
  // Issuer only as a parameter; algorithm in lowercase.
  const q = full.parseUri('otpauth://totp/bob?secret=JBSWY3DPEHPK3PXP&issuer=Big%20Corp&algorithm=sha256&digits=8');
  assert.equal(q.issuer, 'Big Corp');
  assert.equal(q.account, 'bob');
  assert.equal(q.digits, 8);
  assert.equal(q.algorithm, 'SHA256');
  // No issuer at all.
  const n = full.parseUri('otpauth://totp/carol?secret=JBSWY3DPEHPK3PXP');
  assert.ok(!('issuer' in n), 'issuer absent when none');
  assert.ok(!('counter' in n), 'counter absent for totp');
  // HOTP with a counter above 2^53.
  const h = full.parseUri('otpauth://hotp/Corp:dave?secret=JBSWY3DPEHPK3PXP&issuer=Corp&counter=18446744073709551615');
  assert.equal(h.type, 'hotp');
  assert.equal(h.counter, 2n ** 64n - 1n);
});

test('parseUri keeps unknown parameters in extra (not fatal)', () => {
  const p = full.parseUri(
    'otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=A&image=https%3A%2F%2Fexample.com%2Flogo.png&color=blue',
  );
  assert.ok(isPlainObject(p.extra), 'extra is a plain object');
  assert.equal(p.extra.image, 'https://example.com/logo.png');
  assert.equal(p.extra.color, 'blue');
  assert.ok(!('secret' in p.extra));
  assert.ok(!('issuer' in p.extra));
});

test('parseUri of a URI built for the demo page', () => {
  const secret = full.generateSecret();
  const uri = full.buildUri({ issuer: 'totp-wasm demo', account: 'alice@example.com', secret });
  const p = full.parseUri(uri);
  assert.equal(p.secret, secret);
  assert.equal(p.issuer, 'totp-wasm demo');
  assert.equal(p.account, 'alice@example.com');
  assert.equal(full.totp(p.secret, { time: 59 }), full.totp(secret, { time: 59 }));
});
