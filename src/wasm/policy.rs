//! Binding of the verifier policy: enrollment, verification with replay and throttling,
//! authenticators, recovery and removal codes. States travel as the text form of
//! [`UserState`]; every function returns the new state for the caller to store.

use super::{JsResult, argument, bounded, field, given, options, secret_bytes, set, throw, time};
use crate::{
    Error, ErrorKind, FactorKind, OsRandom, Outcome, Policy, RecoveryOutcome, Secret, UserState, confirm_enrollment as confirm,
    generate_recovery_codes as generate_codes, start_enrollment as start, use_recovery_code as use_recovery,
    use_removal_code as use_removal, verify_code as verify,
};
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::{Array, Map, Object, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_POLICY: &'static str = r#"
/** A user's 2FA state as opaque text (versioned, checksummed). Store it as is; it holds no secret. */
export type TwoFactorState = string;

/**
 * Throttling, window, drift and HOTP rules. Defaults: window 1, 5 free failures, then locks of
 * 60 s doubling to 86400 s; learned drift up to ±20 steps, resync within ±20 steps; HOTP
 * look-ahead 2, HOTP resync within 100 presses.
 */
export interface Policy {
  window?: number;
  freeFailures?: number;
  baseLockout?: number;
  maxLockout?: number;
  /** largest learned TOTP clock offset in steps (0..=60; 0 turns learning off) */
  maxDrift?: number;
  /** how far from the server's time a two-code TOTP resync looks, in steps (at most maxDrift) */
  resyncWindow?: number;
  /** HOTP counter values accepted past the next one (0..=100) */
  lookAhead?: number;
  /** how far past the next counter a two-code HOTP resync looks (0..=1000) */
  resyncLookAhead?: number;
}

/** A key for hashing recovery codes: at least 16 bytes (use 32 random bytes from a secret binding). */
export type ServerKey = Uint8Array | string;

/** What the setup screen shows. Keep `secret` (encrypted, expiring) until confirmEnrollment. */
export interface Enrollment {
  secret: string;
  uri: string;
  account: string;
  issuer: string;
  /** the key in groups of four, for manual entry */
  key: string;
  /** "Time based" or "Counter based" (HOTP) */
  type: string;
  /** the QR code as SVG (the `totp-wasm` entry only; not in `totp-wasm/core`) */
  qrSvg?: string;
}

/** One authenticator of a user. */
export interface FactorInfo {
  id: number;
  label: string;
  /** Unix seconds */
  created: number;
  algorithm: Algorithm;
  digits: number;
  period: number;
  /** 'totp' (time based) or 'hotp' (counter based) */
  type: 'totp' | 'hotp';
  /** TOTP: last accepted time step; HOTP: last accepted counter; or null */
  lastStep: number | null;
  /** TOTP: the learned clock offset in steps (the window is centred on it); 0 for HOTP */
  drift: number;
}

/** What describeState returns. */
export interface StateInfo {
  enabled: boolean;
  factors: FactorInfo[];
  recoveryRemaining: number;
  hasRemovalCode: boolean;
  /** consecutive failed authenticator codes (and resync attempts) */
  failures: number;
  /** Unix seconds the authenticator-code lock ends, or null */
  lockedUntil: number | null;
  /** consecutive failed recovery and removal codes: counted apart, so code guessing cannot lock them */
  recoveryFailures: number;
  /** Unix seconds the recovery/removal-code lock ends, or null */
  recoveryLockedUntil: number | null;
}

/** The outcome of a code check, with the state to store. */
export interface VerifyResult {
  outcome: 'accepted' | 'invalid' | 'replayed' | 'locked';
  /** accepted / replayed: the authenticator */
  factorId?: number;
  /** accepted: step offset */
  offset?: number;
  /** invalid: failures left before a lock */
  attemptsLeft?: number;
  /** locked (or invalid that started a lock): Unix seconds when guesses are accepted again */
  retryAt?: number;
  state: TwoFactorState;
}

/** The outcome of a recovery- or removal-code check, with the state to store. */
export interface RecoveryResult {
  /** typo: not a well-formed code (nothing counted); accepted removal code: 2FA is now off */
  outcome: 'accepted' | 'invalid' | 'typo' | 'locked';
  /** accepted: recovery codes left */
  remaining?: number;
  attemptsLeft?: number;
  retryAt?: number;
  state: TwoFactorState;
}

/** An empty state: 2FA off. */
export function newState(): TwoFactorState;

/** The state's content for display (authenticators, codes left, lock). */
export function describeState(state: TwoFactorState): StateInfo;

/** A new 160-bit secret with its otpauth URI and manual-entry fields (`type: 'hotp'`: counter based, counter 0). */
export function startEnrollment(params: { issuer: string; account: string; type?: 'totp' | 'hotp' } & OtpOptions): Enrollment;

/**
 * Checks the first code of a new authenticator. When valid, the authenticator is added with
 * that code's step already used, so the enrollment code cannot be replayed at login.
 */
export function confirmEnrollment(
  state: TwoFactorState | null,
  params: {
    secret: SecretInput; code: string; label: string; time?: number; policy?: Policy;
    /** 'hotp': a counter-based authenticator; `code` is checked at `counter` (default 0) and the policy's look-ahead */
    type?: 'totp' | 'hotp'; counter?: number;
  } & OtpOptions,
): VerifyResult;

/**
 * Checks a code against every authenticator, with replay rejection and throttling.
 * `secrets` maps factor id to secret: a plain object ({ 1: 'BASE32…' }) or a Map.
 */
export function verifyCode(
  state: TwoFactorState,
  secrets: Record<number, SecretInput> | Map<number, SecretInput>,
  code: string,
  options?: { time?: number; policy?: Policy },
): VerifyResult;

/**
 * Repairs a clock that jumped (TOTP) or a counter run ahead (HOTP) with two consecutive codes,
 * first then second: never with one. TOTP: within `policy.resyncWindow` steps (±10 min) of the
 * server's time, and the offset is learned; HOTP: within `policy.resyncLookAhead` presses. On
 * success it signs in like verifyCode ('accepted'); a failed resync counts one failure
 * ('invalid'); a pair already used is 'replayed'. `factorId` limits it to one authenticator.
 * Synchronous like verifyCode: state in, outcome and new state out; store `state` before answering.
 */
export function resync(
  state: TwoFactorState,
  secrets: Record<number, SecretInput> | Map<number, SecretInput>,
  codes: [string, string],
  options?: { time?: number; policy?: Policy; factorId?: number },
): VerifyResult;

/** Forgets an authenticator's learned clock offset (e.g. after the phone's clock was fixed). */
export function resetDrift(state: TwoFactorState, factorId: number): TwoFactorState;

/** Renames an authenticator. */
export function renameFactor(state: TwoFactorState, factorId: number, label: string): TwoFactorState;

/** Removes an authenticator; removing the last one turns 2FA off (codes revoked too). */
export function removeFactor(state: TwoFactorState, factorId: number): TwoFactorState;

/** Turns 2FA off: every authenticator, recovery and removal code goes. */
export function disableTwoFactor(state: TwoFactorState): TwoFactorState;

/**
 * Issues ten recovery codes (and a 16-digit removal code with `removalCode: true`), revoking
 * any earlier set. Show them once: the state keeps only HMAC-SHA-256 hashes under `serverKey`.
 */
export function generateRecoveryCodes(
  state: TwoFactorState,
  serverKey: ServerKey,
  options?: { removalCode?: boolean },
): { codes: string[]; removalCode?: string; state: TwoFactorState };

/** Uses a recovery code (input normalised: case, spaces, hyphens, look-alikes). */
export function useRecoveryCode(
  state: TwoFactorState,
  serverKey: ServerKey,
  code: string,
  options?: { time?: number; policy?: Policy },
): RecoveryResult;

/** Uses the removal code: when accepted, 2FA is off in the returned state. */
export function useRemovalCode(
  state: TwoFactorState,
  serverKey: ServerKey,
  code: string,
  options?: { time?: number; policy?: Policy },
): RecoveryResult;
"#;

fn state_arg(value: &JsValue) -> Result<UserState, Error> {
    let text = value.as_string().ok_or_else(|| argument("state must be the string returned by newState() or a previous call"))?;
    UserState::decode(&text)
}

fn text_arg(value: &JsValue, name: &str) -> Result<String, Error> {
    value.as_string().ok_or_else(|| {
        let mut m = String::from(name);
        m.push_str(" must be a string");
        argument(&m)
    })
}

fn required_text(params: &JsValue, key: &str) -> Result<String, Error> {
    let value = field(params, key)?;
    if given(&value).is_none() {
        let mut m = String::from(key);
        m.push_str(" is required");
        return Err(argument(&m));
    }
    text_arg(&value, key)
}

fn policy_arg(options: &JsValue) -> Result<Policy, Error> {
    let value = field(options, "policy")?;
    let d = Policy::default();
    let max = 10 * 365 * 86_400;
    let policy = Policy {
        window: bounded(&field(&value, "window")?, "policy.window", d.window, crate::MAX_WINDOW)?,
        free_failures: bounded(&field(&value, "freeFailures")?, "policy.freeFailures", d.free_failures.into(), 1000)? as u32,
        base_lockout: bounded(&field(&value, "baseLockout")?, "policy.baseLockout", d.base_lockout, max)?,
        max_lockout: bounded(&field(&value, "maxLockout")?, "policy.maxLockout", d.max_lockout, max)?,
        max_drift: bounded(&field(&value, "maxDrift")?, "policy.maxDrift", d.max_drift, crate::MAX_DRIFT)?,
        resync_window: bounded(&field(&value, "resyncWindow")?, "policy.resyncWindow", d.resync_window, crate::MAX_DRIFT)?,
        look_ahead: bounded(&field(&value, "lookAhead")?, "policy.lookAhead", d.look_ahead, crate::MAX_LOOK_AHEAD)?,
        resync_look_ahead: bounded(
            &field(&value, "resyncLookAhead")?,
            "policy.resyncLookAhead",
            d.resync_look_ahead,
            crate::MAX_RESYNC_LOOK_AHEAD,
        )?,
    };
    policy.validate()?;
    Ok(policy)
}

fn server_key(value: &JsValue) -> Result<Vec<u8>, Error> {
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    Err(argument("serverKey must be a Uint8Array or a string of at least 16 bytes"))
}

fn factor_id(value: &JsValue) -> Result<u32, Error> {
    bounded(value, "factorId", 0, u32::MAX.into()).map(|id| id as u32)
}

fn num(value: u64) -> JsValue {
    JsValue::from_f64(value as f64)
}

fn verify_result(outcome: Outcome, state: &UserState) -> JsValue {
    let out = Object::new();
    let (name, factor, offset, attempts, retry) = match outcome {
        Outcome::Accepted { factor, offset } => ("accepted", Some(factor), Some(offset), None, None),
        Outcome::Invalid(f) => ("invalid", None, None, Some(f.attempts_left), f.locked_until),
        Outcome::Replayed { factor } => ("replayed", Some(factor), None, None, None),
        Outcome::Locked { retry_at } => ("locked", None, None, None, Some(retry_at)),
    };
    set(&out, "outcome", &name.into());
    if let Some(f) = factor {
        set(&out, "factorId", &num(f.into()));
    }
    if let Some(o) = offset {
        set(&out, "offset", &JsValue::from_f64(o as f64));
    }
    if let Some(a) = attempts {
        set(&out, "attemptsLeft", &num(a.into()));
    }
    if let Some(r) = retry {
        set(&out, "retryAt", &num(r));
    }
    set(&out, "state", &state.encode().into());
    out.into()
}

fn recovery_result(outcome: RecoveryOutcome, state: &UserState) -> JsValue {
    let out = Object::new();
    let name = match outcome {
        RecoveryOutcome::Accepted { remaining } => {
            set(&out, "remaining", &num(remaining as u64));
            "accepted"
        }
        RecoveryOutcome::Invalid(f) => {
            set(&out, "attemptsLeft", &num(f.attempts_left.into()));
            if let Some(r) = f.locked_until {
                set(&out, "retryAt", &num(r));
            }
            "invalid"
        }
        RecoveryOutcome::Typo => "typo",
        RecoveryOutcome::Locked { retry_at } => {
            set(&out, "retryAt", &num(retry_at));
            "locked"
        }
    };
    set(&out, "outcome", &name.into());
    set(&out, "state", &state.encode().into());
    out.into()
}

/// An empty state.
#[wasm_bindgen(js_name = newState, skip_typescript)]
pub fn new_state() -> String {
    UserState::new().encode()
}

/// The state's content for display.
#[wasm_bindgen(js_name = describeState, skip_typescript)]
pub fn describe_state(state: JsValue) -> JsResult<JsValue> {
    let state = state_arg(&state).map_err(throw)?;
    let out = Object::new();
    set(&out, "enabled", &state.enabled().into());
    let factors = Array::new();
    for f in &state.factors {
        let o = Object::new();
        set(&o, "id", &num(f.id.into()));
        set(&o, "label", &f.label.as_str().into());
        set(&o, "created", &num(f.created));
        set(&o, "algorithm", &f.options.algorithm.name().into());
        set(&o, "digits", &num(f.options.digits.into()));
        set(&o, "period", &num(f.options.period));
        set(&o, "type", &if f.kind == FactorKind::Hotp { "hotp" } else { "totp" }.into());
        set(&o, "lastStep", &f.last_step.map_or(JsValue::NULL, num));
        set(&o, "drift", &JsValue::from_f64(f.drift as f64));
        factors.push(&o);
    }
    set(&out, "factors", &factors);
    set(&out, "recoveryRemaining", &num(state.recovery_remaining() as u64));
    set(&out, "hasRemovalCode", &state.has_removal_code().into());
    set(&out, "failures", &num(state.code_throttle.failures.into()));
    let locked = if state.code_throttle.locked_until > 0 { num(state.code_throttle.locked_until) } else { JsValue::NULL };
    set(&out, "lockedUntil", &locked);
    set(&out, "recoveryFailures", &num(state.recovery_throttle.failures.into()));
    let locked = state.recovery_throttle.locked_until;
    set(&out, "recoveryLockedUntil", &if locked > 0 { num(locked) } else { JsValue::NULL });
    Ok(out.into())
}

/// A new secret with its URI and manual-entry fields.
#[wasm_bindgen(js_name = startEnrollment, skip_typescript)]
pub fn start_enrollment(params: JsValue) -> JsResult<JsValue> {
    start_enrollment_inner(&params).map_err(throw)
}

fn start_enrollment_inner(params: &JsValue) -> Result<JsValue, Error> {
    let issuer = required_text(params, "issuer")?;
    let account = required_text(params, "account")?;
    let opts = options(params)?;
    let e = if factor_kind(params)? == FactorKind::Hotp {
        crate::start_hotp_enrollment(&issuer, &account, &opts, &mut OsRandom)?
    } else {
        start(&issuer, &account, &opts, &mut OsRandom)?
    };
    let out = Object::new();
    set(&out, "secret", &e.secret.to_base32().into());
    set(&out, "uri", &e.uri.as_str().into());
    set(&out, "account", &e.account.as_str().into());
    set(&out, "issuer", &e.issuer.as_str().into());
    set(&out, "key", &e.key.as_str().into());
    set(&out, "type", &e.kind.into());
    #[cfg(feature = "qr")]
    set(&out, "qrSvg", &crate::qr_svg(&e.uri, &crate::SvgOptions::default())?.into());
    Ok(out.into())
}

/// Checks the first code of a new authenticator.
#[wasm_bindgen(js_name = confirmEnrollment, skip_typescript)]
pub fn confirm_enrollment(state: JsValue, params: JsValue) -> JsResult<JsValue> {
    confirm_inner(&state, &params).map_err(throw)
}

fn confirm_inner(state: &JsValue, params: &JsValue) -> Result<JsValue, Error> {
    let state = if given(state).is_none() { UserState::new() } else { state_arg(state)? };
    let secret_value = field(params, "secret")?;
    if given(&secret_value).is_none() {
        return Err(argument("secret is required: the one startEnrollment returned"));
    }
    let key = Secret::from_bytes(secret_bytes(&secret_value)?)?;
    if key.as_bytes().len() < crate::MIN_GENERATED_BYTES {
        return Err(Error::new(ErrorKind::InvalidSecret, "a new authenticator needs a secret of at least 128 bits"));
    }
    let code = required_text(params, "code")?;
    let label = required_text(params, "label")?;
    let opts = options(params)?;
    let now = time(&field(params, "time")?)?;
    let policy = policy_arg(params)?;
    let (outcome, next) = if factor_kind(params)? == FactorKind::Hotp {
        let counter_value = field(params, "counter")?;
        let start = if given(&counter_value).is_none() { 0 } else { super::counter(&counter_value)? };
        crate::confirm_hotp_enrollment(&state, key.as_bytes(), &code, &label, start, now, &opts, &policy)?
    } else {
        confirm(&state, key.as_bytes(), &code, &label, now, &opts, &policy)?
    };
    Ok(verify_result(outcome, &next))
}

/// Checks a code against every authenticator.
#[wasm_bindgen(js_name = verifyCode, skip_typescript)]
pub fn verify_code(state: JsValue, secrets: JsValue, code: JsValue, options: JsValue) -> JsResult<JsValue> {
    verify_inner(&state, &secrets, &code, &options).map_err(throw)
}

fn verify_inner(state: &JsValue, secrets: &JsValue, code: &JsValue, options: &JsValue) -> Result<JsValue, Error> {
    let state = state_arg(state)?;
    let code = code.as_string().ok_or_else(|| argument("code must be a string such as \"012345\""))?;
    let keys = secrets_arg(&state, secrets)?;
    let borrowed: Vec<(u32, &[u8])> = keys.iter().map(|(id, k)| (*id, k.as_slice())).collect();
    let now = time(&field(options, "time")?)?;
    let (outcome, next) = verify(&state, &borrowed, &code, now, &policy_arg(options)?)?;
    Ok(verify_result(outcome, &next))
}

/// The `type` parameter: 'totp' (the default) or 'hotp'.
fn factor_kind(params: &JsValue) -> Result<FactorKind, Error> {
    let value = field(params, "type")?;
    match given(&value).map(JsValue::as_string) {
        None => Ok(FactorKind::Totp),
        Some(Some(t)) if t == "totp" => Ok(FactorKind::Totp),
        Some(Some(t)) if t == "hotp" => Ok(FactorKind::Hotp),
        Some(_) => Err(argument("type must be \"totp\" or \"hotp\"")),
    }
}

/// Each factor's secret from a plain object or a Map keyed by factor id.
fn secrets_arg(state: &UserState, secrets: &JsValue) -> Result<Vec<(u32, Vec<u8>)>, Error> {
    if given(secrets).is_none_or(|s| !s.is_object()) {
        return Err(argument("secrets must map factor ids to secrets: { 1: 'BASE32…' } or a Map"));
    }
    let map = secrets.dyn_ref::<Map>();
    let mut keys: Vec<(u32, Vec<u8>)> = Vec::with_capacity(state.factors.len());
    for f in &state.factors {
        let id = JsValue::from_f64(f.id.into());
        let value = match map {
            Some(m) => m.get(&id),
            None => js_sys::Reflect::get(secrets, &JsValue::from_str(&crate::error::decimal(f.id.into())))
                .map_err(|_| argument("secrets could not be read"))?,
        };
        if given(&value).is_some() {
            keys.push((f.id, secret_bytes(&value)?));
        }
    }
    Ok(keys)
}

/// Resynchronises an authenticator with two consecutive codes.
#[wasm_bindgen(js_name = resync, skip_typescript)]
pub fn resync(state: JsValue, secrets: JsValue, codes: JsValue, options: JsValue) -> JsResult<JsValue> {
    resync_inner(&state, &secrets, &codes, &options).map_err(throw)
}

fn resync_inner(state: &JsValue, secrets: &JsValue, codes: &JsValue, options: &JsValue) -> Result<JsValue, Error> {
    let state = state_arg(state)?;
    let pair = || argument("codes must be two strings, the first code and the next one: [\"123456\", \"654321\"]");
    let list = codes.dyn_ref::<Array>().filter(|a| a.length() == 2).ok_or_else(pair)?;
    let (first, second) = (list.get(0).as_string().ok_or_else(pair)?, list.get(1).as_string().ok_or_else(pair)?);
    let keys = secrets_arg(&state, secrets)?;
    let borrowed: Vec<(u32, &[u8])> = keys.iter().map(|(id, k)| (*id, k.as_slice())).collect();
    let id_value = field(options, "factorId")?;
    let factor = if given(&id_value).is_none() { None } else { Some(factor_id(&id_value)?) };
    let now = time(&field(options, "time")?)?;
    let (outcome, next) = crate::resync(&state, &borrowed, factor, [&first, &second], now, &policy_arg(options)?)?;
    Ok(verify_result(outcome, &next))
}

/// Forgets an authenticator's learned clock offset.
#[wasm_bindgen(js_name = resetDrift, skip_typescript)]
pub fn reset_drift(state: JsValue, factor: JsValue) -> JsResult<String> {
    let run = || -> Result<String, Error> {
        let mut s = state_arg(&state)?;
        s.reset_drift(factor_id(&factor)?)?;
        Ok(s.encode())
    };
    run().map_err(throw)
}

/// Renames an authenticator.
#[wasm_bindgen(js_name = renameFactor, skip_typescript)]
pub fn rename_factor(state: JsValue, factor: JsValue, label: JsValue) -> JsResult<String> {
    let run = || -> Result<String, Error> {
        let mut s = state_arg(&state)?;
        s.rename_factor(factor_id(&factor)?, &text_arg(&label, "label")?)?;
        Ok(s.encode())
    };
    run().map_err(throw)
}

/// Removes an authenticator.
#[wasm_bindgen(js_name = removeFactor, skip_typescript)]
pub fn remove_factor(state: JsValue, factor: JsValue) -> JsResult<String> {
    let run = || -> Result<String, Error> {
        let mut s = state_arg(&state)?;
        s.remove_factor(factor_id(&factor)?)?;
        Ok(s.encode())
    };
    run().map_err(throw)
}

/// Turns 2FA off.
#[wasm_bindgen(js_name = disableTwoFactor, skip_typescript)]
pub fn disable_two_factor(state: JsValue) -> JsResult<String> {
    let mut s = state_arg(&state).map_err(throw)?;
    s.disable();
    Ok(s.encode())
}

/// Issues recovery codes (and a removal code).
#[wasm_bindgen(js_name = generateRecoveryCodes, skip_typescript)]
pub fn generate_recovery_codes(state: JsValue, key: JsValue, options: JsValue) -> JsResult<JsValue> {
    let run = || -> Result<JsValue, Error> {
        let s = state_arg(&state)?;
        let removal = field(&options, "removalCode")?;
        let with_removal = match given(&removal) {
            None => false,
            Some(v) => v.as_bool().ok_or_else(|| argument("removalCode must be true or false"))?,
        };
        let (issued, next) = generate_codes(&s, &server_key(&key)?, &mut OsRandom, with_removal)?;
        let out = Object::new();
        let codes: Array = issued.codes.iter().map(|c| JsValue::from_str(c)).collect();
        set(&out, "codes", &codes);
        if let Some(r) = &issued.removal_code {
            set(&out, "removalCode", &r.as_str().into());
        }
        set(&out, "state", &next.encode().into());
        Ok(out.into())
    };
    run().map_err(throw)
}

/// Uses a recovery code.
#[wasm_bindgen(js_name = useRecoveryCode, skip_typescript)]
pub fn use_recovery_code(state: JsValue, key: JsValue, code: JsValue, options: JsValue) -> JsResult<JsValue> {
    recovery_inner(&state, &key, &code, &options, false).map_err(throw)
}

/// Uses the removal code.
#[wasm_bindgen(js_name = useRemovalCode, skip_typescript)]
pub fn use_removal_code(state: JsValue, key: JsValue, code: JsValue, options: JsValue) -> JsResult<JsValue> {
    recovery_inner(&state, &key, &code, &options, true).map_err(throw)
}

fn recovery_inner(state: &JsValue, key: &JsValue, code: &JsValue, options: &JsValue, removal: bool) -> Result<JsValue, Error> {
    let s = state_arg(state)?;
    let key = server_key(key)?;
    let code = text_arg(code, "code")?;
    let now = time(&field(options, "time")?)?;
    let policy = policy_arg(options)?;
    let (outcome, next) =
        if removal { use_removal(&s, &key, &code, now, &policy)? } else { use_recovery(&s, &key, &code, now, &policy)? };
    Ok(recovery_result(outcome, &next))
}
