// A Node 20 server using `totp-wasm/core` for the verifier policy (enrollment, login, recovery),
// checked with `tsc --noEmit` against the installed tarball's declarations.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import {
  OtpError,
  confirmEnrollment,
  describeState,
  disableTwoFactor,
  generateRecoveryCodes,
  newState,
  removeFactor,
  renameFactor,
  resetDrift,
  resync,
  startEnrollment,
  totp,
  useRecoveryCode,
  useRemovalCode,
  verifyCode,
} from 'totp-wasm/core';
import type {
  Enrollment,
  FactorInfo,
  OtpErrorCode,
  Policy,
  RecoveryResult,
  ServerKey,
  StateInfo,
  TwoFactorState,
  VerifyResult,
} from 'totp-wasm/core';

interface Row {
  state: TwoFactorState;
  secrets: Map<number, string>;
}
const db = new Map<string, Row>();
const serverKey: ServerKey = randomBytes(32);
const policy: Policy = { window: 1, freeFailures: 5, baseLockout: 60, maxLockout: 86_400 };

function enrol(user: string): Enrollment {
  const e = startEnrollment({ issuer: 'Example', account: `${user}@example.com` });
  // Confirm right away with the current code (a real site waits for the person).
  const c: VerifyResult = confirmEnrollment(null, { secret: e.secret, code: totp(e.secret), label: 'Phone', policy });
  if (c.outcome === 'accepted' && c.factorId !== undefined) {
    const { codes, removalCode, state } = generateRecoveryCodes(c.state, serverKey, { removalCode: true });
    console.log(codes.join(' '), removalCode ?? '');
    db.set(user, { state, secrets: new Map([[c.factorId, e.secret]]) });
  }
  return e;
}

function login(user: string, code: string): string {
  const row = db.get(user);
  if (!row) return 'unknown user';
  const r = verifyCode(row.state, row.secrets, code, { time: Date.now() / 1000, policy });
  row.state = r.state; // write before answering
  switch (r.outcome) {
    case 'accepted':
      return `signed in with authenticator ${r.factorId ?? '?'}`;
    case 'invalid':
      return `not right (${r.attemptsLeft ?? 0} left)`;
    case 'replayed':
      return 'already used';
    case 'locked':
      return `locked until ${new Date((r.retryAt ?? 0) * 1000).toISOString()}`;
    default: {
      const unreachable: never = r.outcome;
      return unreachable;
    }
  }
}

function recover(user: string, code: string): RecoveryResult['outcome'] {
  const row = db.get(user);
  if (!row) return 'invalid';
  const r: RecoveryResult = code.length > 16 ? useRemovalCode(row.state, serverKey, code, { policy }) : useRecoveryCode(row.state, 'a string key of 16+ bytes', code);
  row.state = r.state;
  return r.outcome;
}

/** Two consecutive codes repair a clock that jumped (or an HOTP counter run ahead). */
function repair(user: string, first: string, second: string): VerifyResult['outcome'] {
  const row = db.get(user);
  if (!row) return 'invalid';
  const r: VerifyResult = resync(row.state, row.secrets, [first, second], { policy: { resyncWindow: 20 }, factorId: 1 });
  row.state = r.state;
  const drift: number | undefined = describeState(r.state).factors[0]?.drift;
  if (drift !== undefined && Math.abs(drift) > 10) row.state = resetDrift(row.state, 1);
  return r.outcome;
}

function manage(row: Row): StateInfo {
  const info: StateInfo = describeState(row.state);
  const first: FactorInfo | undefined = info.factors[0];
  if (first) row.state = renameFactor(row.state, first.id, 'Old phone');
  if (info.factors.length > 1 && first) row.state = removeFactor(row.state, first.id);
  if (info.lockedUntil !== null && info.failures > 10) row.state = disableTwoFactor(row.state);
  return info;
}

function errorCode(err: unknown): OtpErrorCode | 'INTERNAL' {
  return err instanceof OtpError ? err.code : 'INTERNAL';
}

createServer((req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const user = url.searchParams.get('user') ?? 'alice';
    const code = url.searchParams.get('code') ?? '';
    let body: unknown;
    if (url.pathname === '/enrol') body = enrol(user).uri;
    else if (url.pathname === '/login') body = login(user, code);
    else if (url.pathname === '/recover') body = recover(user, code);
    else if (url.pathname === '/resync') body = repair(user, code, url.searchParams.get('next') ?? '');
    else body = manage(db.get(user) ?? { state: newState(), secrets: new Map() });
    res.end(JSON.stringify(body));
  } catch (err) {
    res.statusCode = 400;
    res.end(errorCode(err));
  }
}).listen(0);

// Wrong types are rejected.
// @ts-expect-error totp-wasm/core has no QR rendering
import { qrSvg } from 'totp-wasm/core';
// @ts-expect-error not an error code
const bad: OtpErrorCode = 'INVALID_EVERYTHING';
// @ts-expect-error a state is opaque text
const count: number = newState();
// @ts-expect-error a server key is bytes or text
generateRecoveryCodes(newState(), 42);
// @ts-expect-error secrets map factor ids (numbers) to secrets
verifyCode(newState(), new Map([['phone', 'JBSWY3DPEHPK3PXP']]), '123456');
// @ts-expect-error policy fields are numbers
verifyCode(newState(), {}, '123456', { policy: { window: '1' } });
// @ts-expect-error there is no outcome 'ok'
if (verifyCode(newState(), {}, '123456').outcome === 'ok') console.log('never');
// @ts-expect-error a resync takes two codes
resync(newState(), {}, ['123456']);
// @ts-expect-error an authenticator is 'totp' or 'hotp'
startEnrollment({ issuer: 'E', account: 'a', type: 'sms' });
console.log(qrSvg, bad, count);
