//! Binding of Google Authenticator's export reader (every entry): `parseMigrationUri`.

use super::{JsResult, argument, set, throw};
use crate::{OtpAuthUri, parse_migration_uri as parse};
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_MIGRATION: &'static str = r#"
/**
 * Reads every account of a Google Authenticator export, `otpauth-migration://offline?data=…`
 * (the QR codes of its "Transfer accounts" screen), in order, each in the shape parseUri
 * returns (period 30; `counter` for HOTP; `extra` empty).
 * @throws OtpError INVALID_URI (not such a URI, malformed or truncated data, MD5, unknown
 *   algorithm/digits/type values, no accounts), INVALID_SECRET (an empty secret), INVALID_ARGUMENT
 */
export function parseMigrationUri(uri: string): ParsedUri[];
"#;

/// The object `parseUri` returns, for one account.
pub(super) fn uri_object(parsed: &OtpAuthUri) -> Object {
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

/// Every account of an `otpauth-migration://` URI.
#[wasm_bindgen(js_name = parseMigrationUri, skip_typescript)]
pub fn parse_migration_uri(uri: JsValue) -> JsResult<Array> {
    let text = uri.as_string().ok_or_else(|| throw(argument("uri must be a string (otpauth-migration://offline?data=…)")))?;
    let accounts = parse(&text).map_err(throw)?;
    Ok(accounts.iter().map(uri_object).collect())
}
