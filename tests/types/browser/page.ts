// A page using `totp-wasm` (the page entry, with QR rendering) as the README shows it, and the
// authenticator's `totp-wasm/scan` (QR reading, Google Authenticator exports), checked
// with `tsc --noEmit` against the installed tarball's declarations. Every `@ts-expect-error`
// line must be an error: tsc fails when a wrong type is accepted.
import {
  OtpError,
  Totp,
  buildUri,
  generateSecret,
  hotp,
  parseUri,
  qrMatrix,
  qrSvg,
  remainingSeconds,
  totp,
  verifyHotp,
  verifyTotp,
} from 'totp-wasm';
import { parseMigrationUri, scanQr } from 'totp-wasm/scan';
import { totp as otpOnly } from 'totp-wasm/otp';
import type { Algorithm, Ecc, OtpErrorCode, OtpOptions, ParsedUri, QrSvgOptions, SecretInput, UriParams } from 'totp-wasm';

const secret: string = generateSecret();
const longer: string = generateSecret(32);
const params: UriParams = { issuer: 'Example', account: 'alice@example.com', secret };
const uri: string = buildUri(params);
const hotpUri = buildUri({ type: 'hotp', secret: longer, account: 'token', counter: 2n ** 60n });

const style: QrSvgOptions = { ecc: 'Q', quietZone: 2, dark: '#123', light: 'none' };
const qr = document.querySelector<HTMLDivElement>('#qr');
if (qr) qr.innerHTML = qrSvg(uri, style);

// A canvas from the module matrix.
const ecc: Ecc = 'H';
const matrix: { size: number; modules: Uint8Array } = qrMatrix(uri, { ecc });
const canvas = document.createElement('canvas');
canvas.width = canvas.height = matrix.size;
const ctx = canvas.getContext('2d');
matrix.modules.forEach((dark, i) => {
  if (dark && ctx) ctx.fillRect(i % matrix.size, Math.floor(i / matrix.size), 1, 1);
});

const options: OtpOptions = { algorithm: 'SHA256', digits: 8, period: 60 };
const code: string = totp(secret, { ...options, time: Date.now() / 1000 });
const left: number = remainingSeconds({ period: 60 });
document.title = `${code} (${left} s)`;

const bytes: SecretInput = new Uint8Array(20);
const counterCode: string = hotp(bytes, 7n, { digits: 6 });
const ahead: number | null = verifyHotp(bytes, counterCode, 5, { lookAhead: 2 });
const offset = verifyTotp(secret, code, { ...options, window: 1 });
if (offset !== null && ahead !== null) console.log(offset + ahead);

const parsed: ParsedUri = parseUri(hotpUri);
const algorithm: Algorithm = parsed.algorithm;
const counter: bigint | undefined = parsed.counter;
const image: string | undefined = parsed.extra['image'];
console.log(algorithm, counter, image, parsed.issuer?.toUpperCase());

const gen = new Totp(secret, { period: 30 });
try {
  const now: string = gen.generate();
  const matched: number | null = gen.verify(now, { window: 0 });
  console.log(matched);
} finally {
  gen.free();
}

try {
  totp('not base32!');
} catch (err) {
  if (err instanceof OtpError) {
    const c: OtpErrorCode = err.code;
    const message: string = err.message;
    console.log(c, message, err.name satisfies 'OtpError');
  }
}

// Wrong types are rejected.
// @ts-expect-error a code is a string (a number would lose leading zeros)
verifyTotp(secret, 123456);
// @ts-expect-error not an algorithm
totp(secret, { algorithm: 'MD5' });
// @ts-expect-error times are numbers (Unix seconds), not Dates
totp(secret, { time: new Date() });
// @ts-expect-error a counter is a number or a bigint
hotp(secret, '7');
// @ts-expect-error not an error-correction level
qrSvg(uri, { ecc: 'X' });
// @ts-expect-error buildUri needs an account
buildUri({ secret });
// @ts-expect-error the counter of a parsed URI is a bigint, not a number
const wrongCounter: number = parsed.counter;
// @ts-expect-error a verification result can be null
const sure: number = verifyTotp(secret, code);
// @ts-expect-error qrMatrix modules are bytes, not booleans
const flags: boolean[] = matrix.modules;
console.log(wrongCounter, sure, flags);

// Google Authenticator's "Transfer accounts" QR: every account, in parseUri's shape.
const transferred: ParsedUri[] = parseMigrationUri('otpauth-migration://offline?data=CiAKCkhlbGxvId6tvu8SBWFsaWNlGgdFeGFtcGxlIAEoATACEAIYASAA');
for (const account of transferred) console.log(account.issuer ?? '', account.account, account.type);
// @ts-expect-error the URI is text
parseMigrationUri(42);

// An image from a canvas: the texts of its QR codes.
const pixels = new Uint8ClampedArray(4 * 8 * 8);
const texts: string[] = scanQr(pixels, 8, 8);
console.log(texts, otpOnly(secret));
// @ts-expect-error the sizes are numbers
scanQr(pixels, '8', 8);
