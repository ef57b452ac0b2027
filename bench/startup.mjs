// Import + instantiate + first code, each in a fresh Node process: what a CLI, a serverless
// cold start or a test run pays before its first code. Timed inside the child (from before the
// import to after the first code), so Node's own start-up is not counted for anyone.
import { execFileSync } from 'node:child_process';

const KEY = 'Uint8Array.from("12345678901234567890", (c) => c.charCodeAt(0))';
const CASES = [
  ['totp-wasm: import, totp(keyBytes)', `const m = await import('totp-wasm'); m.totp(${KEY});`],
  ['otpauth (Node build): import, new TOTP({ secret }).generate()', `const m = await import('otpauth'); new m.TOTP({ secret: new m.Secret({ buffer: ${KEY}.buffer }) }).generate();`],
  ['@oslojs/otp: import, generateTOTP(key, 30, 6)', `const m = await import('@oslojs/otp'); m.generateTOTP(${KEY}, 30, 6);`],
];

/** `[{ name, ms, runs }]`: the median over `runs` fresh processes, started in `root`/bench. */
export function startupTimes(root, runs) {
  return CASES.map(([name, body]) => {
    const script = `const t0 = performance.now(); ${body} console.log(performance.now() - t0);`;
    const times = [];
    for (let i = 0; i < runs; i++) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: `${root}bench`, encoding: 'utf8' });
      times.push(Number(out.trim()));
    }
    times.sort((a, b) => a - b);
    return { name, ms: Math.round(times[Math.floor(runs / 2)] * 100) / 100, runs };
  });
}
