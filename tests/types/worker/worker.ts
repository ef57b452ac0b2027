// An edge worker (workerd / Cloudflare Workers) verifying codes with `totp-wasm/verifier` and
// answering errors with their stable codes, checked with `tsc --noEmit` against the installed
// tarball's declarations.
import { OtpError, Totp, buildUri, generateSecret, hotp, parseUri, remainingSeconds, verifyCode, verifyHotp, verifyTotp } from 'totp-wasm/verifier';
import type { OtpErrorCode, VerifyResult } from 'totp-wasm/verifier';

interface Env {
  RECOVERY_KEY: string;
}

const STATUS: Record<OtpErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  INVALID_SECRET: 400,
  INVALID_DIGITS: 400,
  INVALID_PERIOD: 400,
  INVALID_ALGORITHM: 400,
  INVALID_TIME: 400,
  INVALID_COUNTER: 400,
  INVALID_URI: 400,
  QR_DATA_TOO_LONG: 413,
  INVALID_STATE: 500,
  RANDOM_UNAVAILABLE: 503,
};

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    try {
      const form = await request.formData();
      const code = String(form.get('code') ?? '');
      const state = String(form.get('state') ?? '');
      const secret = String(form.get('secret') ?? generateSecret());
      const r: VerifyResult = verifyCode(state, { 1: secret }, code, { time: Date.now() / 1000 });
      const gen = new Totp(secret);
      const check = gen.verify(code);
      gen.free();
      const uri = buildUri({ secret, account: 'worker', issuer: env.RECOVERY_KEY.slice(0, 0) || 'Edge' });
      const t = verifyTotp(parseUri(uri).secret, code, { window: 2 });
      const h = verifyHotp(secret, hotp(secret, 1), 0, { lookAhead: 1 });
      return Response.json({ outcome: r.outcome, state: r.state, check, t, h, left: remainingSeconds() });
    } catch (err) {
      if (!(err instanceof OtpError)) throw err;
      return Response.json({ error: err.code, message: err.message }, { status: STATUS[err.code] });
    }
  },
};

// Wrong types are rejected.
// @ts-expect-error every error code needs a status (the union is exact: a missing key fails)
const partial: Record<OtpErrorCode, number> = { INVALID_ARGUMENT: 400 };
// @ts-expect-error OtpError takes a known code
new OtpError('SOMETHING_ELSE', 'x');
// @ts-expect-error a removed option
verifyTotp('JBSWY3DPEHPK3PXP', '123456', { lookAhead: 1 });
console.log(partial);
