// The RFC vector files of tests/data/ (the same files the native and wasm-bindgen-test suites
// read), parsed. `cargo xtask test` writes their text into vectors.mjs next to this file when it
// copies the suite into the temporary project (xtask/src/runtimes.rs), so every runtime —
// browsers and workerd included, which have no file system — reads the data, and nothing here
// re-types a vector.
import { RFC4226_TXT, RFC6238_TXT } from './vectors.mjs';

/**
 * One vector per line: `kind algorithm digits period secret-hex moving-factor code`, where the
 * moving factor is the counter (hotp, period `-`) or the Unix time (totp); `#` starts a comment.
 * @returns {{ kind: string, algorithm: string, digits: number, period: number | null,
 *   key: Uint8Array, moving: bigint, code: string, line: number }[]}
 */
export function parseVectors(text) {
  const out = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [kind, algorithm, digits, period, hex, moving, code, ...rest] = line.split(/\s+/);
    if (!code || rest.length) throw new Error(`vector line ${i + 1}: expected 7 fields: ${line}`);
    const key = new Uint8Array(hex.match(/../g).map((h) => parseInt(h, 16)));
    out.push({ kind, algorithm, digits: Number(digits), period: period === '-' ? null : Number(period), key, moving: BigInt(moving), code, line: i + 1 });
  });
  return out;
}

export const RFC4226 = parseVectors(RFC4226_TXT);
export const RFC6238 = parseVectors(RFC6238_TXT);
