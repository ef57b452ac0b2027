//! The JavaScript binding (wasm32 only): converts loosely typed JS values into core types,
//! validates them, calls the core, and turns every [`Error`] into a JS `OtpError` with a stable
//! `code`. It holds no OTP logic of its own; the only things it reads from the platform are the
//! clock (`Date.now()`, when no time is passed) and the CSPRNG (through `getrandom`).
//!
//! Every parameter arrives as a `JsValue`, so a wrong type is an `OtpError` with code
//! `INVALID_ARGUMENT` rather than wasm-bindgen's own `TypeError` or a silent wrap-around.
//! The TypeScript declarations are written by hand below (wasm-bindgen cannot express optional
//! parameters of `JsValue` type), next to the functions they describe.

use crate as otp;
use crate::{Algorithm, Error, ErrorKind, OsRandom, OtpAuthUri, OtpKind, OtpOptions, Secret};
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

mod migration;
mod policy;
pub use policy::*;
#[cfg(feature = "scan")]
mod scan;
pub use migration::*;
#[cfg(feature = "scan")]
pub use scan::*;

#[wasm_bindgen(module = "/js/otp-error.js")]
extern "C" {
    /// The shared JS error class (one class for every entry of the package).
    #[wasm_bindgen(js_name = OtpError)]
    type JsOtpError;

    #[wasm_bindgen(constructor, js_class = "OtpError")]
    fn new(code: &str, message: &str) -> JsOtpError;
}

/// Largest integer a JS number holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

type JsResult<T> = core::result::Result<T, JsValue>;

/// Converts a core error into a thrown `OtpError` (with `position` when a character is to blame).
fn throw(error: Error) -> JsValue {
    let js: JsValue = JsOtpError::new(error.code(), error.message()).into();
    if let Some(position) = error.position() {
        let _ = Reflect::set(&js, &"position".into(), &JsValue::from_f64(position as f64));
    }
    js
}

fn argument(message: &str) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}

