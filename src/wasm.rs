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
use crate::{Error, OsRandom, OtpAuthUri, OtpKind, OtpOptions, Secret};
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::Object;
use wasm_bindgen::prelude::*;

mod allocator;
mod convert;
use convert::{
    argument, code, counter, field, given, num, offset_or_null, optional_text, options, period, required_secret, secret, set,
    time, time_field, whole_number,
};
#[cfg(feature = "migration")]
mod migration;
#[cfg(feature = "migration")]
pub use migration::*;
#[cfg(feature = "verifier")]
mod policy;
#[cfg(feature = "verifier")]
pub use policy::*;
#[cfg(feature = "scan")]
mod scan;
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

type JsResult<T> = core::result::Result<T, JsValue>;

/// A core error becomes a thrown `OtpError` (with `position` when a character is to blame), so
/// every export can use `?` on core calls and on the readers of `convert`.
impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        let js: JsValue = JsOtpError::new(error.code(), error.message()).into();
        if let Some(position) = error.position() {
            let _ = js_sys::Reflect::set(&js, &"position".into(), &num(position as u64));
        }
        js
    }
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
        Err(_) => return Err(argument("bytes must be a whole number from 16 to 64 (20 is the default)").into()),
    };
    Ok(Secret::generate(usize::try_from(bytes).unwrap_or(usize::MAX), &mut OsRandom)?.to_base32())
}

/// The TOTP code at `options.time`.
#[wasm_bindgen(js_name = totp, skip_typescript)]
pub fn totp(secret_value: JsValue, options_value: JsValue) -> JsResult<String> {
    let key = secret(&secret_value)?;
    let opts = options(&options_value)?;
    Ok(otp::totp(&key, time_field(&options_value)?, &opts)?)
}

/// The HOTP code for `counter`.
#[wasm_bindgen(js_name = hotp, skip_typescript)]
pub fn hotp(secret_value: JsValue, counter_value: JsValue, options_value: JsValue) -> JsResult<String> {
    let key = secret(&secret_value)?;
    let n = counter(&counter_value)?;
    Ok(otp::hotp(&key, n, &options(&options_value)?)?)
}

/// Checks a TOTP code: the matching offset or `null`.
#[wasm_bindgen(js_name = verifyTotp, skip_typescript)]
pub fn verify_totp(secret_value: JsValue, code_value: JsValue, options_value: JsValue) -> JsResult<JsValue> {
    let key = secret(&secret_value)?;
    let code = code(&code_value)?;
    let opts = options(&options_value)?;
    Ok(verify_totp_with(key.as_bytes(), &code, &opts, &options_value)?)
}

fn verify_totp_with(key: &[u8], code: &str, opts: &OtpOptions, options_value: &JsValue) -> Result<JsValue, Error> {
    let at = time_field(options_value)?;
    let window = convert::bounded(&field(options_value, "window")?, "window", 1, crate::MAX_WINDOW)?;
    Ok(offset_or_null(otp::verify_totp(key, code, at, window, opts)?))
}

/// Checks an HOTP code: the offset past `counter` or `null`.
#[wasm_bindgen(js_name = verifyHotp, skip_typescript)]
pub fn verify_hotp(secret_value: JsValue, code_value: JsValue, counter_value: JsValue, options_value: JsValue) -> JsResult<JsValue> {
    let key = secret(&secret_value)?;
    let code = code(&code_value)?;
    let n = counter(&counter_value)?;
    let opts = options(&options_value)?;
    let look_ahead = convert::bounded(&field(&options_value, "lookAhead")?, "lookAhead", 0, crate::MAX_LOOK_AHEAD)?;
    let found = otp::verify_hotp(&key, &code, n, look_ahead, &opts)?;
    Ok(offset_or_null(found.map(|o| o as i64)))
}

