//! Binding of Google Authenticator's export reader (feature `migration`, the scan entry): `parseMigrationUri`.

use super::convert::argument;
use super::{JsResult, uri_object};
use crate::parse_migration_uri as parse;
use js_sys::Array;
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

/// Every account of an `otpauth-migration://` URI.
#[wasm_bindgen(js_name = parseMigrationUri, skip_typescript)]
pub fn parse_migration_uri(uri: JsValue) -> JsResult<Array> {
    let text = uri.as_string().ok_or_else(|| argument("uri must be a string (otpauth-migration://offline?data=…)"))?;
    let accounts = parse(&text)?;
    Ok(accounts.iter().map(uri_object).collect())
}