/// `undefined` and `null` both mean "not given".
fn given(value: &JsValue) -> Option<&JsValue> {
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

#[wasm_bindgen]
extern "C" {
    /// Any options object. Its fields are read through structural getters (`options.time` in
    /// the glue): about five times faster than `Reflect.get` with a key string made in Rust.
    type Options;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn time(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn algorithm(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn digits(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn period(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn window(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch, js_name = lookAhead)]
    fn look_ahead(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn secret(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn policy(this: &Options) -> Result<JsValue, JsValue>;
}

/// Reads `key` from an options object; a non-object `options` is INVALID_ARGUMENT. The hot
/// keys go through getters, the rest through `Reflect.get`.
fn field(options: &JsValue, key: &str) -> Result<JsValue, Error> {
    let Some(object) = given(options) else { return Ok(JsValue::UNDEFINED) };
    if !object.is_object() {
        return Err(argument("options must be an object, e.g. { digits: 6 }"));
    }
    let bag: &Options = object.unchecked_ref();
    let value = match key {
        "time" => bag.time(),
        "algorithm" => bag.algorithm(),
        "digits" => bag.digits(),
        "period" => bag.period(),
        "window" => bag.window(),
        "lookAhead" => bag.look_ahead(),
        "secret" => bag.secret(),
        "policy" => bag.policy(),
        _ => Reflect::get(object, &JsValue::from_str(key)),
    };
    value.map_err(|_| argument("options could not be read"))
}

/// A whole number from a JS number: `Err(None)` for a wrong type, `Err(Some(()))` for a number
/// that is not a safe non-negative integer.
fn whole_number(value: &JsValue) -> Result<Option<u64>, bool> {
    let Some(value) = given(value) else { return Ok(None) };
    let Some(n) = value.as_f64() else { return Err(false) };
    if n.fract() != 0.0 || !(0.0..=MAX_SAFE_INTEGER).contains(&n) {
        return Err(true);
    }
    Ok(Some(n as u64))
}

/// An optional bounded integer option such as `window` or `quietZone`.
fn bounded(value: &JsValue, name: &str, default: u64, max: u64) -> Result<u64, Error> {
    let range = || {
        let mut m = String::from(name);
        m.push_str(" must be a whole number from 0 to ");
        m.push_str(&crate::error::decimal(max));
        argument(&m)
    };
    match whole_number(value) {
        Ok(None) => Ok(default),
        Ok(Some(n)) if n <= max => Ok(n),
        Ok(Some(_)) | Err(true) => Err(range()),
        Err(false) => Err(range()),
    }
}

fn secret_bytes(value: &JsValue) -> Result<Vec<u8>, Error> {
    if let Some(text) = value.as_string() {
        return Secret::from_base32(&text).map(|s| s.as_bytes().to_vec());
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Secret::from_bytes(bytes.to_vec()).map(|s| s.as_bytes().to_vec());
    }
    Err(argument("secret must be a base32 string or a Uint8Array of key bytes"))
}

fn options(value: &JsValue) -> Result<OtpOptions, Error> {
    let mut out = OtpOptions::default();
    let algorithm = field(value, "algorithm")?;
    if given(&algorithm).is_some() {
        let name = algorithm.as_string().ok_or_else(|| argument("algorithm must be a string: \"SHA1\", \"SHA256\" or \"SHA512\""))?;
        out.algorithm = Algorithm::parse(&name)?;
    }
    match whole_number(&field(value, "digits")?) {
        Ok(None) => {}
        Ok(Some(d)) => out.digits = u32::try_from(d).unwrap_or(u32::MAX),
        Err(true) => out.digits = 0,
        Err(false) => return Err(argument("digits must be a number from 6 to 10")),
    }
    out.period = period(&field(value, "period")?)?;
    out.validate()?;
    Ok(out)
}

fn period(value: &JsValue) -> Result<u64, Error> {
    match whole_number(value) {
        Ok(None) => Ok(30),
        Ok(Some(p)) if p >= 1 => Ok(p),
        Ok(Some(_)) | Err(true) => Err(Error::new(
            ErrorKind::InvalidPeriod,
            "period must be a whole number of seconds from 1 to 2^53 - 1 (30 is the usual choice)",
        )),
        Err(false) => Err(argument("period must be a number of seconds")),
    }
}

/// Unix seconds from a JS number (fractions floored), or the current time when not given.
fn time(value: &JsValue) -> Result<i64, Error> {
    let seconds = match given(value) {
        None => js_sys::Date::now() / 1000.0,
        Some(v) => v.as_f64().ok_or_else(|| argument("time must be a number of Unix seconds (Date.now() / 1000)"))?,
    };
    if !(0.0..=MAX_SAFE_INTEGER).contains(&seconds) {
        return Err(Error::new(
            ErrorKind::InvalidTime,
            "time must be a finite number of Unix seconds from 0 (1970) to 2^53 - 1",
        ));
    }
    Ok(seconds.floor() as i64)
}

/// A counter from a safe non-negative integer number or a `bigint` in 0..2^64.
fn counter(value: &JsValue) -> Result<u64, Error> {
    let invalid = || Error::new(ErrorKind::InvalidCounter, "counter must be a whole number from 0 to 2^64 - 1 (pass a bigint above 2^53 - 1)");
    if value.is_bigint() {
        return u64::try_from(value.clone()).map_err(|_| invalid());
    }
    match whole_number(value) {
        Ok(Some(n)) => Ok(n),
        Ok(None) => Err(argument("counter is required: a number or a bigint")),
        Err(true) => Err(invalid()),
        Err(false) => Err(argument("counter must be a number or a bigint")),
    }
}

fn code(value: &JsValue) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| argument("code must be a string such as \"012345\" (a number would lose its leading zeros)"))
}

fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

fn offset_or_null(offset: Option<f64>) -> JsValue {
    offset.map_or(JsValue::NULL, JsValue::from_f64)
}

#[wasm_bindgen(typescript_custom_section)]
const TS_OTP: &'static str = r#"
/** HMAC hash function. SHA1 is the default and the only one every authenticator app honours. */
export type Algorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** How codes are computed. Defaults: SHA1, 6 digits, 30 seconds. */
export interface OtpOptions {
  algorithm?: Algorithm;
  /** 6..=10 */
  digits?: number;
  /** TOTP time step in seconds, >= 1 */
  period?: number;
}

/** A secret: base32 text (lenient: case, spaces, hyphens, padding) or the raw key bytes. */
export type SecretInput = string | Uint8Array;

/**
 * A new random secret as unpadded uppercase base32, from the platform CSPRNG.
 * @param bytes key size, 16..=64 bytes (default 20 = 160 bits)
 * @throws OtpError INVALID_ARGUMENT, RANDOM_UNAVAILABLE
 */
export function generateSecret(bytes?: number): string;

/**
 * The TOTP code (RFC 6238) at `options.time` (Unix seconds; now when omitted).
 * @example totp('JBSWY3DPEHPK3PXP') // e.g. "282760"
 * @throws OtpError INVALID_SECRET, INVALID_DIGITS, INVALID_PERIOD, INVALID_ALGORITHM, INVALID_TIME, INVALID_ARGUMENT
 */
export function totp(secret: SecretInput, options?: OtpOptions & { time?: number }): string;

/**
 * The HOTP code (RFC 4226) for `counter` (a number up to 2^53 - 1, or a bigint up to 2^64 - 1).
 * @throws OtpError INVALID_COUNTER and the errors of totp()
 */
export function hotp(secret: SecretInput, counter: number | bigint, options?: OtpOptions): string;

/**
 * Checks a TOTP code within `window` steps either side (default 1, at most 10).
 * Returns the step offset that matched (0 = current step; note 0 is falsy: compare with `!== null`),
 * or null when the code is not valid, including malformed codes (wrong length, non-digits).
 * @throws OtpError INVALID_ARGUMENT when `code` is not a string; errors of totp() for bad options
 */
export function verifyTotp(secret: SecretInput, code: string, options?: OtpOptions & { time?: number; window?: number }): number | null;

/**
 * Checks an HOTP code at `counter` .. `counter + lookAhead` (default 0, at most 100).
 * Returns the offset past `counter` that matched (the next counter is counter + offset + 1), or null.
 */
export function verifyHotp(secret: SecretInput, code: string, counter: number | bigint, options?: OtpOptions & { lookAhead?: number }): number | null;

/** Seconds until the TOTP code changes: an integer in 1..=period. */
export function remainingSeconds(options?: { time?: number; period?: number }): number;

/** A TOTP generator/verifier bound to one secret. Call free() when done (wasm memory). */
export class Totp {
  constructor(secret: SecretInput, options?: OtpOptions);
  /** The code at `time` (Unix seconds; now when omitted). */
  generate(time?: number): string;
  /** Offset of the matching step, or null. */
  verify(code: string, options?: { time?: number; window?: number }): number | null;
  /** Releases the wasm memory holding the secret. */
  free(): void;
}

/** What buildUri writes. */
export interface UriParams extends OtpOptions {
  /** 'totp' (default) or 'hotp' */
  type?: 'totp' | 'hotp';
  secret: SecretInput;
  /** e.g. the user's email address */
  account: string;
  /** the service's name, shown above the account in the app */
  issuer?: string;
  /** HOTP only (default 0) */
  counter?: number | bigint;
}

/** What parseUri returns. */
export interface ParsedUri {
  type: 'totp' | 'hotp';
  /** canonical base32: uppercase, no padding, no spaces */
  secret: string;
  account: string;
  issuer?: string;
  algorithm: Algorithm;
  digits: number;
  period: number;
  /** HOTP only */
  counter?: bigint;
  /** parameters not interpreted (e.g. image), as given */
  extra: Record<string, string>;
}

/**
 * Writes an otpauth:// URI: `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…`, with only the
 * parameters that differ from SHA1/6/30.
 * @throws OtpError INVALID_ARGUMENT, INVALID_SECRET, INVALID_DIGITS, INVALID_PERIOD, INVALID_ALGORITHM, INVALID_COUNTER
 */
export function buildUri(params: UriParams): string;

/**
 * Reads an otpauth:// URI, leniently (case, %3A, padding, unknown parameters kept in `extra`).
 * @throws OtpError INVALID_URI (also when label and issuer= disagree), INVALID_SECRET, INVALID_DIGITS, INVALID_PERIOD, INVALID_ALGORITHM, INVALID_COUNTER
 */
export function parseUri(uri: string): ParsedUri;
"#;

/// A new random secret as base32.
#[wasm_bindgen(js_name = generateSecret, skip_typescript)]
pub fn generate_secret(bytes: JsValue) -> JsResult<String> {
    // Out-of-range whole numbers reach Secret::generate, whose message names the 16..=64 range.
    let bytes = match whole_number(&bytes) {
        Ok(None) => crate::DEFAULT_SECRET_BYTES as u64,
        Ok(Some(n)) => n,
        Err(_) => return Err(throw(argument("bytes must be a whole number from 16 to 64 (20 is the default)"))),
    };
    let secret = Secret::generate(usize::try_from(bytes).unwrap_or(usize::MAX), &mut OsRandom).map_err(throw)?;
    Ok(secret.to_base32())
}

/// The TOTP code at `options.time`.
#[wasm_bindgen(js_name = totp, skip_typescript)]
pub fn totp(secret: JsValue, options_value: JsValue) -> JsResult<String> {
    let key = secret_bytes(&secret).map_err(throw)?;
    let opts = options(&options_value).map_err(throw)?;
    let at = time(&field(&options_value, "time").map_err(throw)?).map_err(throw)?;
    otp::totp(&key, at, &opts).map_err(throw)
}

/// The HOTP code for `counter`.
#[wasm_bindgen(js_name = hotp, skip_typescript)]
pub fn hotp(secret: JsValue, counter_value: JsValue, options_value: JsValue) -> JsResult<String> {
    let key = secret_bytes(&secret).map_err(throw)?;
    let n = counter(&counter_value).map_err(throw)?;
    let opts = options(&options_value).map_err(throw)?;
    otp::hotp(&key, n, &opts).map_err(throw)
}

/// Checks a TOTP code: the matching offset or `null`.
#[wasm_bindgen(js_name = verifyTotp, skip_typescript)]
pub fn verify_totp(secret: JsValue, code_value: JsValue, options_value: JsValue) -> JsResult<JsValue> {
    let key = secret_bytes(&secret).map_err(throw)?;
    let code = code(&code_value).map_err(throw)?;
    let opts = options(&options_value).map_err(throw)?;
    verify_totp_with(&key, &code, &opts, &options_value).map_err(throw)
}

fn verify_totp_with(key: &[u8], code: &str, opts: &OtpOptions, options_value: &JsValue) -> Result<JsValue, Error> {
    let at = time(&field(options_value, "time")?)?;
    let window = bounded(&field(options_value, "window")?, "window", 1, crate::MAX_WINDOW)?;
    Ok(offset_or_null(otp::verify_totp(key, code, at, window, opts)?.map(|o| o as f64)))
}

/// Checks an HOTP code: the offset past `counter` or `null`.
#[wasm_bindgen(js_name = verifyHotp, skip_typescript)]
pub fn verify_hotp(secret: JsValue, code_value: JsValue, counter_value: JsValue, options_value: JsValue) -> JsResult<JsValue> {
    let key = secret_bytes(&secret).map_err(throw)?;
    let code = code(&code_value).map_err(throw)?;
    let n = counter(&counter_value).map_err(throw)?;
    let opts = options(&options_value).map_err(throw)?;
    let look_ahead = bounded(&field(&options_value, "lookAhead").map_err(throw)?, "lookAhead", 0, crate::MAX_LOOK_AHEAD)
        .map_err(throw)?;
    let found = otp::verify_hotp(&key, &code, n, look_ahead, &opts).map_err(throw)?;
    Ok(offset_or_null(found.map(|o| o as f64)))
}

/// Seconds until the code changes, 1..=period.
#[wasm_bindgen(js_name = remainingSeconds, skip_typescript)]
pub fn remaining_seconds(options_value: JsValue) -> JsResult<f64> {
    let at = time(&field(&options_value, "time").map_err(throw)?).map_err(throw)?;
    let p = period(&field(&options_value, "period").map_err(throw)?).map_err(throw)?;
    otp::remaining_seconds(at, p).map(|r| r as f64).map_err(throw)
}

/// A TOTP generator/verifier bound to one secret.
#[wasm_bindgen(js_name = Totp, skip_typescript)]
pub struct Totp {
    key: Vec<u8>,
    options: OtpOptions,
}

impl core::fmt::Debug for Totp {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Totp(<redacted>)")
    }
}

#[wasm_bindgen(js_class = Totp)]
impl Totp {
    /// Validates the secret and options once.
    #[wasm_bindgen(constructor)]
    pub fn new(secret: JsValue, options_value: JsValue) -> JsResult<Totp> {
        let key = secret_bytes(&secret).map_err(throw)?;
        let options = options(&options_value).map_err(throw)?;
        Ok(Self { key, options })
    }

    /// The code at `time` (now when omitted).
    pub fn generate(&self, time_value: JsValue) -> JsResult<String> {
        let at = time(&time_value).map_err(throw)?;
        otp::totp(&self.key, at, &self.options).map_err(throw)
    }

    /// The matching offset or `null`.
    pub fn verify(&self, code_value: JsValue, options_value: JsValue) -> JsResult<JsValue> {
        let code = code(&code_value).map_err(throw)?;
        verify_totp_with(&self.key, &code, &self.options, &options_value).map_err(throw)
    }
}

/// Writes an otpauth:// URI.
#[wasm_bindgen(js_name = buildUri, skip_typescript)]
pub fn build_uri(params: JsValue) -> JsResult<String> {
    uri_from_params(&params).and_then(|uri| uri.to_uri()).map_err(throw)
}

fn uri_from_params(params: &JsValue) -> Result<OtpAuthUri, Error> {
    if given(params).is_none_or(|p| !p.is_object()) {
        return Err(argument("buildUri needs an object: { secret, account, issuer? }"));
    }
    let text = |key: &str| -> Result<Option<String>, Error> {
        let value = field(params, key)?;
        match given(&value) {
            None => Ok(None),
            Some(v) => v.as_string().map(Some).ok_or_else(|| {
                let mut m = String::from(key);
                m.push_str(" must be a string");
                argument(&m)
            }),
        }
    };
    let kind = match text("type")?.as_deref() {
        None | Some("totp") => OtpKind::Totp,
        Some("hotp") => OtpKind::Hotp,
        Some(_) => return Err(argument("type must be \"totp\" or \"hotp\"")),
    };
    let secret_value = field(params, "secret")?;
    if given(&secret_value).is_none() {
        return Err(argument("secret is required"));
    }
    let secret = Secret::from_bytes(secret_bytes(&secret_value)?)?;
    let account = text("account")?.ok_or_else(|| argument("account is required (e.g. the user's email address)"))?;
    let opts = options(params)?;
    let counter_value = field(params, "counter")?;
    let counter = match (kind, given(&counter_value)) {
        (OtpKind::Hotp, Some(c)) => Some(counter(c)?),
        (OtpKind::Hotp, None) => Some(0),
        (OtpKind::Totp, _) => None,
    };
    Ok(OtpAuthUri {
        kind,
        secret: secret.to_base32(),
        account,
        issuer: text("issuer")?,
        algorithm: opts.algorithm,
        digits: opts.digits,
        period: opts.period,
        counter,
        extra: Vec::new(),
    })
}

/// Reads an otpauth:// URI into a plain object.
#[wasm_bindgen(js_name = parseUri, skip_typescript)]
pub fn parse_uri(uri: JsValue) -> JsResult<JsValue> {
    let text = uri.as_string().ok_or_else(|| throw(argument("uri must be a string")))?;
    let parsed = OtpAuthUri::parse(&text).map_err(throw)?;
    Ok(uri_object(&parsed).into())
}

/// The `ParsedUri` object of the TypeScript declarations (also each account of a migration).
fn uri_object(parsed: &OtpAuthUri) -> Object {
    let out = Object::new();
    set(&out, "type", &parsed.kind.name().into());
    set(&out, "secret", &parsed.secret.as_str().into());
    set(&out, "account", &parsed.account.as_str().into());
    if let Some(issuer) = &parsed.issuer {
        set(&out, "issuer", &issuer.as_str().into());
    }
    set(&out, "algorithm", &parsed.algorithm.name().into());
    set(&out, "digits", &JsValue::from_f64(parsed.digits.into()));
    set(&out, "period", &JsValue::from_f64(parsed.period as f64));
    if let Some(counter) = parsed.counter {
        set(&out, "counter", &js_sys::BigInt::from(counter).into());
    }
    let extra = Object::new();
    for (key, value) in &parsed.extra {
        set(&extra, key, &value.as_str().into());
    }
    set(&out, "extra", &extra.into());
    out
}

#[cfg(feature = "qr")]
pub use qr::{qr_matrix, qr_svg};

#[cfg(feature = "qr")]
mod qr {
    use super::*;
    use crate::{Ecc, SvgOptions};

    #[wasm_bindgen(typescript_custom_section)]
    const TS_QR: &'static str = r#"
/** QR error-correction level (default 'M'). */
export type Ecc = 'L' | 'M' | 'Q' | 'H';

/** How qrSvg draws. */
export interface QrSvgOptions {
  ecc?: Ecc;
  /** light modules around the code, 0..=16 (default 4) */
  quietZone?: number;
  /** CSS colour of dark modules (default '#000') */
  dark?: string;
  /** CSS colour of the background (default '#fff'); 'none' draws none */
  light?: string;
}

/**
 * An SVG document of the QR code for `text` (e.g. an otpauth URI), rendered locally:
 * a viewBox in module units, one path, merged runs.
 * @throws OtpError QR_DATA_TOO_LONG, INVALID_ARGUMENT
 */
export function qrSvg(text: string, options?: QrSvgOptions): string;

/** The QR modules for `text`: size × size bytes, row-major, 1 = dark, no quiet zone. */
export function qrMatrix(text: string, options?: { ecc?: Ecc }): { size: number; modules: Uint8Array };
"#;

    fn ecc(options: &JsValue) -> Result<Ecc, Error> {
        let value = field(options, "ecc")?;
        match given(&value) {
            None => Ok(Ecc::M),
            Some(v) => Ecc::parse(&v.as_string().unwrap_or_default()),
        }
    }

    fn text(value: &JsValue) -> Result<String, Error> {
        value.as_string().ok_or_else(|| argument("text must be a string (e.g. an otpauth:// URI)"))
    }

    /// An SVG document of the QR code for `text`.
    #[wasm_bindgen(js_name = qrSvg, skip_typescript)]
    pub fn qr_svg(text_value: JsValue, options: JsValue) -> JsResult<String> {
        let text = text(&text_value).map_err(throw)?;
        let colour = |key: &str, default: &str| -> Result<String, Error> {
            let value = field(&options, key)?;
            match given(&value) {
                None => Ok(default.into()),
                Some(v) => v.as_string().ok_or_else(|| argument("dark and light must be CSS colour strings")),
            }
        };
        let svg_options = SvgOptions {
            ecc: ecc(&options).map_err(throw)?,
            quiet_zone: bounded(&field(&options, "quietZone").map_err(throw)?, "quietZone", 4, 16).map_err(throw)? as usize,
            dark: colour("dark", "#000").map_err(throw)?,
            light: colour("light", "#fff").map_err(throw)?,
        };
        otp::qr_svg(&text, &svg_options).map_err(throw)
    }

    /// The QR modules for `text`.
    #[wasm_bindgen(js_name = qrMatrix, skip_typescript)]
    pub fn qr_matrix(text_value: JsValue, options: JsValue) -> JsResult<JsValue> {
        let text = text(&text_value).map_err(throw)?;
        let matrix = otp::qr_matrix(&text, ecc(&options).map_err(throw)?).map_err(throw)?;
        let out = Object::new();
        set(&out, "size", &JsValue::from_f64(matrix.size as f64));
        set(&out, "modules", &Uint8Array::from(matrix.modules.as_slice()).into());
        Ok(out.into())
    }
}
