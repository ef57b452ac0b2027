// Small text helpers shared by the pages.
import { OtpError } from 'totp-wasm';

/** "123456" → "123 456", "12345678" → "1234 5678". */
export function groupCode(code) {
  const half = Math.ceil(code.length / 2);
  return `${code.slice(0, half)} ${code.slice(half)}`;
}

/** An OtpError's message as a sentence for the page ("the issuer must …" → "The issuer must …."). */
export function describe(err) {
  if (!(err instanceof OtpError) || !err.message) return 'Something went wrong.';
  const m = err.message.trim();
  return `${m[0].toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`;
}
