//! `OtpAuthUri::parse` on arbitrary text (what a scanned QR code or a pasted link can hold).
//!
//! An input that starts with `otpauth` (any case) is the URI text itself; any other input is
//! decoded (with `arbitrary`) into the parts of a URI — type, label issuer and account,
//! parameters with chosen or arbitrary names and values — which are percent-encoded and
//! joined, so the fuzzer reaches the label and parameter logic without having to invent the
//! syntax (e.g. an account that starts with a space, or an issuer only as a parameter).
//!
//! Never panics; a parsed value is well-formed (canonical secret that decodes, digits 6..=10,
//! period >= 1, a counter exactly for HOTP, a non-empty account, a trimmed non-empty issuer);
//! and when `to_uri()` writes it, the written URI parses back to an equal value and is a fixed
//! point (writing the re-parsed value gives the same text).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use totp_wasm::{OtpAuthUri, OtpKind, Secret, normalize_base32};

#[derive(Arbitrary, Debug)]
struct Parts {
    hotp: bool,
    issuer: Option<String>,
    /// The label's colon as `%3A` rather than literal.
    escaped_colon: bool,
    account: String,
    params: Vec<(Name, Value)>,
    fragment: Option<String>,
}

#[derive(Arbitrary, Debug)]
enum Name {
    Secret,
    Issuer,
    Algorithm,
    Digits,
    Period,
    Counter,
    Image,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Value {
    /// Base32 of these key bytes.
    Key(Vec<u8>),
    Number(u64),
    Algorithm(u8),
    Text(String),
}

impl Parts {
    fn text(&self) -> String {
        let mut out = format!("otpauth://{}/", if self.hotp { "hotp" } else { "totp" });
        if let Some(issuer) = &self.issuer {
            encode(issuer, &mut out);
            out.push_str(if self.escaped_colon { "%3A" } else { ":" });
        }
        encode(&self.account, &mut out);
        for (i, (name, value)) in self.params.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            let name = match name {
                Name::Secret => "secret",
                Name::Issuer => "issuer",
                Name::Algorithm => "algorithm",
                Name::Digits => "digits",
                Name::Period => "period",
                Name::Counter => "counter",
                Name::Image => "image",
                Name::Other(other) => other,
            };
            encode(name, &mut out);
            out.push('=');
            match value {
                Value::Key(bytes) => {
                    out.push_str(&Secret::from_bytes(bytes.as_slice()).map(|s| s.to_base32()).unwrap_or_default())
                }
                Value::Number(n) => out.push_str(&n.to_string()),
                Value::Algorithm(a) => out.push_str(["SHA1", "sha256", "SHA512", "MD5"][usize::from(a % 4)]),
                Value::Text(text) => encode(text, &mut out),
            }
        }
        if let Some(fragment) = &self.fragment {
            out.push('#');
            out.push_str(fragment);
        }
        out
    }
}

/// Percent-encodes all but ASCII letters and digits.
fn encode(text: &str, out: &mut String) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = if data.len() >= 7 && data[..7].eq_ignore_ascii_case(b"otpauth") {
        let Ok(text) = std::str::from_utf8(data) else { return };
        text.to_string()
    } else {
        let Ok(parts) = Parts::arbitrary_take_rest(Unstructured::new(data)) else { return };
        parts.text()
    };
    let text = text.as_str();
    let Ok(parsed) = OtpAuthUri::parse(text) else { return };

    assert_eq!(normalize_base32(&parsed.secret).ok().as_deref(), Some(parsed.secret.as_str()), "secret not canonical");
    assert!(parsed.secret().is_ok(), "a parsed secret does not decode: {text:?}");
    assert!(parsed.options().validate().is_ok(), "parsed options are invalid: {parsed:?}");
    assert_eq!(parsed.counter.is_some(), parsed.kind == OtpKind::Hotp, "counter for the wrong kind: {parsed:?}");
    assert!(!parsed.account.is_empty(), "empty account: {text:?}");
    if let Some(issuer) = &parsed.issuer {
        assert!(!issuer.is_empty() && issuer.trim() == issuer, "issuer not trimmed: {parsed:?}");
    }

    // Some parsed values cannot be written (an issuer containing ':', an account containing
    // ':' without an issuer): refusing is fine, writing something that reads differently is not.
    let Ok(written) = parsed.to_uri() else { return };
    let again = match OtpAuthUri::parse(&written) {
        Ok(again) => again,
        Err(e) => panic!("to_uri() wrote a URI that does not parse ({e})\n input:   {text:?}\n written: {written:?}"),
    };
    assert_eq!(again, parsed, "round trip changed the value\n input:   {text:?}\n written: {written:?}");
    assert_eq!(again.to_uri().ok().as_deref(), Some(written.as_str()), "to_uri() is not a fixed point: {text:?}");
});