/// Seconds until the code changes, 1..=period.
#[wasm_bindgen(js_name = remainingSeconds, skip_typescript)]
pub fn remaining_seconds(options_value: JsValue) -> JsResult<f64> {
    let at = time_field(&options_value)?;
    let p = period(&field(&options_value, "period")?)?;
    Ok(otp::remaining_seconds(at, p)? as f64)
}

/// A TOTP generator/verifier bound to one secret. The key is set up once: `generate` and
/// `verify` read only their own arguments.
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
    pub fn new(secret_value: JsValue, options_value: JsValue) -> JsResult<Totp> {
        let key = secret(&secret_value)?.as_bytes().to_vec();
        Ok(Self { key, options: options(&options_value)? })
    }

    /// The code at `time` (now when omitted).
    pub fn generate(&self, time_value: JsValue) -> JsResult<String> {
        Ok(otp::totp(&self.key, time(&time_value)?, &self.options)?)
    }

    /// The matching offset or `null`.
    pub fn verify(&self, code_value: JsValue, options_value: JsValue) -> JsResult<JsValue> {
        let code = code(&code_value)?;
        Ok(verify_totp_with(&self.key, &code, &self.options, &options_value)?)
    }
}

/// Writes an otpauth:// URI.
#[wasm_bindgen(js_name = buildUri, skip_typescript)]
pub fn build_uri(params: JsValue) -> JsResult<String> {
    Ok(uri_from_params(&params)?.to_uri()?)
}

fn uri_from_params(params: &JsValue) -> Result<OtpAuthUri, Error> {
    if given(params).is_none_or(|p| !p.is_object()) {
        return Err(argument("buildUri needs an object: { secret, account, issuer? }"));
    }
    let kind = match optional_text(params, "type")?.as_deref() {
        None | Some("totp") => OtpKind::Totp,
        Some("hotp") => OtpKind::Hotp,
        Some(_) => return Err(argument("type must be \"totp\" or \"hotp\"")),
    };
    let secret = required_secret(params, "")?;
    let account = optional_text(params, "account")?.ok_or_else(|| argument("account is required (e.g. the user's email address)"))?;
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
        issuer: optional_text(params, "issuer")?,
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
    let text = uri.as_string().ok_or_else(|| argument("uri must be a string"))?;
    Ok(uri_object(&OtpAuthUri::parse(&text)?).into())
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
    set(&out, "digits", &num(parsed.digits.into()));
    set(&out, "period", &num(parsed.period));
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
    use js_sys::Uint8Array;

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

    fn colour(options: &JsValue, key: &str, default: &str) -> Result<String, Error> {
        let value = field(options, key)?;
        match given(&value) {
            None => Ok(default.into()),
            Some(v) => v.as_string().ok_or_else(|| argument("dark and light must be CSS colour strings")),
        }
    }

    /// An SVG document of the QR code for `text`.
    #[wasm_bindgen(js_name = qrSvg, skip_typescript)]
    pub fn qr_svg(text_value: JsValue, options: JsValue) -> JsResult<String> {
        let text = text(&text_value)?;
        let svg_options = SvgOptions {
            ecc: ecc(&options)?,
            quiet_zone: convert::bounded(&field(&options, "quietZone")?, "quietZone", 4, 16)? as usize,
            dark: colour(&options, "dark", "#000")?,
            light: colour(&options, "light", "#fff")?,
        };
        Ok(otp::qr_svg(&text, &svg_options)?)
    }

    /// The QR modules for `text`.
    #[wasm_bindgen(js_name = qrMatrix, skip_typescript)]
    pub fn qr_matrix(text_value: JsValue, options: JsValue) -> JsResult<JsValue> {
        let text = text(&text_value)?;
        let matrix = otp::qr_matrix(&text, ecc(&options)?)?;
        let out = Object::new();
        set(&out, "size", &num(matrix.size as u64));
        set(&out, "modules", &Uint8Array::from(matrix.modules.as_slice()).into());
        Ok(out.into())
    }
}
