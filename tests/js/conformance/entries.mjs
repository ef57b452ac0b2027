// The four package entries, by import specifier, for the cases that hold for every entry
// (codes, verify, URIs, OtpError).
import * as otp from 'totp-wasm/otp';
import * as page from 'totp-wasm';
import * as verifier from 'totp-wasm/verifier';
import * as scan from 'totp-wasm/scan';

/** [specifier, module] pairs in the README's order. */
export const ENTRIES = [
  ['totp-wasm/otp', otp],
  ['totp-wasm', page],
  ['totp-wasm/verifier', verifier],
  ['totp-wasm/scan', scan],
];
